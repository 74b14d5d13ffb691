import type { WorkerConfig } from '../../src/config';
import { IG_MIN_REFRESH_AGE_MS, LifecycleSchedule } from '../../src/services/worker/schedule';

// The worker's timing rules are pure functions of the clock and the config: tested here without a
// database, with a fixed "random" so jitter is exact.
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const config: WorkerConfig = {
  enabled: true,
  pollIntervalMs: 5000,
  batchSize: 50,
  leaseSeconds: 120,
  syncIntervalHours: 24,
  refreshWindowDays: 10,
  grantCheckIntervalHours: 24,
  dataAccessWarningDays: 7,
  failureCeilingHours: 24,
  failureDaysBeforeError: 7,
};
const now = new Date('2026-06-01T00:00:00Z');
const at = (ms: number) => new Date(now.getTime() + ms);
const schedule = (random = 0.5) => new LifecycleSchedule(config, () => random);

describe('LifecycleSchedule', () => {
  describe('refreshDueAt', () => {
    it('opens the refresh window refreshWindowDays before expiry', () => {
      expect(schedule().refreshDueAt(at(-30 * DAY), at(60 * DAY))).toEqual(at(50 * DAY));
    });

    it('never before the token is 24 hours old, even when it expires sooner', () => {
      expect(schedule().refreshDueAt(now, at(5 * DAY))).toEqual(at(IG_MIN_REFRESH_AGE_MS));
    });

    it('has nothing to schedule without an expiry', () => {
      expect(schedule().refreshDueAt(now, null)).toBeNull();
    });
  });

  describe('refreshRetryAt', () => {
    it('retries about a day later, jitter within ±2 hours', () => {
      expect(schedule(0.5).refreshRetryAt(now, at(30 * DAY))).toEqual(at(DAY));
      expect(schedule(0).refreshRetryAt(now, at(30 * DAY))).toEqual(at(DAY - 2 * HOUR));
      expect(schedule(1).refreshRetryAt(now, at(30 * DAY))).toEqual(at(DAY + 2 * HOUR));
    });

    it('retries before the token dies: halfway to expiry, at least an hour ahead', () => {
      expect(schedule().refreshRetryAt(now, at(10 * HOUR))).toEqual(at(5 * HOUR));
      expect(schedule().refreshRetryAt(now, at(30 * 60_000))).toEqual(at(HOUR));
    });
  });

  describe('backoffAt', () => {
    it('starts at 5 minutes and doubles per consecutive failure', () => {
      expect(schedule().backoffAt(now, 1)).toEqual(at(5 * 60_000));
      expect(schedule().backoffAt(now, 2)).toEqual(at(10 * 60_000));
      expect(schedule().backoffAt(now, 4)).toEqual(at(40 * 60_000));
    });

    it('stops growing at the configured ceiling', () => {
      expect(schedule().backoffAt(now, 40)).toEqual(at(config.failureCeilingHours * HOUR));
    });

    it('jitters ±20 % and honours a minimum (a rate limit that lifts later)', () => {
      expect(schedule(0).backoffAt(now, 1)).toEqual(at(4 * 60_000));
      expect(schedule(1).backoffAt(now, 1)).toEqual(at(6 * 60_000));
      expect(schedule().backoffAt(now, 1, 30 * 60_000)).toEqual(at(30 * 60_000));
    });
  });

  describe('failingTooLong', () => {
    it('is true only once failures have lasted failureDaysBeforeError days', () => {
      expect(schedule().failingTooLong(now, null)).toBe(false);
      expect(schedule().failingTooLong(now, at(-7 * DAY + 1))).toBe(false);
      expect(schedule().failingTooLong(now, at(-7 * DAY))).toBe(true);
    });
  });

  describe('dataAccessWarningAt', () => {
    it('warns dataAccessWarningDays before Facebook data access ends', () => {
      expect(schedule().dataAccessWarningAt(at(30 * DAY))).toEqual(at(23 * DAY));
      expect(schedule().dataAccessWarningAt(null)).toBeNull();
    });
  });

  describe('nextCheck', () => {
    it('is the next sync when nothing is sooner', () => {
      expect(schedule().nextCheck(now, [null, undefined, at(3 * DAY)])).toEqual(at(DAY));
    });

    it('is the earliest candidate', () => {
      expect(schedule().nextCheck(now, [at(5 * HOUR), at(2 * HOUR), null])).toEqual(at(2 * HOUR));
    });

    it('never schedules less than a minute ahead, so a past moment does not spin', () => {
      expect(schedule().nextCheck(now, [at(-HOUR)])).toEqual(at(60_000));
    });
  });
});

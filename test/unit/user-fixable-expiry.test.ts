import { isUserFixable, nextRecheckAt, RECHECK_FOR_MS } from '../../src/services/accounts/user-fixable-expiry';

// The bounded re-check schedule for accounts EXPIRED for a cause the user fixes on Meta.
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const now = new Date('2026-06-01T00:00:00Z');
const at = (ms: number) => new Date(now.getTime() + ms);

describe('isUserFixable', () => {
  it('is true for a checkpoint (459) and an unconfirmed user (464) only', () => {
    expect(isUserFixable(459)).toBe(true);
    expect(isUserFixable(464)).toBe(true);
    for (const other of [458, 460, 463, 467, undefined]) expect(isUserFixable(other)).toBe(false);
  });
});

describe('nextRecheckAt', () => {
  const until = at(RECHECK_FOR_MS);

  it('waits two hours after the first failed re-check (the first one came an hour after expiry), doubling', () => {
    expect(nextRecheckAt(now, 1, until)).toEqual(at(2 * HOUR));
    expect(nextRecheckAt(now, 2, until)).toEqual(at(4 * HOUR));
    expect(nextRecheckAt(now, 3, until)).toEqual(at(8 * HOUR));
    expect(nextRecheckAt(now, 0, until)).toEqual(at(HOUR));
  });

  it('never waits more than a day', () => {
    expect(nextRecheckAt(now, 5, until)).toEqual(at(DAY));
    expect(nextRecheckAt(now, 40, until)).toEqual(at(DAY));
  });

  it('stops (null) once the next re-check would fall after the 14-day window', () => {
    expect(RECHECK_FOR_MS).toBe(14 * DAY);
    expect(nextRecheckAt(now, 10, at(DAY))).toEqual(at(DAY));
    expect(nextRecheckAt(now, 10, at(DAY - 1))).toBeNull();
  });
});

import type { WorkerConfig } from '../../config';
import { earliest } from '../../domain/time';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** Instagram refuses to refresh a long-lived token younger than this. */
export const IG_MIN_REFRESH_AGE_MS = DAY;
/** First retry delay after a non-auth failure; doubles up to the configured ceiling. */
const BACKOFF_BASE_MS = 5 * 60_000;

/**
 * When-to-do-what for the lifecycle worker, as pure functions of the clock and the config, so the
 * rules read in one place and are tested without a database.
 */
export class LifecycleSchedule {
  constructor(
    private readonly config: WorkerConfig,
    private readonly random: () => number = Math.random,
  ) {}

  get syncIntervalMs(): number {
    return this.config.syncIntervalHours * HOUR;
  }

  get grantCheckIntervalMs(): number {
    return this.config.grantCheckIntervalHours * HOUR;
  }

  /** The moment an Instagram token may and should be refreshed: inside the window, never before 24 h of age. */
  refreshDueAt(issuedAt: Date | null, expiresAt: Date | null): Date | null {
    if (!expiresAt) return null;
    const windowOpens = expiresAt.getTime() - this.config.refreshWindowDays * DAY;
    const oldEnough = (issuedAt?.getTime() ?? 0) + IG_MIN_REFRESH_AGE_MS;
    return new Date(Math.max(windowOpens, oldEnough));
  }

  /** After a failed refresh: retry about a day later (±2 h jitter), but never after the token dies. */
  refreshRetryAt(now: Date, expiresAt: Date | null): Date {
    const daily = DAY + (this.random() - 0.5) * 4 * HOUR;
    const beforeExpiry = expiresAt ? Math.max((expiresAt.getTime() - now.getTime()) / 2, HOUR) : daily;
    return new Date(now.getTime() + Math.min(daily, beforeExpiry));
  }

  /** Exponential backoff with ±20 % jitter after the n-th consecutive non-auth failure. */
  backoffAt(now: Date, failureCount: number, minimumMs = 0): Date {
    const ceiling = this.config.failureCeilingHours * HOUR;
    const raw = Math.min(BACKOFF_BASE_MS * 2 ** Math.max(0, failureCount - 1), ceiling);
    const jittered = raw * (0.8 + this.random() * 0.4);
    return new Date(now.getTime() + Math.max(jittered, minimumMs));
  }

  /** Failing (with non-auth errors) for this long turns a connection into ERROR. */
  failingTooLong(now: Date, firstFailureAt: Date | null): boolean {
    return Boolean(firstFailureAt) && now.getTime() - firstFailureAt!.getTime() >= this.config.failureDaysBeforeError * DAY;
  }

  /** Facebook grants: warn this long before Meta's data access ends. */
  dataAccessWarningAt(dataAccessExpiresAt: Date | null): Date | null {
    return dataAccessExpiresAt ? new Date(dataAccessExpiresAt.getTime() - this.config.dataAccessWarningDays * DAY) : null;
  }

  /** The earliest of the moments something is due; `now + sync interval` when nothing else is sooner. */
  nextCheck(now: Date, candidates: Array<Date | null | undefined>): Date {
    const floor = now.getTime() + 60_000; // never spin on a moment that is already past
    const notPast = candidates.map((candidate) => candidate && new Date(Math.max(candidate.getTime(), floor)));
    return earliest([new Date(now.getTime() + this.syncIntervalMs), ...notPast])!;
  }
}

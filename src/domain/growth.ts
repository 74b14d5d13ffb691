/**
 * Follower growth from daily snapshots (docs/creator-metrics.md). Pure.
 */

export interface DaySnapshot {
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  followers: number;
  following: number;
  mediaCount: number;
  engagementRate: number | null;
}

export interface Growth {
  /** Followers now minus followers on the latest snapshot at least `days` ago; null without one. */
  absolute: number | null;
  /** absolute / followers then; null when unknown or followers then were 0. */
  relative: number | null;
  /** The day compared against. */
  since: string | null;
}

const DAY_MS = 86_400_000;

export const utcDay = (at: Date): string => at.toISOString().slice(0, 10);

export function dayBefore(at: Date, days: number): string {
  return utcDay(new Date(at.getTime() - days * DAY_MS));
}

/**
 * Growth over `days` against the newest snapshot on or before now − days. Snapshots may be in
 * any order. Only an exact-or-older baseline counts: a 30-day figure from 3 days of history would mislead.
 */
export function growthOver(snapshots: DaySnapshot[], currentFollowers: number, now: Date, days: number): Growth {
  const cutoff = dayBefore(now, days);
  let base: DaySnapshot | undefined;
  for (const s of snapshots) if (s.day <= cutoff && (!base || s.day > base.day)) base = s;
  if (!base) return { absolute: null, relative: null, since: null };
  const absolute = currentFollowers - base.followers;
  return { absolute, relative: base.followers > 0 ? absolute / base.followers : null, since: base.day };
}

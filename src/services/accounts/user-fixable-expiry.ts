/**
 * Some token deaths are fixed by the user on Meta without reconnecting: a security checkpoint
 * (190/459: log in on Facebook or Instagram and follow the steps) or an unconfirmed user
 * (190/464: confirm the account). Meta does not tell us when that happens, so the worker re-checks
 * such EXPIRED accounts on a bounded schedule and returns them to CONNECTED when the token works:
 * first after 1 hour, then doubling (2 h, 4 h, …) up to once a day, for 14 days. After that the
 * account stays EXPIRED until the member reconnects.
 */
const HOUR = 3600_000;
const DAY = 24 * HOUR;

const USER_FIXABLE_SUBCODES: ReadonlySet<number> = new Set([459, 464]);
export const RECHECK_FIRST_DELAY_MS = HOUR;
const RECHECK_MAX_DELAY_MS = DAY;
export const RECHECK_FOR_MS = 14 * DAY;

export function isUserFixable(subcode: number | undefined): boolean {
  return subcode !== undefined && USER_FIXABLE_SUBCODES.has(subcode);
}

/** The next re-check after `attempts` failed ones, or null when the bounded window is over. */
export function nextRecheckAt(now: Date, attempts: number, recheckUntil: Date): Date | null {
  const delay = Math.min(RECHECK_FIRST_DELAY_MS * 2 ** Math.max(0, attempts), RECHECK_MAX_DELAY_MS);
  const at = new Date(now.getTime() + delay);
  return at <= recheckUntil ? at : null;
}

/**
 * Small date rules shared by the worker and the account service, so "the soonest deadline" and
 * the day a member reads in a reason are computed one way everywhere.
 */

/** The soonest of the given moments (missing ones ignored), or null when none is given. */
export function earliest(moments: ReadonlyArray<Date | null | undefined>): Date | null {
  let soonest: Date | null = null;
  for (const moment of moments) if (moment && (!soonest || moment < soonest)) soonest = moment;
  return soonest ? new Date(soonest.getTime()) : null;
}

/** The UTC calendar day of a moment (YYYY-MM-DD), as status reasons name it. */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

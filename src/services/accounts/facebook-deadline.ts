import { earliest, isoDay } from '../../domain/time';

/**
 * The one rule for when a Facebook-flow account stops working, used by the worker and by a
 * member's sync alike (so they can never disagree and flip the status back and forth).
 *
 * The account is read with the token it depends on: its Page token when it has one, else the
 * user token. A Page token obtained from a long-lived user token has no expiry of its own
 * (debug_token: `expires_at: 0`), so the user token passing `expires_at` (day 60) does not end it;
 * what ends it is Meta's data access (`data_access_expires_at`, ~90 days after the user last
 * granted the app), or the token being invalidated. See docs/meta-grants.md.
 */
export interface FacebookDeadlineInput {
  now: Date;
  /** Whether the account has its own Page token. */
  hasPageToken: boolean;
  userTokenExpiresAt: Date | null;
  dataAccessExpiresAt: Date | null;
}

export interface FacebookDeadline {
  /** Set when the account must be EXPIRED now: the reason the member reads. */
  expiredReason: string | null;
  /** The moment the member must reconnect by (null: no known deadline). */
  needsReconnectBy: Date | null;
}

export function facebookDeadline(input: FacebookDeadlineInput): FacebookDeadline {
  const tokenEnds = input.hasPageToken ? null : input.userTokenExpiresAt;
  const dataAccessEnds = input.dataAccessExpiresAt;
  const needsReconnectBy = earliest([tokenEnds, dataAccessEnds]);
  let expiredReason: string | null = null;
  if (tokenEnds && tokenEnds <= input.now) expiredReason = `The Facebook login expired on ${isoDay(tokenEnds)}; reconnect to continue.`;
  else if (dataAccessEnds && dataAccessEnds <= input.now) {
    expiredReason = `Meta's data access for this connection ended on ${isoDay(dataAccessEnds)}; reconnect to continue.`;
  }
  return { expiredReason, needsReconnectBy };
}

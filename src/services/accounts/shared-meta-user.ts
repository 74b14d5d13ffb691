import { LoginProvider } from '../../domain/social-account';

/**
 * One Meta user is often linked by several members (an agency and the creator, two brands). Each
 * member has a grant of its own, but Meta knows only one authorization per user and app:
 * `DELETE /{user-id}/permissions` ends it for every token of that user, whoever on our side holds
 * it (docs/meta-callbacks.md, "One authorization per Meta user and app"). So the revoke is
 * decided per Meta user, never per member, and under a lock on that Meta user.
 */

/*
 * The SQL lives in repositories/meta-grant.repository.ts:
 * - `lockMetaUser`: a transaction-scoped advisory lock on one Meta user of one flow. Two members
 *   disconnecting the last accounts on the same Facebook user at once take it in turn: the second
 *   one's count runs after the first has committed, so they can neither both skip the revoke nor
 *   revoke while the other still relies on the grant.
 * - `countAccountsRelyingOnMetaUser`: accounts of ANY member that still depend on this Meta
 *   user's authorization: linked through a grant of that user and not DISCONNECTED (an EXPIRED or
 *   ERROR account may come back, so it still relies on it).
 */

/** Only the Facebook flow has a revoke endpoint; Instagram (Business Login) has none. */
export function canRevoke(provider: LoginProvider): boolean {
  return provider === LoginProvider.FACEBOOK;
}

import type { EntityManager } from '@mikro-orm/postgresql';
import { LoginProvider, SocialConnectionStatus } from '../../domain/social-account';

/**
 * One Meta user is often linked by several members (an agency and the creator, two brands). Each
 * member has a grant of its own, but Meta knows only one authorization per user and app:
 * `DELETE /{user-id}/permissions` ends it for every token of that user, whoever on our side holds
 * it (docs/meta-callbacks.md, "One authorization per Meta user and app"). So the revoke is
 * decided per Meta user, never per member, and under a lock on that Meta user.
 */

/**
 * A transaction-scoped advisory lock on one Meta user of one flow. Two members disconnecting the
 * last accounts on the same Facebook user at once take it in turn: the second one's count runs
 * after the first has committed, so they can neither both skip the revoke nor revoke while the
 * other still relies on the grant. Released by the commit or rollback.
 */
export async function lockMetaUser(em: EntityManager, provider: LoginProvider, metaUserId: string): Promise<void> {
  await em.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`meta-user:${provider}:${metaUserId}`]);
}

/**
 * Accounts of ANY member, other than `exceptAccountId`, that still depend on this Meta user's
 * authorization: linked through a grant of that user and not DISCONNECTED (an EXPIRED or ERROR
 * account may come back, so it still relies on it).
 */
export async function countAccountsRelyingOnMetaUser(
  em: EntityManager,
  provider: LoginProvider,
  metaUserId: string,
  exceptAccountId: string,
): Promise<number> {
  const [row] = await em.execute<Array<{ n: number }>>(
    `select count(*)::int as n
       from social_account a join meta_grant g on g.id = a.grant_id
      where g.provider = ? and g.meta_user_id = ? and a.id <> ? and a.connection_status <> ?`,
    [provider, metaUserId, exceptAccountId, SocialConnectionStatus.DISCONNECTED],
  );
  return row?.n ?? 0;
}

/** Only the Facebook flow has a revoke endpoint; Instagram (Business Login) has none. */
export function canRevoke(provider: LoginProvider): boolean {
  return provider === LoginProvider.FACEBOOK;
}

import type { EntityManager } from '@mikro-orm/postgresql';
import { pgTextArray, pgUuidArray } from '../database/sql';
import { LoginProvider, SocialConnectionStatus } from '../domain/social-account';

/**
 * meta_grant and the Meta users behind grants: one Meta user is often linked by several members,
 * and these are the reads that span all of them (services/accounts/shared-meta-user.ts and
 * services/meta-callbacks/meta-user-links.ts say why). Plain SQL: a partial entity in the
 * identity map would shadow the full one the callers load afterwards.
 */

/** The grant's token as stored (sealed; TokenVault opens it), or nothing when there is none. */
export async function sealedGrantToken(em: EntityManager, grantId: string): Promise<string | null | undefined> {
  const [row] = await em.execute<Array<{ token: string | null }>>('select token_encrypted as token from meta_grant where id = ?', [grantId]);
  return row?.token;
}

/** Whose authorization a grant is: the flow and the Meta user id it is keyed by. */
export async function metaUserOfGrant(em: EntityManager, grantId: string): Promise<{ provider: LoginProvider; meta_user_id: string } | undefined> {
  const [metaUser] = await em.execute<Array<{ provider: LoginProvider; meta_user_id: string }>>('select provider, meta_user_id from meta_grant where id = ?', [
    grantId,
  ]);
  return metaUser;
}

/** A transaction-scoped advisory lock on one Meta user of one flow, released by the commit or rollback. */
export async function lockMetaUser(em: EntityManager, provider: LoginProvider, metaUserId: string): Promise<void> {
  await em.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`meta-user:${provider}:${metaUserId}`]);
}

/**
 * Accounts of ANY member, other than `exceptAccountId`, linked through a grant of this Meta user
 * and not DISCONNECTED.
 */
export async function countAccountsRelyingOnMetaUser(em: EntityManager, provider: LoginProvider, metaUserId: string, exceptAccountId: string): Promise<number> {
  const [row] = await em.execute<Array<{ n: number }>>(
    `select count(*)::int as n
       from social_account a join meta_grant g on g.id = a.grant_id
      where g.provider = ? and g.meta_user_id = ? and a.id <> ? and a.connection_status <> ?`,
    [provider, metaUserId, exceptAccountId, SocialConnectionStatus.DISCONNECTED],
  );
  return row?.n ?? 0;
}

/** Ids of every member's grants of this flow keyed by one of these Meta user ids. */
export async function grantIdsOfMetaUsers(em: EntityManager, provider: LoginProvider, metaUserIds: string[]): Promise<string[]> {
  const rows = await em.execute<Array<{ id: string }>>('select id from meta_grant where provider = ? and meta_user_id = any(?::text[])', [
    provider,
    pgTextArray(metaUserIds),
  ]);
  return rows.map((g) => g.id);
}

/** The Instagram professional account ids (`user_id`) of grants that stored this app-scoped `id`. */
export async function instagramUserIdsForAppScopedId(em: EntityManager, appScopedUserId: string): Promise<string[]> {
  const rows = await em.execute<Array<{ meta_user_id: string }>>('select distinct meta_user_id from meta_grant where provider = ? and app_scoped_user_id = ?', [
    LoginProvider.INSTAGRAM,
    appScopedUserId,
  ]);
  return rows.map((r) => r.meta_user_id);
}

/** Deletes these grants' tokens (the column is lazy, so it is never loaded to be cleared). */
export async function clearGrantTokens(em: EntityManager, grantIds: string[], now: Date): Promise<void> {
  await em.execute('update meta_grant set token_encrypted = null, updated_at = ? where id = any(?::uuid[]) and token_encrypted is not null', [
    now,
    pgUuidArray(grantIds),
  ]);
}

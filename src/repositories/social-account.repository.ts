import type { EntityManager } from '@mikro-orm/postgresql';
import { pgUuidArray } from '../database/sql';
import { SocialConnectionStatus, SocialPlatform } from '../domain/social-account';
import type { AccountSnapshot } from '../entities/account-snapshot';
import { accountSnapshotMapping } from './account-snapshots';

/**
 * social_account: the reads and writes that bypass the unit of work (lists, lazy token columns,
 * bulk deletes). Status changes never happen here: AccountStatusService is their only writer.
 */

/**
 * The member's accounts, newest first, in one statement and without the unit of work.
 *
 * Why not em.find: hydrating managed entities (identity map, per-instance change-tracking
 * accessors, original-data snapshots) plus building the query took ~2.5 ms of CPU for a
 * 20-account list, about ten times the query itself, and held the read path to a fifth of a
 * plain `pg` server (bench/, scenario 1). A list never writes what it reads, so it needs none of
 * that; it also reads only the columns GraphQL can show, not the worker's bookkeeping. Columns
 * and conversions come from the entity and GraphQL metadata, so a new field shows up here too.
 */
export async function listAccountSnapshots(em: EntityManager, memberId: string, statuses?: SocialConnectionStatus[]): Promise<AccountSnapshot[]> {
  const { columns, toSnapshot } = accountSnapshotMapping(em);
  const statusFilter = statuses ? `a."connection_status" in (${statuses.map(() => '?').join(', ')})` : 'a."connection_status" <> ?';
  const rows = await em.execute<Array<Record<string, unknown>>>(
    `select ${columns} from "social_account" as a
      where a."member_id" = ? and a."platform" = ? and ${statusFilter} order by a."connected_at" desc, a."id" asc`,
    [memberId, SocialPlatform.INSTAGRAM, ...(statuses ?? [SocialConnectionStatus.DISCONNECTED])],
  );
  return rows.map(toSnapshot);
}

/** The account's token and its grant's, as stored (sealed; TokenVault opens them); undefined when the account is gone. */
export async function sealedTokensOfAccount(
  em: EntityManager,
  accountId: string,
): Promise<{ account_token: string | null; grant_token: string | null; grant_id: string | null } | undefined> {
  const [row] = await em.execute<Array<{ account_token: string | null; grant_token: string | null; grant_id: string | null }>>(
    `select a.token_encrypted as account_token, g.token_encrypted as grant_token, g.id as grant_id
         from social_account a left join meta_grant g on g.id = a.grant_id where a.id = ?`,
    [accountId],
  );
  return row;
}

/** What facebookDeadline needs for a stored account (undefined when the account is gone). */
export async function facebookDeadlineInputs(
  em: EntityManager,
  accountId: string,
): Promise<{ has_page_token: boolean; token_expires_at: Date | null; data_access_expires_at: Date | null } | undefined> {
  const [row] = await em.execute<Array<{ has_page_token: boolean; token_expires_at: Date | null; data_access_expires_at: Date | null }>>(
    `select a.token_encrypted is not null as has_page_token, g.token_expires_at, g.data_access_expires_at
         from social_account a left join meta_grant g on g.id = a.grant_id where a.id = ?`,
    [accountId],
  );
  return row;
}

/** The member's accounts still linked through a Facebook grant of this Meta user, other than `exceptIds`. */
export function otherFacebookAccountsOfMetaUser(
  em: EntityManager,
  memberId: string,
  metaUserId: string,
  exceptIds: string[],
): Promise<Array<{ id: string; platform_user_id: string; page_id: string | null; page_name: string | null; username: string }>> {
  return em.execute<Array<{ id: string; platform_user_id: string; page_id: string | null; page_name: string | null; username: string }>>(
    `select a.id, a.platform_user_id, a.page_id, a.page_name, a.username
         from social_account a join meta_grant g on g.id = a.grant_id
        where g.member_id = ? and g.provider = 'FACEBOOK' and g.meta_user_id = ? and a.connection_status <> 'DISCONNECTED'
          and not (a.id = any(?::uuid[]))`,
    [memberId, metaUserId, pgUuidArray(exceptIds)],
  );
}

/**
 * Deletes these accounts' tokens. Token columns are lazy (never loaded with the entity), so they
 * are cleared in plain SQL, which also leaves the accounts' optimistic-lock version to the entity
 * flush of a status change.
 */
export async function clearAccountTokens(em: EntityManager, accountIds: string[], now: Date): Promise<void> {
  await em.execute('update social_account set token_encrypted = null, updated_at = ? where id = any(?::uuid[]) and token_encrypted is not null', [
    now,
    pgUuidArray(accountIds),
  ]);
}

/** How many accounts (of every member) are in each status. */
export function countAccountsByStatus(em: EntityManager): Promise<Array<{ status: string; n: number }>> {
  return em.execute<Array<{ status: string; n: number }>>(
    'select connection_status as status, count(*)::int as n from social_account group by connection_status',
  );
}

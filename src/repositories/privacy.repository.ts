import type { EntityManager } from '@mikro-orm/postgresql';
import { pgTextArray, pgUuidArray } from '../database/sql';

/**
 * The erasure routine's statements (services/privacy/erase-data.ts): deleting what names an
 * erased account or member, and redacting webhook bodies still to be delivered. Table and column
 * names come from the personal-data inventory (our own constants), never from input.
 */

/** Meta's ids a deleted account or grant carried: rate-limit pauses may name them. */
export interface DeletedRows {
  ids: string[];
  metaIds: string[];
}

const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Deletes the rows of `table` whose `column` is one of `values` (uuid or text); returns how many went. */
export async function deleteRowsNaming(em: EntityManager, table: string, column: string, values: string[], type: 'uuid' | 'text'): Promise<number> {
  if (values.length === 0) return 0;
  const [row] = await em.execute<Array<{ n: number }>>(
    `with gone as (delete from ${quoted(table)} where ${quoted(column)}::${type} = any(?::${type}[]) returning 1) select count(*)::int as n from gone`,
    [type === 'uuid' ? pgUuidArray(values) : pgTextArray(values)],
  );
  return row?.n ?? 0;
}

/**
 * Deletes these accounts; with `onlyDisconnected`, those still DISCONNECTED only (a data deletion
 * keeps an account its member connected again: new consent). Returns the ids deleted and the Meta
 * ids they carried.
 */
export async function deleteAccounts(em: EntityManager, accountIds: string[], options: { onlyDisconnected: boolean }): Promise<DeletedRows> {
  if (accountIds.length === 0) return { ids: [], metaIds: [] };
  const rows = await em.execute<Array<{ id: string; platform_user_id: string; page_id: string | null }>>(
    `delete from social_account where id = any(?::uuid[])${options.onlyDisconnected ? ` and connection_status = 'DISCONNECTED'` : ''}
      returning id, platform_user_id, page_id`,
    [pgUuidArray(accountIds)],
  );
  return { ids: rows.map((r) => r.id), metaIds: rows.flatMap((r) => [r.platform_user_id, ...(r.page_id ? [r.page_id] : [])]) };
}

/**
 * Deletes these grants; with `onlyUnused`, those holding no token and no account (a data deletion
 * keeps a grant the member renewed meanwhile). Returns the ids deleted and their Meta user ids.
 */
export async function deleteGrants(em: EntityManager, grantIds: string[], options: { onlyUnused: boolean }): Promise<DeletedRows> {
  if (grantIds.length === 0) return { ids: [], metaIds: [] };
  const unused = `and g.token_encrypted is null and not exists (select 1 from social_account a where a.grant_id = g.id)`;
  const rows = await em.execute<Array<{ id: string; meta_user_id: string; app_scoped_user_id: string | null }>>(
    `delete from meta_grant g where g.id = any(?::uuid[]) ${options.onlyUnused ? unused : ''} returning g.id, g.meta_user_id, g.app_scoped_user_id`,
    [pgUuidArray(grantIds)],
  );
  return { ids: rows.map((r) => r.id), metaIds: rows.flatMap((r) => [r.meta_user_id, ...(r.app_scoped_user_id ? [r.app_scoped_user_id] : [])]) };
}

/** The member's grants: id, flow and Meta user, locked until the transaction ends. */
export function lockGrantsOfMember(em: EntityManager, memberId: string): Promise<Array<{ id: string; provider: string; meta_user_id: string }>> {
  return em.execute<Array<{ id: string; provider: string; meta_user_id: string }>>(
    'select id, provider, meta_user_id from meta_grant where member_id = ? order by id for update',
    [memberId],
  );
}

/** Locks the member's accounts (in id order, as every other multi-account writer takes them). */
export async function lockAccountsOfMember(em: EntityManager, memberId: string): Promise<string[]> {
  const rows = await em.execute<Array<{ id: string }>>('select id from social_account where member_id = ? order by id for update', [memberId]);
  return rows.map((r) => r.id);
}

/**
 * Accounts of members other than `memberId` that rely on this Meta user's authorization (linked
 * through a grant of that user, not DISCONNECTED): the revoke rule's count for a member erasure.
 */
export async function countOtherMembersRelyingOnMetaUser(em: EntityManager, provider: string, metaUserId: string, memberId: string): Promise<number> {
  const [row] = await em.execute<Array<{ n: number }>>(
    `select count(*)::int as n from social_account a join meta_grant g on g.id = a.grant_id
      where g.provider = ? and g.meta_user_id = ? and g.member_id <> ? and a.connection_status <> 'DISCONNECTED'`,
    [provider, metaUserId, memberId],
  );
  return row?.n ?? 0;
}

/**
 * Webhook events of erased accounts that were delivered or failed (nothing pending) go, with
 * their deliveries; returns how many events and deliveries went.
 */
export async function deleteSettledWebhookEvents(em: EntityManager, accountIds: string[]): Promise<{ events: number; deliveries: number }> {
  if (accountIds.length === 0) return { events: 0, deliveries: 0 };
  const [row] = await em.execute<Array<{ events: number; deliveries: number }>>(
    `with gone as (
         delete from webhook_event e where e.account_id = any(?::uuid[])
            and not exists (select 1 from webhook_delivery d where d.event_id = e.id and d.status = 'PENDING')
         returning e.id),
       gone_deliveries as (delete from webhook_delivery d using gone where d.event_id = gone.id returning 1)
     select (select count(*) from gone)::int as events, (select count(*) from gone_deliveries)::int as deliveries`,
    [pgUuidArray(accountIds)],
  );
  return row ?? { events: 0, deliveries: 0 };
}

/**
 * The bodies of erased accounts' events still pending delivery are cut down to ids and status:
 * the receiver still learns what happened (and can dedupe by the same webhook id), without the
 * profile. Their settled deliveries go (nothing to redeliver them to). Returns how many bodies.
 */
export async function redactPendingWebhookEvents(em: EntityManager, accountIds: string[]): Promise<number> {
  if (accountIds.length === 0) return 0;
  const [row] = await em.execute<Array<{ n: number }>>(
    `with redacted as (
         update webhook_event e set body = jsonb_build_object(
             'id', b->'id', 'type', b->'type', 'timestamp', b->'timestamp',
             'data', jsonb_build_object(
               'memberId', b->'data'->'memberId', 'previousStatus', b->'data'->'previousStatus', 'status', b->'data'->'status',
               'reason', null, 'redacted', true,
               'account', jsonb_build_object('id', b->'data'->'account'->'id', 'connectionStatus', b->'data'->'account'->'connectionStatus')))::text
           from (select id, body::jsonb as b from webhook_event where account_id = any(?::uuid[])) src
          where e.id = src.id
         returning e.id),
       settled as (delete from webhook_delivery d using redacted r where d.event_id = r.id and d.status <> 'PENDING' returning 1)
     select (select count(*) from redacted)::int as n, (select count(*) from settled)::int as settled`,
    [pgUuidArray(accountIds)],
  );
  return row?.n ?? 0;
}

/** Every webhook event of these accounts or of this member, pending or not, with its deliveries. */
export async function deleteAllWebhookEvents(em: EntityManager, accountIds: string[], memberId: string): Promise<{ events: number; deliveries: number }> {
  const [row] = await em.execute<Array<{ events: number; deliveries: number }>>(
    `with gone as (delete from webhook_event where account_id = any(?::uuid[]) or member_id = ? returning id),
       gone_deliveries as (
         delete from webhook_delivery d where d.event_id in (select id from gone) or d.account_id = any(?::uuid[]) returning 1)
     select (select count(*) from gone)::int as events, (select count(*) from gone_deliveries)::int as deliveries`,
    [pgUuidArray(accountIds), memberId, pgUuidArray(accountIds)],
  );
  return row ?? { events: 0, deliveries: 0 };
}

/** The member's rate-limit windows (`<budget>:<member id>`, every budget). */
export async function deleteMemberRateLimitWindows(em: EntityManager, memberId: string): Promise<number> {
  const [row] = await em.execute<Array<{ n: number }>>(
    `with gone as (delete from member_rate_limit where substr(key, strpos(key, ':') + 1) = ? returning 1) select count(*)::int as n from gone`,
    [memberId],
  );
  return row?.n ?? 0;
}

/** Rate-limit pauses whose scope (`<kind>:<id>`) names one of these Meta ids. */
export async function deletePausesNaming(em: EntityManager, metaIds: string[]): Promise<number> {
  if (metaIds.length === 0) return 0;
  const [row] = await em.execute<Array<{ n: number }>>(
    `with gone as (delete from meta_rate_limit_pause where substr(scope, strpos(scope, ':') + 1) = any(?::text[]) returning 1) select count(*)::int as n from gone`,
    [pgTextArray(metaIds)],
  );
  return row?.n ?? 0;
}

/** Completed data deletions and member erasures, for /metrics (counted from the audit records, so every instance agrees). */
export async function completedDeletionCounts(em: EntityManager): Promise<Array<{ kind: string; n: number }>> {
  return em.execute<Array<{ kind: string; n: number }>>(
    `select 'meta_data_deletion_' || lower(provider::text) as kind, count(*)::int as n from meta_data_deletion where status = 'COMPLETED' group by provider
     union all
     select 'member_erasure', count(*)::int from member_erasure`,
  );
}

import type { EntityManager } from '@mikro-orm/postgresql';
import type { LoginProvider, SocialConnectionStatus } from '../../schema/enums';

/** What the worker needs to know about an account it claimed; one query, no entities. */
export interface DueAccount {
  id: string;
  memberId: string;
  provider: LoginProvider;
  platformUserId: string;
  connectionStatus: SocialConnectionStatus;
  statusReason: string | null;
  lastSyncedAt: Date | null;
  failureCount: number;
  firstFailureAt: Date | null;
  accountTokenSealed: string | null;
  grantId: string | null;
  metaUserId: string | null;
  grantTokenSealed: string | null;
  tokenIssuedAt: Date | null;
  tokenExpiresAt: Date | null;
  dataAccessExpiresAt: Date | null;
  grantLastCheckedAt: Date | null;
}

/**
 * Claims up to `limit` due accounts for `owner` until `leaseUntil`. FOR UPDATE SKIP LOCKED makes
 * concurrent workers take disjoint sets; the lease makes a crashed worker's claims come back once
 * it expires. Only CONNECTED and ERROR accounts are worked on: EXPIRED and DISCONNECTED ones
 * need the member to reconnect.
 */
export async function claimDueAccounts(em: EntityManager, owner: string, now: Date, leaseUntil: Date, limit: number): Promise<DueAccount[]> {
  const claimed = await em.execute<Array<{ id: string }>>(
    `with due as (
       select id from social_account
        where next_check_at <= ? and connection_status in ('CONNECTED', 'ERROR')
          and (lease_until is null or lease_until < ?)
        order by next_check_at
        limit ?
        for update skip locked
     )
     update social_account a set lease_until = ?, lease_owner = ?
       from due where a.id = due.id
     returning a.id`,
    [now, now, limit, leaseUntil, owner],
  );
  if (claimed.length === 0) return [];
  const rows = await em.execute<Array<Record<string, unknown>>>(
    `select a.id, a.member_id, a.provider, a.platform_user_id, a.connection_status, a.status_reason, a.last_synced_at,
            a.failure_count, a.first_failure_at, a.token_encrypted as account_token, g.id as grant_id, g.meta_user_id,
            g.token_encrypted as grant_token, g.token_issued_at, g.token_expires_at, g.data_access_expires_at,
            g.last_checked_at as grant_last_checked_at
       from social_account a left join meta_grant g on g.id = a.grant_id
      where a.id = any(?::uuid[])`,
    [claimed.map((c) => c.id)],
  );
  return rows.map((r) => ({
    id: r.id as string,
    memberId: r.member_id as string,
    provider: r.provider as LoginProvider,
    platformUserId: r.platform_user_id as string,
    connectionStatus: r.connection_status as SocialConnectionStatus,
    statusReason: (r.status_reason as string | null) ?? null,
    lastSyncedAt: toDate(r.last_synced_at),
    failureCount: Number(r.failure_count ?? 0),
    firstFailureAt: toDate(r.first_failure_at),
    accountTokenSealed: (r.account_token as string | null) ?? null,
    grantId: (r.grant_id as string | null) ?? null,
    metaUserId: (r.meta_user_id as string | null) ?? null,
    grantTokenSealed: (r.grant_token as string | null) ?? null,
    tokenIssuedAt: toDate(r.token_issued_at),
    tokenExpiresAt: toDate(r.token_expires_at),
    dataAccessExpiresAt: toDate(r.data_access_expires_at),
    grantLastCheckedAt: toDate(r.grant_last_checked_at),
  }));
}

function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value : new Date(value as string);
}

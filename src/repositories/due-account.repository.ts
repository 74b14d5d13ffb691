import type { EntityManager } from '@mikro-orm/postgresql';
import { pgUuidArray } from '../database/sql';
import { SocialConnectionStatus, type LoginProvider } from '../domain/social-account';
import { priceFor, type PricePolicy } from '../domain/price-policy';
import type { InstagramProfile } from '../domain/instagram-profile';

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
  username: string;
  /** Facebook flow: the Page the account is reached through. */
  pageId: string | null;
  pageName: string | null;
  /** EXPIRED for a user-fixable cause: re-checked until then. */
  recheckUntil: Date | null;
}

/**
 * What the worker learnt about one account. Fields left undefined keep their stored value.
 * Written in bulk; status changes are not part of it (they go through AccountService).
 */
export interface AccountOutcome {
  id: string;
  /** The status the worker saw when it claimed the account; a row that changed since is left alone. */
  expectedStatus: SocialConnectionStatus;
  nextCheckAt: Date;
  failureCount: number;
  firstFailureAt: Date | null;
  lastFailureReason?: string | null;
  profile?: InstagramProfile;
  syncedAt?: Date;
  pricePolicy?: PricePolicy;
  tokenExpiresAt?: Date | null;
  needsReconnectBy?: Date | null;
  statusReason?: string | null;
}

/**
 * The lifecycle worker's statements on `social_account`: claiming due accounts under a lease,
 * writing a batch's outcomes, moving leases and due times. Raw SQL on purpose: each is one
 * statement for a whole batch, guarded by the lease owner, which the unit of work cannot express.
 */
export class DueAccountRepository {
  constructor(private readonly em: EntityManager) {}

  /**
   * Claims up to `limit` due accounts for `owner` until `leaseUntil`. FOR UPDATE SKIP LOCKED makes
   * concurrent workers take disjoint sets; the lease makes a crashed worker's claims come back once
   * it expires. Only CONNECTED and ERROR accounts are worked on, plus EXPIRED ones inside their
   * bounded re-check window (user-fixable expiries); other EXPIRED and DISCONNECTED ones need the
   * member to reconnect.
   */
  async claim(owner: string, now: Date, leaseUntil: Date, limit: number): Promise<DueAccount[]> {
    const claimed = await this.em.execute<Array<{ id: string }>>(
      `with due as (
         select id from social_account
          where next_check_at <= ?
            and (connection_status in ('CONNECTED', 'ERROR') or (connection_status = 'EXPIRED' and recheck_until > ?))
            and (lease_until is null or lease_until < ?)
          order by next_check_at
          limit ?
          for update skip locked
       )
       update social_account a set lease_until = ?, lease_owner = ?
         from due where a.id = due.id
       returning a.id`,
      [now, now, now, limit, leaseUntil, owner],
    );
    if (claimed.length === 0) return [];
    const rows = await this.em.execute<Array<Record<string, unknown>>>(
      `select a.id, a.member_id, a.provider, a.platform_user_id, a.connection_status, a.status_reason, a.last_synced_at,
              a.failure_count, a.first_failure_at, a.token_encrypted as account_token, g.id as grant_id, g.meta_user_id,
              g.token_encrypted as grant_token, g.token_issued_at, g.token_expires_at, g.data_access_expires_at,
              g.last_checked_at as grant_last_checked_at, a.username, a.page_id, a.page_name, a.recheck_until
         from social_account a left join meta_grant g on g.id = a.grant_id
        where a.id = any(?::uuid[])`,
      [pgUuidArray(claimed.map((c) => c.id))],
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
      username: r.username as string,
      pageId: (r.page_id as string | null) ?? null,
      pageName: (r.page_name as string | null) ?? null,
      recheckUntil: toDate(r.recheck_until),
    }));
  }

  /**
   * One UPDATE for a whole batch (jsonb_to_recordset), guarded by the lease owner and the status
   * seen at claim time, so a disconnect or reconnect that happened meanwhile is never overwritten.
   * `updated_at` moves to `now` for every account whose visible data changed (profile, figures,
   * token deadline, reconnect deadline, reason), not for bookkeeping alone (next check, counters).
   */
  async applyOutcomes(owner: string, outcomes: AccountOutcome[], now: Date): Promise<number> {
    if (outcomes.length === 0) return 0;
    const records = outcomes.map((o) => {
      const price = o.profile && o.pricePolicy ? priceFor(o.profile.followersCount, o.pricePolicy) : undefined;
      return {
        id: o.id,
        expected_status: o.expectedStatus,
        next_check_at: o.nextCheckAt.toISOString(),
        failure_count: o.failureCount,
        first_failure_at: o.firstFailureAt?.toISOString() ?? null,
        set_failure_reason: o.lastFailureReason !== undefined,
        last_failure_reason: o.lastFailureReason ?? null,
        has_profile: Boolean(o.profile && price),
        username: o.profile?.username ?? null,
        name: o.profile?.name ?? null,
        profile_picture_url: o.profile?.profilePictureUrl ?? null,
        biography: o.profile?.biography ?? null,
        website: o.profile?.website ?? null,
        followers_count: o.profile?.followersCount ?? 0,
        following_count: o.profile?.followingCount ?? 0,
        media_count: o.profile?.mediaCount ?? 0,
        account_type: o.profile?.accountType ?? null,
        price_tier: price?.tier ?? null,
        price: price?.price ?? 0,
        currency: price?.currency ?? null,
        synced_at: o.syncedAt?.toISOString() ?? null,
        set_token_expires_at: o.tokenExpiresAt !== undefined,
        token_expires_at: o.tokenExpiresAt?.toISOString() ?? null,
        set_needs_reconnect_by: o.needsReconnectBy !== undefined,
        needs_reconnect_by: o.needsReconnectBy?.toISOString() ?? null,
        set_status_reason: o.statusReason !== undefined,
        status_reason: o.statusReason ?? null,
      };
    });
    const profile = (column: string) => `${column} = case when r.has_profile then r.${column} else a.${column} end`;
    const optional = (column: string, flag: string) => `${column} = case when r.${flag} then r.${column} else a.${column} end`;
    const rows = await this.em.execute<Array<{ id: string }>>(
      `update social_account a set
          next_check_at = r.next_check_at,
          failure_count = r.failure_count,
          first_failure_at = r.first_failure_at,
          ${optional('last_failure_reason', 'set_failure_reason')},
          username = case when r.has_profile and r.username <> '' then r.username else a.username end,
          ${['name', 'profile_picture_url', 'biography', 'website', 'followers_count', 'following_count', 'media_count', 'price_tier', 'price', 'currency'].map(profile).join(',\n        ')},
          account_type = case when r.has_profile and r.account_type is not null then r.account_type else a.account_type end,
          last_synced_at = case when r.has_profile then r.synced_at else a.last_synced_at end,
          ${optional('token_expires_at', 'set_token_expires_at')},
          ${optional('needs_reconnect_by', 'set_needs_reconnect_by')},
          ${optional('status_reason', 'set_status_reason')},
          version = a.version + 1,
          updated_at = case when r.has_profile or r.set_token_expires_at or r.set_needs_reconnect_by or r.set_status_reason then ?::timestamptz
                            else a.updated_at end
         from jsonb_to_recordset(?::jsonb) as r(
          id uuid, expected_status text, next_check_at timestamptz, failure_count int, first_failure_at timestamptz,
          set_failure_reason boolean, last_failure_reason text, has_profile boolean, username text, name text,
          profile_picture_url text, biography text, website text, followers_count int, following_count int, media_count int,
          account_type text, price_tier text, price bigint, currency text, synced_at timestamptz,
          set_token_expires_at boolean, token_expires_at timestamptz, set_needs_reconnect_by boolean, needs_reconnect_by timestamptz,
          set_status_reason boolean, status_reason text)
        where a.id = r.id and a.lease_owner = ? and a.connection_status = r.expected_status
        returning a.id`,
      [now, JSON.stringify(records), owner],
    );
    return rows.length;
  }

  /**
   * Moves only the next check time (the worker could not look at the accounts, e.g. Meta refused
   * our app token): status, reason and failure counters are left exactly as they are.
   */
  async postpone(owner: string, ids: string[], at: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.em.execute('update social_account set next_check_at = ? where id = any(?::uuid[]) and lease_owner = ?', [at, pgUuidArray(ids), owner]);
  }

  /** Gives claimed accounts back (whatever happened to them), so the next due time alone decides. */
  async releaseLeases(owner: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.em.execute('update social_account set lease_until = null, lease_owner = null where id = any(?::uuid[]) and lease_owner = ?', [
      pgUuidArray(ids),
      owner,
    ]);
  }

  /** Pushes the lease of `ids` to `until`; returns the ids that are still this owner's. */
  async extendLeases(owner: string, ids: string[], until: Date): Promise<Set<string>> {
    const rows = await this.em.execute<Array<{ id: string }>>(
      'update social_account set lease_until = ? where id = any(?::uuid[]) and lease_owner = ? returning id',
      [until, pgUuidArray(ids), owner],
    );
    return new Set(rows.map((r) => r.id));
  }

  /** The grant's accounts still in use, except `excludeIds` (those the batch decides itself). */
  async liveAccountIdsOfGrant(grantId: string, excludeIds: string[]): Promise<string[]> {
    const rows = await this.em.execute<Array<{ id: string }>>(
      `select id from social_account where grant_id = ? and connection_status <> 'DISCONNECTED' and not (id = any(?::uuid[]))`,
      [grantId, pgUuidArray(excludeIds)],
    );
    return rows.map((r) => r.id);
  }

  // --- EXPIRED accounts in their re-check window (user-fixable expiries) ----------------------

  /** The re-check window is over: the account stays EXPIRED and is no longer due. */
  async stopRechecking(owner: string, id: string): Promise<void> {
    await this.em.execute('update social_account set recheck_until = null, next_check_at = null where id = ? and lease_owner = ? and connection_status = ?', [
      id,
      owner,
      SocialConnectionStatus.EXPIRED,
    ]);
  }

  /** Another failed re-check: counted, and the next one scheduled. */
  async scheduleRecheck(owner: string, id: string, attempts: number, next: Date): Promise<void> {
    await this.em.execute('update social_account set failure_count = ?, next_check_at = ? where id = ? and lease_owner = ? and connection_status = ?', [
      attempts,
      next,
      id,
      owner,
      SocialConnectionStatus.EXPIRED,
    ]);
  }

  /** A re-checked account that is CONNECTED again: clean counters, due at once for the regular checks. */
  async resumeRegularChecks(id: string, now: Date): Promise<void> {
    await this.em.execute(
      `update social_account set recheck_until = null, failure_count = 0, first_failure_at = null, last_failure_reason = null, next_check_at = ?
        where id = ? and connection_status = ?`,
      [now, id, SocialConnectionStatus.CONNECTED],
    );
  }
}

function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value : new Date(value as string);
}

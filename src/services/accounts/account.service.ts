import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../clock';
import { MetaGrant, SocialAccount } from '../../entities';
import { AppError, ErrorCode, appErrorFromMeta } from '../../errors';
import type { Logger } from '../../logger';
import { LoginProvider, SocialConnectionStatus, SocialPlatform } from '../../domain/social-account';
import { MetaAuthError, MetaError, MetaPermissionError } from '../meta/errors';
import type { FacebookClient } from '../meta/facebook-client';
import type { InstagramClient } from '../meta/instagram-client';
import { normalizeProfile, type InstagramProfile } from '../../domain/instagram-profile';
import type { TokenVault } from '../tokens/token-vault';
import { permissionReason } from '../meta/grant-reach';
import type { AccountSnapshot } from '../../entities/account-snapshot';
import { facebookDeadlineInputs, listAccountSnapshots } from '../../repositories/social-account.repository';
import { facebookDeadline } from './facebook-deadline';
import { isUserFixable, nextRecheckAt, RECHECK_FOR_MS } from './user-fixable-expiry';
import type { AccountStatusService } from './account-status.service';
import { priceFor, type PricePolicy } from '../../domain/price-policy';
import { countAccountsRelyingOnMetaUser, lockMetaUser, metaUserOfGrant } from '../../repositories/meta-grant.repository';
import { canRevoke } from './shared-meta-user';
import { recordDay, refreshSoonIfStale } from '../../repositories/account-metrics.repository';
import { utcDay } from '../../domain/growth';
import { describeError } from '../../describe-error';

export interface GrantInput {
  provider: LoginProvider;
  metaUserId: string;
  /** Instagram flow: the app-scoped id /me answers in `id`, kept so callbacks carrying it match. */
  appScopedUserId?: string | null;
  token: string;
  tokenIssuedAt: Date;
  tokenExpiresAt: Date | null;
  dataAccessExpiresAt: Date | null;
  scopes: string[];
}

export interface LinkedAccountInput {
  profile: InstagramProfile;
  /** Page token, for the Facebook flow. */
  pageToken?: string;
  /** The Page the account is reached through (Facebook flow), named when it is lost. */
  page?: { id: string; name: string };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DISCONNECTED_BY_MEMBER = 'Disconnected by the member.';

/**
 * Linked accounts: list, link (upsert), sync, disconnect. Every status change goes through
 * AccountStatusService.transition inside a transaction; Meta is never called with a
 * transaction open.
 */
export class AccountService {
  constructor(
    private readonly deps: {
      clock: Clock;
      logger: Logger;
      status: AccountStatusService;
      vault: TokenVault;
      facebook: FacebookClient;
      instagram: InstagramClient;
      pricePolicy: PricePolicy;
      syncIntervalMs: number;
      /** Creator metrics older than this are refreshed at the worker's next sweep after a member's sync. */
      metricsStaleMs?: number;
    },
  ) {}

  /** Newest first. Without statuses: everything but DISCONNECTED. Read-only snapshots, not entities (see src/repositories/account-snapshots.ts). */
  async list(em: EntityManager, memberId: string, statuses?: SocialConnectionStatus[] | null): Promise<AccountSnapshot[]> {
    const wanted = statuses && statuses.length > 0 ? [...new Set(statuses)] : undefined;
    return listAccountSnapshots(em, memberId, wanted);
  }

  /** The member's account, or null: another member's account looks exactly like a missing one. */
  /** `refresh`: read the row again even when this EntityManager already holds it. */
  async find(em: EntityManager, memberId: string, id: string, options: { refresh?: boolean } = {}): Promise<SocialAccount | null> {
    assertAccountId(id);
    return em.findOne(SocialAccount, { id, memberId }, options);
  }

  async get(em: EntityManager, memberId: string, id: string, options: { refresh?: boolean } = {}): Promise<SocialAccount> {
    const account = await this.find(em, memberId, id, options);
    if (!account) throw new AppError(ErrorCode.NOT_FOUND, 'No such account.');
    return account;
  }

  /**
   * Stores a grant and the accounts it reaches, in one transaction. Reconnecting revives an
   * existing account in place (same id): new tokens, CONNECTED, a fresh connectedAt.
   */
  async link(em: EntityManager, memberId: string, grantInput: GrantInput, linked: LinkedAccountInput[]): Promise<SocialAccount[]> {
    // Two concurrent connects of one account can both try to insert; the loser retries as an update.
    for (let attempt = 1; ; attempt++) {
      try {
        return await em.transactional((tx) => this.linkInTransaction(tx, memberId, grantInput, linked));
      } catch (error) {
        if (!(error instanceof UniqueConstraintViolationException) || attempt >= 3) throw error;
        em.clear();
      }
    }
  }

  private async linkInTransaction(em: EntityManager, memberId: string, input: GrantInput, linked: LinkedAccountInput[]) {
    const now = this.deps.clock.now();
    let grant = await em.findOne(MetaGrant, { memberId, provider: input.provider, metaUserId: input.metaUserId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    grant ??= em.create(MetaGrant, { memberId, provider: input.provider, metaUserId: input.metaUserId, createdAt: now, updatedAt: now });
    this.deps.vault.sealGrant(grant, input.token);
    grant.tokenIssuedAt = input.tokenIssuedAt;
    grant.tokenExpiresAt = input.tokenExpiresAt;
    grant.dataAccessExpiresAt = input.dataAccessExpiresAt;
    grant.scopes = input.scopes;
    if (input.appScopedUserId) grant.appScopedUserId = input.appScopedUserId;

    const ids = linked.map((l) => l.profile.platformUserId);
    const existing = await em.find(
      SocialAccount,
      { memberId, platform: SocialPlatform.INSTAGRAM, platformUserId: { $in: ids } },
      { lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    const byPlatformId = new Map(existing.map((a) => [a.platformUserId, a]));
    const accounts: SocialAccount[] = [];
    for (const { profile, pageToken, page } of linked) {
      let account = byPlatformId.get(profile.platformUserId);
      const created = !account;
      account ??= em.create(SocialAccount, {
        memberId,
        platform: SocialPlatform.INSTAGRAM,
        provider: input.provider,
        platformUserId: profile.platformUserId,
        username: profile.username,
        connectedAt: now,
        createdAt: now,
        updatedAt: now,
      });
      account.provider = input.provider;
      account.grant = em.getReference(MetaGrant, grant.id, { wrapped: true });
      if (pageToken) this.deps.vault.sealAccount(account, pageToken);
      else account.tokenEncrypted = null;
      this.applyProfile(account, profile);
      account.connectedAt = now;
      account.tokenExpiresAt = input.provider === LoginProvider.INSTAGRAM ? input.tokenExpiresAt : null;
      account.needsReconnectBy =
        input.provider === LoginProvider.FACEBOOK
          ? facebookDeadline({
              now,
              hasPageToken: Boolean(pageToken),
              userTokenExpiresAt: input.tokenExpiresAt,
              dataAccessExpiresAt: input.dataAccessExpiresAt,
            }).needsReconnectBy
          : null;
      if (page) {
        account.pageId = page.id;
        account.pageName = page.name;
      }
      account.recheckUntil = null;
      account.failureCount = 0;
      account.firstFailureAt = null;
      account.lastFailureReason = null;
      account.nextCheckAt = new Date(now.getTime() + this.deps.syncIntervalMs);
      await this.deps.status.transition(em, account, SocialConnectionStatus.CONNECTED, null, { created });
      accounts.push(account);
    }
    return accounts;
  }

  /** Fresh profile figures from Meta. Meta failures are classified into statuses, then surfaced. */
  async sync(em: EntityManager, memberId: string, id: string): Promise<SocialAccount> {
    const account = await this.get(em, memberId, id);
    if (account.connectionStatus === SocialConnectionStatus.DISCONNECTED) throw accountDisconnected();
    let profile: InstagramProfile;
    try {
      profile = await this.fetchProfile(em, account);
    } catch (error) {
      if (!(error instanceof MetaError)) throw error;
      const reason = await this.recordFailure(em, account.id, error);
      if (error instanceof MetaPermissionError && reason) {
        throw new AppError(ErrorCode.PERMISSION_MISSING, reason, { metaCode: error.code ?? null, metaSubcode: error.subcode ?? null });
      }
      throw appErrorFromMeta(error);
    }
    const synced = await em.transactional(async (tx) => {
      const fresh = await this.lock(tx, account.id);
      if (fresh.connectionStatus === SocialConnectionStatus.DISCONNECTED) throw accountDisconnected();
      this.applyProfile(fresh, profile);
      fresh.failureCount = 0;
      fresh.firstFailureAt = null;
      fresh.lastFailureReason = null;
      fresh.nextCheckAt = new Date(this.deps.clock.now().getTime() + this.deps.syncIntervalMs);
      // A working token is the truth (an account that failed before is connected again), within
      // the deadlines Meta set: the same rule the worker applies, so the two never disagree.
      const expiredReason = fresh.provider === LoginProvider.FACEBOOK ? await this.facebookExpiry(tx, fresh) : null;
      if (expiredReason) {
        fresh.nextCheckAt = null;
        await this.deps.status.transition(tx, fresh, SocialConnectionStatus.EXPIRED, expiredReason);
      } else {
        fresh.recheckUntil = null;
        await this.deps.status.transition(tx, fresh, SocialConnectionStatus.CONNECTED, null);
      }
      return fresh;
    });
    // Today's growth snapshot (docs/creator-metrics.md): the figures just read, the day's engagement rate kept.
    const now = this.deps.clock.now();
    const figures = { followers: synced.followersCount, following: synced.followingCount, mediaCount: synced.mediaCount, engagementRate: null };
    try {
      await recordDay(em, synced.id, utcDay(now), figures, now);
      if (this.deps.metricsStaleMs) await refreshSoonIfStale(em, synced.id, new Date(now.getTime() - this.deps.metricsStaleMs), now);
    } catch (error) {
      // The sync is committed; a missed snapshot is written by the metrics refresh later today.
      this.deps.logger.warn({ accountId: synced.id, err: describeError(error) }, 'could not record the growth snapshot after a sync');
    }
    return synced;
  }

  /** facebookDeadline for a stored account: the reason it is EXPIRED now, or null. Updates needsReconnectBy. */
  private async facebookExpiry(em: EntityManager, account: SocialAccount): Promise<string | null> {
    const row = await facebookDeadlineInputs(em, account.id);
    if (!row) return null;
    const toDate = (v: Date | string | null) => (v === null ? null : new Date(v));
    const deadline = facebookDeadline({
      now: this.deps.clock.now(),
      hasPageToken: row.has_page_token,
      userTokenExpiresAt: toDate(row.token_expires_at),
      dataAccessExpiresAt: toDate(row.data_access_expires_at),
    });
    account.needsReconnectBy = deadline.needsReconnectBy;
    return deadline.expiredReason;
  }

  /** Calls Meta for the account's current profile with the token it depends on. */
  async fetchProfile(em: EntityManager, account: SocialAccount): Promise<InstagramProfile> {
    const tokens = await this.deps.vault.tokensFor(em, account.id);
    if (account.provider === LoginProvider.FACEBOOK) {
      const token = tokens.accountToken ?? tokens.grantToken;
      if (!token) throw new MetaAuthError({ message: 'no stored token', code: 190 });
      return normalizeProfile(await this.deps.facebook.instagramProfile(account.platformUserId, token), account.platformUserId);
    }
    if (!tokens.grantToken) throw new MetaAuthError({ message: 'no stored token', code: 190 });
    const raw = await this.deps.instagram.me(tokens.grantToken);
    return normalizeProfile(raw, account.platformUserId);
  }

  /**
   * What a Meta failure means for an account's status: 190/458 → DISCONNECTED (app removed),
   * other 190 → EXPIRED with the cause, permission → ERROR. Rate limits and transient faults
   * leave the status alone: Meta having a bad minute is not the member's problem.
   * A user-fixable expiry (459/464) is re-checked by the worker for a bounded time.
   * Returns the statusReason written (null when nothing was).
   */
  async recordFailure(em: EntityManager, accountId: string, error: MetaError): Promise<string | null> {
    if (!(error instanceof MetaAuthError) && !(error instanceof MetaPermissionError)) return null;
    return em.transactional(async (tx) => {
      const account = await this.lock(tx, accountId);
      if (account.connectionStatus === SocialConnectionStatus.DISCONNECTED) return null;
      if (error instanceof MetaAuthError && error.appRemoved) {
        account.tokenEncrypted = null;
        account.nextCheckAt = null;
        await this.deps.status.transition(tx, account, SocialConnectionStatus.DISCONNECTED, error.reason);
        return error.reason;
      }
      if (error instanceof MetaAuthError) {
        const wasExpired = account.connectionStatus === SocialConnectionStatus.EXPIRED;
        if (isUserFixable(error.subcode)) {
          // Keep an ongoing re-check window; start one when the account just expired.
          const now = this.deps.clock.now();
          if (!wasExpired || !account.recheckUntil) {
            account.recheckUntil = new Date(now.getTime() + RECHECK_FOR_MS);
            account.failureCount = 0;
            account.nextCheckAt = nextRecheckAt(now, 0, account.recheckUntil);
          }
        } else account.recheckUntil = null;
        await this.deps.status.transition(tx, account, SocialConnectionStatus.EXPIRED, error.reason);
        return error.reason;
      }
      const reason = permissionReason(account, error);
      await this.deps.status.transition(tx, account, SocialConnectionStatus.ERROR, reason);
      return reason;
    });
  }

  /**
   * A status change decided outside a Meta error (a token that ran out, failures for too long, a
   * recovery). Locks the account; never touches a DISCONNECTED one, which only a reconnect revives.
   * Returns whether the status changed (and an event went out).
   */
  async changeStatus(em: EntityManager, accountId: string, to: SocialConnectionStatus, reason: string | null): Promise<boolean> {
    return em.transactional(async (tx) => {
      const account = await this.lock(tx, accountId);
      if (account.connectionStatus === SocialConnectionStatus.DISCONNECTED) return false;
      if (to !== SocialConnectionStatus.CONNECTED && to !== SocialConnectionStatus.ERROR) account.nextCheckAt = null;
      return this.deps.status.transition(tx, account, to, reason);
    });
  }

  /**
   * Idempotent. Deletes the account's tokens and marks it DISCONNECTED; the member's grant token
   * goes too once none of the member's accounts uses it. The Facebook grant is revoked at Meta
   * only when no account of ANY member still relies on that Facebook user (see
   * shared-meta-user.ts); a failed revoke is logged, never fatal: the member asked to disconnect
   * and is disconnected.
   */
  async disconnect(em: EntityManager, memberId: string, id: string): Promise<SocialAccount> {
    const current = await this.get(em, memberId, id);
    if (current.connectionStatus === SocialConnectionStatus.DISCONNECTED) return current;
    const tokens = await this.deps.vault.readableTokensFor(em, id);
    let revoke: { metaUserId: string; provider: LoginProvider } | undefined;
    const account = await em.transactional(async (t) => {
      const account = await this.lock(t, id);
      if (account.connectionStatus === SocialConnectionStatus.DISCONNECTED) return account;
      account.tokenEncrypted = null;
      account.nextCheckAt = null;
      account.needsReconnectBy = null;
      await this.deps.status.transition(t, account, SocialConnectionStatus.DISCONNECTED, DISCONNECTED_BY_MEMBER);
      const grantId = account.grant?.id;
      if (grantId) {
        const metaUser = await metaUserOfGrant(t, grantId);
        // Before any count: disconnects of accounts on one Meta user (any member) decide in turn.
        const revocable = metaUser !== undefined && canRevoke(metaUser.provider);
        if (revocable) await lockMetaUser(t, metaUser.provider, metaUser.meta_user_id);
        const others = await t.count(SocialAccount, {
          grant: grantId,
          id: { $ne: account.id },
          connectionStatus: { $ne: SocialConnectionStatus.DISCONNECTED },
        });
        if (others === 0) {
          const grant = await t.findOneOrFail(MetaGrant, grantId, { lockMode: LockMode.PESSIMISTIC_WRITE });
          grant.tokenEncrypted = null;
          // The revoke ends the Meta user's authorization for every member: only when nobody relies on it.
          if (revocable && (await countAccountsRelyingOnMetaUser(t, grant.provider, grant.metaUserId, account.id)) === 0) {
            revoke = { metaUserId: grant.metaUserId, provider: grant.provider };
          }
        }
      }
      return account;
    });
    if (revoke && tokens.grantToken) {
      try {
        await this.deps.facebook.revokePermissions(revoke.metaUserId, tokens.grantToken);
      } catch (error) {
        const meta = error instanceof MetaError ? { code: error.code, subcode: error.subcode, kind: error.kind } : {};
        this.deps.logger.warn({ accountId: id, ...meta, err: describeError(error) }, 'revoking the Facebook grant failed; the account is disconnected anyway');
      }
    }
    return account;
  }

  applyProfile(account: SocialAccount, profile: InstagramProfile): void {
    account.username = profile.username || account.username;
    account.name = profile.name;
    account.profilePictureUrl = profile.profilePictureUrl;
    account.biography = profile.biography;
    account.website = profile.website;
    account.followersCount = profile.followersCount;
    account.followingCount = profile.followingCount;
    account.mediaCount = profile.mediaCount;
    if (profile.accountType) account.accountType = profile.accountType;
    const price = priceFor(profile.followersCount, this.deps.pricePolicy);
    account.priceTier = price.tier;
    account.price = price.price;
    account.currency = price.currency;
    account.lastSyncedAt = this.deps.clock.now();
    account.updatedAt = account.lastSyncedAt;
  }

  async lock(em: EntityManager, id: string): Promise<SocialAccount> {
    return em.findOneOrFail(SocialAccount, id, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
  }
}

function assertAccountId(id: string): void {
  if (typeof id !== 'string' || !UUID.test(id)) throw new AppError(ErrorCode.BAD_USER_INPUT, 'The account id is not a valid id.', { field: 'id' });
}

export function accountDisconnected(): AppError {
  return new AppError(ErrorCode.ACCOUNT_DISCONNECTED, 'This account is disconnected; connect it again to sync it.');
}

import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../clock';
import { MetaGrant, SocialAccount } from '../../entities';
import { AppError, ErrorCode, appErrorFromMeta } from '../../errors';
import type { Logger } from '../../logger';
import { LoginProvider, SocialConnectionStatus, SocialPlatform } from '../../schema/enums';
import { MetaAuthError, MetaError, MetaPermissionError } from '../meta/errors';
import type { FacebookClient } from '../meta/facebook-client';
import type { InstagramClient } from '../meta/instagram-client';
import { normalizeProfile, type InstagramProfile } from '../meta/profile';
import type { TokenVault } from '../tokens/token-vault';
import { listAccountSnapshots, type AccountSnapshot } from './account-snapshots';
import type { AccountStatusService } from './account-status.service';
import { priceFor, type PricePolicy } from './price-policy';

export interface GrantInput {
  provider: LoginProvider;
  metaUserId: string;
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
    },
  ) {}

  /** Newest first. Without statuses: everything but DISCONNECTED. Read-only snapshots, not entities (see account-snapshots.ts). */
  async list(em: EntityManager, memberId: string, statuses?: SocialConnectionStatus[] | null): Promise<AccountSnapshot[]> {
    const wanted = statuses && statuses.length > 0 ? [...new Set(statuses)] : undefined;
    return listAccountSnapshots(em, memberId, wanted);
  }

  /** The member's account, or null: another member's account looks exactly like a missing one. */
  async find(em: EntityManager, memberId: string, id: string): Promise<SocialAccount | null> {
    assertAccountId(id);
    return em.findOne(SocialAccount, { id, memberId });
  }

  async get(em: EntityManager, memberId: string, id: string): Promise<SocialAccount> {
    const account = await this.find(em, memberId, id);
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
        return await em.transactional((tx) => this.linkInTransaction(tx as EntityManager, memberId, grantInput, linked));
      } catch (error) {
        if (!(error instanceof UniqueConstraintViolationException) || attempt >= 3) throw error;
        em.clear();
      }
    }
  }

  private async linkInTransaction(em: EntityManager, memberId: string, input: GrantInput, linked: LinkedAccountInput[]) {
    const now = this.deps.clock.now();
    let grant = await em.findOne(
      MetaGrant,
      { memberId, provider: input.provider, metaUserId: input.metaUserId },
      { lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    grant ??= em.create(MetaGrant, { memberId, provider: input.provider, metaUserId: input.metaUserId, createdAt: now, updatedAt: now });
    this.deps.vault.sealGrant(grant, input.token);
    grant.tokenIssuedAt = input.tokenIssuedAt;
    grant.tokenExpiresAt = input.tokenExpiresAt;
    grant.dataAccessExpiresAt = input.dataAccessExpiresAt;
    grant.scopes = input.scopes;

    const ids = linked.map((l) => l.profile.platformUserId);
    const existing = await em.find(
      SocialAccount,
      { memberId, platform: SocialPlatform.INSTAGRAM, platformUserId: { $in: ids } },
      { lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    const byPlatformId = new Map(existing.map((a) => [a.platformUserId, a]));
    const accounts: SocialAccount[] = [];
    for (const { profile, pageToken } of linked) {
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
      account.needsReconnectBy = input.provider === LoginProvider.FACEBOOK ? earliest(input.tokenExpiresAt, input.dataAccessExpiresAt) : null;
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
      await this.recordFailure(em, account.id, error);
      throw appErrorFromMeta(error);
    }
    return em.transactional(async (tx) => {
      const fresh = await this.lock(tx as EntityManager, account.id);
      if (fresh.connectionStatus === SocialConnectionStatus.DISCONNECTED) throw accountDisconnected();
      this.applyProfile(fresh, profile);
      fresh.failureCount = 0;
      fresh.firstFailureAt = null;
      fresh.lastFailureReason = null;
      fresh.nextCheckAt = new Date(this.deps.clock.now().getTime() + this.deps.syncIntervalMs);
      // A working token is the truth: an account that failed before is connected again.
      await this.deps.status.transition(tx as EntityManager, fresh, SocialConnectionStatus.CONNECTED, null);
      return fresh;
    });
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
   */
  async recordFailure(em: EntityManager, accountId: string, error: MetaError): Promise<void> {
    if (!(error instanceof MetaAuthError) && !(error instanceof MetaPermissionError)) return;
    await em.transactional(async (tx) => {
      const account = await this.lock(tx as EntityManager, accountId);
      if (account.connectionStatus === SocialConnectionStatus.DISCONNECTED) return;
      if (error instanceof MetaAuthError && error.appRemoved) {
        account.tokenEncrypted = null;
        account.nextCheckAt = null;
        await this.deps.status.transition(tx as EntityManager, account, SocialConnectionStatus.DISCONNECTED, error.reason);
      } else if (error instanceof MetaAuthError) {
        await this.deps.status.transition(tx as EntityManager, account, SocialConnectionStatus.EXPIRED, error.reason);
      } else {
        await this.deps.status.transition(
          tx as EntityManager,
          account,
          SocialConnectionStatus.ERROR,
          `A required permission is missing or was removed (Meta code ${error.code ?? 'unknown'}); reconnect and allow every permission.`,
        );
      }
    });
  }

  /**
   * A status change decided outside a Meta error (a token that ran out, failures for too long, a
   * recovery). Locks the account; never touches a DISCONNECTED one, which only a reconnect revives.
   * Returns whether the status changed (and an event went out).
   */
  async changeStatus(em: EntityManager, accountId: string, to: SocialConnectionStatus, reason: string | null): Promise<boolean> {
    return em.transactional(async (tx) => {
      const account = await this.lock(tx as EntityManager, accountId);
      if (account.connectionStatus === SocialConnectionStatus.DISCONNECTED) return false;
      if (to !== SocialConnectionStatus.CONNECTED && to !== SocialConnectionStatus.ERROR) account.nextCheckAt = null;
      return this.deps.status.transition(tx as EntityManager, account, to, reason);
    });
  }

  /**
   * Idempotent. Deletes the account's tokens and marks it DISCONNECTED. The Facebook grant is
   * revoked at Meta only when no other linked account of the member still uses it; a failed
   * revoke is logged, never fatal: the member asked to disconnect and is disconnected.
   */
  async disconnect(em: EntityManager, memberId: string, id: string): Promise<SocialAccount> {
    const current = await this.get(em, memberId, id);
    if (current.connectionStatus === SocialConnectionStatus.DISCONNECTED) return current;
    const tokens = await this.deps.vault.readableTokensFor(em, id);
    let revoke: { metaUserId: string; provider: LoginProvider } | undefined;
    const account = await em.transactional(async (tx) => {
      const t = tx as EntityManager;
      const account = await this.lock(t, id);
      if (account.connectionStatus === SocialConnectionStatus.DISCONNECTED) return account;
      account.tokenEncrypted = null;
      account.nextCheckAt = null;
      account.needsReconnectBy = null;
      await this.deps.status.transition(t, account, SocialConnectionStatus.DISCONNECTED, DISCONNECTED_BY_MEMBER);
      const grantId = account.grant?.id;
      if (grantId) {
        const others = await t.count(SocialAccount, {
          grant: grantId,
          id: { $ne: account.id },
          connectionStatus: { $ne: SocialConnectionStatus.DISCONNECTED },
        });
        if (others === 0) {
          const grant = await t.findOneOrFail(MetaGrant, grantId, { lockMode: LockMode.PESSIMISTIC_WRITE });
          grant.tokenEncrypted = null;
          revoke = { metaUserId: grant.metaUserId, provider: grant.provider };
        }
      }
      return account;
    });
    if (revoke?.provider === LoginProvider.FACEBOOK && tokens.grantToken) {
      try {
        await this.deps.facebook.revokePermissions(revoke.metaUserId, tokens.grantToken);
      } catch (error) {
        this.deps.logger.warn({ accountId: id, err: (error as Error).message }, 'revoking the Facebook grant failed; the account is disconnected anyway');
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
  }

  async lock(em: EntityManager, id: string): Promise<SocialAccount> {
    return em.findOneOrFail(SocialAccount, id, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
  }
}

export function assertAccountId(id: string): void {
  if (typeof id !== 'string' || !UUID.test(id)) throw new AppError(ErrorCode.BAD_USER_INPUT, 'The account id is not a valid id.', { field: 'id' });
}

function accountDisconnected(): AppError {
  return new AppError(ErrorCode.ACCOUNT_DISCONNECTED, 'This account is disconnected; connect it again to sync it.');
}

function earliest(...dates: Array<Date | null>): Date | null {
  const present = dates.filter((d): d is Date => d instanceof Date);
  return present.length ? new Date(Math.min(...present.map((d) => d.getTime()))) : null;
}

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Clock } from '../../clock';
import type { WorkerConfig } from '../../config';
import type { Logger } from '../../logger';
import type { Metrics } from '../../metrics';
import { LoginProvider, SocialConnectionStatus } from '../../domain/social-account';
import type { AccountService } from '../accounts/account.service';
import type { PricePolicy } from '../accounts/price-policy';
import { facebookDeadline } from '../accounts/facebook-deadline';
import { isAppCredentialsFailure, MetaAppCredentialsError, MetaAuthError, MetaError, MetaPermissionError, MetaRateLimitError, MetaTransientError } from '../meta/errors';
import { grantReach, lostPageReason, reaches, type GrantReach } from '../meta/grant-reach';
import type { FacebookClient } from '../meta/facebook-client';
import type { InstagramClient } from '../meta/instagram-client';
import { IG_PROFILE_FIELDS, normalizeProfile, type InstagramProfile, type RawInstagramProfile } from '../meta/profile';
import type { TokenVault } from '../tokens/token-vault';
import { AppCredentialsWatch } from './app-credentials';
import {
  applyOutcomes,
  claimDueAccounts,
  pgUuidArray,
  postponeAccounts,
  releaseLeases,
  storeRefreshedGrantTokens,
  type AccountOutcome,
  type DueAccount,
  type GrantTokenWrite,
} from './due-accounts';
import { recheckExpired } from './expiry-recheck';
import { LeaseHeartbeat } from './lease-heartbeat';
import { LifecycleSchedule } from './schedule';
import { UnreadableStoredTokenError } from '../tokens/unreadable-token';

export interface SweepReport {
  claimed: number;
  refreshed: number;
  refreshFailed: number;
  grantChecks: number;
  synced: number;
  /** Non-auth failures that were damped (no status change). */
  deferred: number;
  statusChanges: number;
}

interface Deps {
  orm: MikroORM;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  config: WorkerConfig;
  accounts: AccountService;
  vault: TokenVault;
  facebook: FacebookClient;
  instagram: InstagramClient;
  pricePolicy: PricePolicy;
  /** Status events past their retention, pruned between sweeps (at most once per RETENTION_EVERY_MS). */
  retention?: { prune(): Promise<number> };
}

/** What the worker decided about one account; written in bulk, except status changes. */
interface Decision extends AccountOutcome {
  /** A status change, made through AccountService after the bulk write. */
  change?: { to: SocialConnectionStatus; reason: string | null } | { metaError: MetaError };
  /** A refreshed Instagram token, written for the whole batch before the outcomes. */
  refresh?: GrantTokenWrite;
  /** The account could not be looked at (our app token refused): only its next check moves. */
  postponeTo?: Date;
}

const CONCURRENCY = 16;
const RETENTION_EVERY_MS = 10 * 60_000;
const GRANT_CLAIM_MS = 5 * 60_000;
const day = (date: Date) => date.toISOString().slice(0, 10);

/**
 * Keeps connections alive. Due work lives in PostgreSQL (`social_account.next_check_at`); any
 * number of workers claim small batches with FOR UPDATE SKIP LOCKED and a lease, so each account
 * is handled by one worker at a time and a crashed worker's claims come back when the lease ends.
 *
 * Per account: Instagram tokens are refreshed inside the refresh window; Facebook grants and page
 * tokens are checked with debug_token; profiles are re-synced (Facebook ones through Graph
 * batches). Auth and permission errors change the status through AccountService (so subscribers
 * hear it); anything else is damped with exponential backoff and only becomes ERROR after failing
 * for FAILURE_DAYS_BEFORE_ERROR.
 */
export class LifecycleWorker {
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly schedule: LifecycleSchedule;
  private readonly appCredentials: AppCredentialsWatch;
  private loop?: Promise<void>;
  private stopping = false;
  private wake?: () => void;

  constructor(private readonly deps: Deps) {
    this.schedule = new LifecycleSchedule(deps.config);
    this.appCredentials = new AppCredentialsWatch(deps);
  }

  /** Runs sweeps until stop(); sleeps WORKER_POLL_INTERVAL_MS of real time when nothing is due. */
  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = (async () => {
      while (!this.stopping) {
        try {
          const report = await this.runOnce();
          if (report.claimed > 0) this.deps.logger.info({ ...report }, 'lifecycle sweep done');
        } catch (error) {
          this.deps.logger.error({ err: error }, 'lifecycle sweep failed; retrying after the poll interval');
        }
        await this.pruneEventsWhenDue();
        if (this.stopping) break;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.deps.config.pollIntervalMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    })();
  }

  private lastPruneAt = Number.NEGATIVE_INFINITY;

  private async pruneEventsWhenDue(): Promise<void> {
    if (!this.deps.retention || this.stopping || Date.now() - this.lastPruneAt < RETENTION_EVERY_MS) return;
    this.lastPruneAt = Date.now();
    try {
      await this.deps.retention.prune();
    } catch (error) {
      this.deps.logger.warn({ err: (error as Error).message }, 'pruning old status events failed; retrying later');
    }
  }

  /** Finishes the batch in hand, then stops. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    this.loop = undefined;
  }

  /** Claims and handles batches until nothing is due (or `maxBatches` were handled). */
  async runOnce(maxBatches = Number.POSITIVE_INFINITY): Promise<SweepReport> {
    const report: SweepReport = { claimed: 0, refreshed: 0, refreshFailed: 0, grantChecks: 0, synced: 0, deferred: 0, statusChanges: 0 };
    for (let batches = 0; batches < maxBatches && !this.stopping; batches++) {
      const em = this.deps.orm.em.fork() as EntityManager;
      const now = this.deps.clock.now();
      const leaseUntil = new Date(now.getTime() + this.deps.config.leaseSeconds * 1000);
      const batch = await claimDueAccounts(em, this.owner, now, leaseUntil, this.deps.config.batchSize);
      if (batch.length === 0) break;
      report.claimed += batch.length;
      const ids = batch.map((a) => a.id);
      const heartbeat = new LeaseHeartbeat({ em: em.fork() as EntityManager, clock: this.deps.clock, logger: this.deps.logger, owner: this.owner, leaseSeconds: this.deps.config.leaseSeconds }, ids).start();
      try {
        await this.handleBatch(em, batch, report, heartbeat);
      } finally {
        await heartbeat.stop();
        await releaseLeases(em, this.owner, ids);
      }
    }
    return report;
  }

  private async handleBatch(em: EntityManager, batch: DueAccount[], report: SweepReport, heartbeat: LeaseHeartbeat): Promise<void> {
    const decisions: Decision[] = [];
    // EXPIRED accounts are here only inside their re-check window (user-fixable expiries).
    const expired = batch.filter((a) => a.connectionStatus === SocialConnectionStatus.EXPIRED);
    await eachLimited(expired, CONCURRENCY, async (account) => {
      const deps = { ...this.deps, owner: this.owner };
      if (await recheckExpired(deps, em, account)) report.statusChanges++;
    });
    batch = batch.filter((a) => a.connectionStatus !== SocialConnectionStatus.EXPIRED);
    const instagram = batch.filter((a) => a.provider === LoginProvider.INSTAGRAM);
    await eachLimited(instagram, CONCURRENCY, async (account) => {
      decisions.push(await this.handleInstagram(em, account, report));
    });
    const byGrant = new Map<string, DueAccount[]>();
    for (const account of batch.filter((a) => a.provider === LoginProvider.FACEBOOK)) {
      const key = account.grantId ?? `none:${account.id}`;
      byGrant.set(key, [...(byGrant.get(key) ?? []), account]);
    }
    await eachLimited([...byGrant.values()], Math.max(1, CONCURRENCY / 4), async (group) => {
      decisions.push(...(await this.handleFacebookGrant(em, group, report)));
    });

    // A claim lost despite the heartbeat (e.g. the database was unreachable for a whole lease):
    // its results would be refused by the lease guard anyway; say so instead of failing silently.
    if (heartbeat.lost.size > 0) this.deps.logger.warn({ lost: heartbeat.lost.size }, 'worker lease lost for some accounts; their results are dropped');

    const refreshed = decisions.filter((d) => d.refresh);
    const stored = await storeRefreshedGrantTokens(em, refreshed.map((d) => d.refresh!));
    for (const decision of refreshed) {
      if (stored.has(decision.refresh!.grantId)) {
        report.refreshed++;
        this.deps.metrics.refreshes.inc({ kind: 'instagram_refresh', outcome: 'ok' });
      } else decision.tokenExpiresAt = undefined; // a reconnect replaced the grant meanwhile: it wins
    }
    // Meta refused our app token: these accounts keep everything but their next check time (a
    // token refreshed before that happened was stored above all the same).
    const postponed = decisions.filter((d) => d.postponeTo);
    for (const at of new Set(postponed.map((d) => d.postponeTo!.getTime()))) {
      await postponeAccounts(em, this.owner, postponed.filter((d) => d.postponeTo!.getTime() === at).map((d) => d.id), new Date(at));
    }
    decisions.splice(0, decisions.length, ...decisions.filter((d) => !d.postponeTo));
    await applyOutcomes(em, this.owner, decisions);
    for (const decision of decisions) {
      if (!decision.change) continue;
      const changed =
        'metaError' in decision.change
          ? await this.deps.accounts.recordFailure(em.fork() as EntityManager, decision.id, decision.change.metaError).then(() => true)
          : await this.deps.accounts.changeStatus(em.fork() as EntityManager, decision.id, decision.change.to, decision.change.reason);
      if (changed) report.statusChanges++;
    }
  }

  // --- Business Login for Instagram ----------------------------------------------------------

  private async handleInstagram(em: EntityManager, account: DueAccount, report: SweepReport): Promise<Decision> {
    const now = this.deps.clock.now();
    const decision = this.baseDecision(account);
    let expiresAt = account.tokenExpiresAt;
    if (!account.grantTokenSealed || !account.grantId) {
      return { ...decision, change: { to: SocialConnectionStatus.EXPIRED, reason: 'No Instagram token is stored for this account; reconnect to continue.' } };
    }
    if (expiresAt && expiresAt <= now) {
      return { ...decision, change: { to: SocialConnectionStatus.EXPIRED, reason: `The Instagram access token expired on ${day(expiresAt)}; reconnect to continue.` } };
    }
    let token: string;
    try {
      token = this.deps.vault.openGrantToken(account.grantId, account.grantTokenSealed);
    } catch (error) {
      // Sealed with a key no longer configured: the account needs reconnecting, the sweep goes on.
      if (error instanceof UnreadableStoredTokenError) return { ...decision, change: { metaError: error } };
      throw error;
    }

    let refreshRetryAt: Date | null = null;
    const refreshAt = this.schedule.refreshDueAt(account.tokenIssuedAt, expiresAt);
    // No grant claim needed here: a Business Login grant belongs to exactly one account, and the
    // account's lease already keeps every other worker away from it.
    if (refreshAt && now >= refreshAt) {
      try {
        const fresh = await this.deps.instagram.refresh(token);
        expiresAt = new Date(now.getTime() + fresh.expiresIn * 1000);
        token = fresh.accessToken;
        account.tokenIssuedAt = now;
        decision.tokenExpiresAt = expiresAt;
        // Stored with the batch (one statement). Should this worker die first, the old token still
        // works until it expires and the next worker to take the lease refreshes again.
        decision.refresh = {
          grantId: account.grantId,
          previousSealed: account.grantTokenSealed,
          sealed: this.deps.vault.sealGrantToken(account.grantId, fresh.accessToken),
          issuedAt: now,
          expiresAt,
        };
      } catch (error) {
        if (!(error instanceof MetaError)) throw error;
        report.refreshFailed++;
        this.deps.metrics.refreshes.inc({ kind: 'instagram_refresh', outcome: 'failed' });
        if (error instanceof MetaAuthError || error instanceof MetaPermissionError) return { ...decision, change: { metaError: error } };
        // The old token still works until it expires: keep it and try again about a day later.
        refreshRetryAt = this.schedule.refreshRetryAt(now, expiresAt);
        this.deps.logger.warn({ accountId: account.id, kind: error.kind, code: error.code, retryAt: refreshRetryAt }, 'Instagram token refresh failed; keeping the current token');
      }
    }

    const nextRefresh = refreshRetryAt ?? this.schedule.refreshDueAt(account.tokenIssuedAt, expiresAt);
    if (this.syncDue(account, now)) {
      try {
        const raw = await this.deps.instagram.me(token);
        this.succeeded(decision, account, normalizeProfile(raw, account.platformUserId), report);
      } catch (error) {
        if (!(error instanceof MetaError)) throw error;
        return this.failed(decision, account, error, now, report, [nextRefresh, expiresAt]);
      }
    } else if (refreshRetryAt) {
      return this.failed(decision, account, new MetaTransientError({ message: 'Instagram token refresh failed' }), now, report, [refreshRetryAt, expiresAt]);
    }
    decision.nextCheckAt = this.schedule.nextCheck(now, [nextRefresh, expiresAt, this.nextSyncAt(decision, account)]);
    return decision;
  }

  /**
   * One worker per grant per few minutes may call Meta for it (refresh or debug_token), even when
   * several of its accounts are claimed by different workers.
   */
  private async claimGrant(em: EntityManager, grantId: string, now: Date): Promise<boolean> {
    const rows = await em.execute<Array<{ id: string }>>(
      `update meta_grant set last_checked_at = ? where id = ? and (last_checked_at is null or last_checked_at <= ?) returning id`,
      [now, grantId, new Date(now.getTime() - GRANT_CLAIM_MS)],
    );
    return rows.length === 1;
  }

  // --- Facebook Login ------------------------------------------------------------------------

  private async handleFacebookGrant(em: EntityManager, group: DueAccount[], report: SweepReport): Promise<Decision[]> {
    const now = this.deps.clock.now();
    const first = group[0];
    const decisions = new Map(group.map((a) => [a.id, this.baseDecision(a)]));
    const all = () => [...decisions.values()];
    const failAll = (error: MetaError) =>
      group.map((a) => (error instanceof MetaAuthError || error instanceof MetaPermissionError ? { ...decisions.get(a.id)!, change: { metaError: error } } : this.failed(decisions.get(a.id)!, a, error, now, report, [])));
    const postponeAll = (until: Date) => all().map((d) => ({ ...d, postponeTo: until }));

    if (!first.grantId || !first.grantTokenSealed) {
      return all().map((d) => ({ ...d, change: { to: SocialConnectionStatus.EXPIRED, reason: 'No Facebook token is stored for this connection; reconnect to continue.' } }));
    }
    let userToken: string;
    try {
      userToken = this.deps.vault.openGrantToken(first.grantId, first.grantTokenSealed);
    } catch (error) {
      if (error instanceof UnreadableStoredTokenError) return failAll(error);
      throw error;
    }
    let expiresAt = first.tokenExpiresAt;
    let dataAccessEndsAt = first.dataAccessExpiresAt;
    let reach: GrantReach | null = null;

    // 1. The grant: is the user token still valid, and until when? (HTTP 200 even when not.)
    const checkDue = !first.grantLastCheckedAt || now.getTime() - first.grantLastCheckedAt.getTime() >= this.schedule.grantCheckIntervalMs;
    // Meta refusing our app token says nothing about these accounts: leave them be, probe later.
    const appBlockedUntil = checkDue ? this.appCredentials.blockedUntil(now) : null;
    if (appBlockedUntil) return postponeAll(appBlockedUntil);
    // Page tokens are checked only by the worker holding the grant claim (one debug_token round per grant).
    const checked = checkDue && (await this.claimGrant(em, first.grantId, now));
    if (checked) {
      report.grantChecks++;
      try {
        const debug = await this.deps.facebook.debugToken(userToken);
        this.appCredentials.accepted();
        if (debug.expires_at !== undefined) expiresAt = debug.expires_at ? new Date(debug.expires_at * 1000) : null;
        dataAccessEndsAt = debug.data_access_expires_at ? new Date(debug.data_access_expires_at * 1000) : dataAccessEndsAt;
        if (!debug.is_valid) {
          const error = new MetaAuthError({ message: debug.error?.message ?? 'The Facebook token is no longer valid', code: 190, subcode: debug.error?.subcode });
          const ranOut = debug.error?.subcode === 463 || Boolean(expiresAt && expiresAt <= now);
          // A user token that merely ran out (day 60) does not end the Page tokens derived from it:
          // facebookDeadline decides per account (those without a Page token expire). Any other
          // death kills every token of the grant, so every account of it.
          if (!ranOut) {
            this.deps.metrics.refreshes.inc({ kind: 'grant_check', outcome: 'invalid' });
            await this.expireWholeGrant(em, first.grantId, error, group);
            return all().map((d) => ({ ...d, change: { metaError: error } }));
          }
          if (!expiresAt || expiresAt > now) expiresAt = now;
          this.deps.metrics.refreshes.inc({ kind: 'grant_check', outcome: 'user_token_ran_out' });
        } else {
          this.deps.metrics.refreshes.inc({ kind: 'grant_check', outcome: 'ok' });
          reach = grantReach(debug);
        }
        await em.execute('update meta_grant set token_expires_at = ?, data_access_expires_at = ?, updated_at = ? where id = ?', [expiresAt, dataAccessEndsAt, now, first.grantId]);
      } catch (error) {
        if (!(error instanceof MetaError)) throw error;
        if (error instanceof MetaAppCredentialsError) {
          // Give the grant back its due check, and touch none of the accounts but their next check time.
          await em.execute('update meta_grant set last_checked_at = ? where id = ?', [first.grantLastCheckedAt, first.grantId]);
          return postponeAll(this.appCredentials.refused(error));
        }
        this.deps.metrics.refreshes.inc({ kind: 'grant_check', outcome: 'failed' });
        return failAll(error);
      }
    }

    // 2. Per account, the one rule (facebookDeadline, shared with a member's sync): past a
    //    deadline → EXPIRED; close to one → a warning while still CONNECTED. A Page the grant no
    //    longer reaches → ERROR naming it. 3. Page tokens: no expiry of their own, but they die
    //    with the grant or a lost Page role.
    const live: DueAccount[] = [];
    for (const account of group) {
      const decision = decisions.get(account.id)!;
      const deadline = facebookDeadline({ now, hasPageToken: Boolean(account.accountTokenSealed), userTokenExpiresAt: expiresAt, dataAccessExpiresAt: dataAccessEndsAt });
      decision.needsReconnectBy = deadline.needsReconnectBy;
      if (deadline.expiredReason) {
        decision.change = { to: SocialConnectionStatus.EXPIRED, reason: deadline.expiredReason };
        continue;
      }
      if (reach && !reaches(reach, account)) {
        decision.change = { to: SocialConnectionStatus.ERROR, reason: lostPageReason(account) };
        continue;
      }
      if (checked && account.accountTokenSealed) {
        try {
          const debug = await this.deps.facebook.debugToken(this.deps.vault.openAccountToken(account.id, account.accountTokenSealed));
          if (!debug.is_valid) {
            decision.change = { metaError: new MetaAuthError({ message: debug.error?.message ?? 'The Page token is no longer valid', code: 190, subcode: debug.error?.subcode }) };
            continue;
          }
        } catch (error) {
          if (!(error instanceof MetaError)) throw error;
          if (error instanceof MetaAppCredentialsError) decisions.set(account.id, { ...decision, postponeTo: this.appCredentials.refused(error) });
          else decisions.set(account.id, this.failed(decision, account, error, now, report, []));
          continue;
        }
      }
      live.push(account);
    }

    // 4. Profiles: up to 50 per Graph batch call with the user token while it lives; after it ran
    //    out, each with its own Page token (the token a member's sync uses too).
    const toSync = live.filter((a) => this.syncDue(a, now));
    const userTokenLives = !expiresAt || expiresAt > now;
    if (!userTokenLives) {
      for (const account of toSync) {
        const decision = decisions.get(account.id)!;
        try {
          const raw = await this.deps.facebook.instagramProfile(account.platformUserId, this.deps.vault.openAccountToken(account.id, account.accountTokenSealed!));
          this.succeeded(decision, account, normalizeProfile(raw, account.platformUserId), report);
        } catch (error) {
          if (!(error instanceof MetaError)) throw error;
          decisions.set(account.id, this.failed(decision, account, error, now, report, []));
        }
      }
    }
    const batched = userTokenLives ? toSync : [];
    for (let i = 0; i < batched.length; i += 50) {
      const chunk = batched.slice(i, i + 50);
      let results: Array<unknown | Error>;
      try {
        results = await this.deps.facebook.batch(
          userToken,
          chunk.map((a) => `${encodeURIComponent(a.platformUserId)}?fields=${IG_PROFILE_FIELDS.join(',')}`),
        );
      } catch (error) {
        if (!(error instanceof MetaError)) throw error;
        if (error instanceof MetaAuthError || error instanceof MetaPermissionError) {
          for (const a of chunk) decisions.get(a.id)!.change = { metaError: error };
        } else for (const a of chunk) decisions.set(a.id, this.failed(decisions.get(a.id)!, a, error, now, report, []));
        continue;
      }
      chunk.forEach((account, index) => {
        const result = results[index];
        const decision = decisions.get(account.id)!;
        if (result instanceof MetaAuthError || result instanceof MetaPermissionError) decision.change = { metaError: result };
        else if (result instanceof MetaError) decisions.set(account.id, this.failed(decision, account, result, now, report, []));
        else if (result instanceof Error) decisions.set(account.id, this.failed(decision, account, new MetaTransientError({ message: result.message }), now, report, []));
        else this.succeeded(decision, account, normalizeProfile(result as RawInstagramProfile, account.platformUserId), report);
      });
    }

    for (const account of live) {
      const decision = decisions.get(account.id)!;
      if (decision.change || decision.failureCount > 0 || decision.postponeTo) continue;
      const needsReconnectBy = decision.needsReconnectBy ?? null;
      const warnAt = this.schedule.dataAccessWarningAt(needsReconnectBy);
      const warning = warnAt && needsReconnectBy && now >= warnAt ? `Meta's access for this connection ends on ${day(needsReconnectBy)}; reconnect before then to keep it working.` : null;
      if (warning && account.connectionStatus === SocialConnectionStatus.CONNECTED) decision.statusReason = warning;
      else if (!warning && account.statusReason && account.connectionStatus === SocialConnectionStatus.CONNECTED) decision.statusReason = null;
      decision.nextCheckAt = this.schedule.nextCheck(now, [
        first.grantLastCheckedAt && !checkDue ? new Date(first.grantLastCheckedAt.getTime() + this.schedule.grantCheckIntervalMs) : new Date(now.getTime() + this.schedule.grantCheckIntervalMs),
        warnAt && now < warnAt ? warnAt : null,
        needsReconnectBy,
        this.nextSyncAt(decision, account),
      ]);
    }
    return all();
  }

  /** An invalid user token kills every account on the grant, including ones not in this batch. */
  private async expireWholeGrant(em: EntityManager, grantId: string, error: MetaAuthError, inBatch: DueAccount[]): Promise<void> {
    const others = await em.execute<Array<{ id: string }>>(
      `select id from social_account where grant_id = ? and connection_status <> 'DISCONNECTED' and not (id = any(?::uuid[]))`,
      [grantId, pgUuidArray(inBatch.map((a) => a.id))],
    );
    for (const { id } of others) await this.deps.accounts.recordFailure(em.fork() as EntityManager, id, error);
  }

  // --- outcomes ------------------------------------------------------------------------------

  private baseDecision(account: DueAccount): Decision {
    return {
      id: account.id,
      expectedStatus: account.connectionStatus,
      nextCheckAt: this.schedule.nextCheck(this.deps.clock.now(), []),
      failureCount: account.failureCount,
      firstFailureAt: account.firstFailureAt,
      lastFailureReason: undefined,
    };
  }

  private syncDue(account: DueAccount, now: Date): boolean {
    return !account.lastSyncedAt || now.getTime() - account.lastSyncedAt.getTime() >= this.schedule.syncIntervalMs || account.connectionStatus === SocialConnectionStatus.ERROR;
  }

  private nextSyncAt(decision: Decision, account: DueAccount): Date {
    const last = decision.profile ? this.deps.clock.now() : (account.lastSyncedAt ?? this.deps.clock.now());
    return new Date(last.getTime() + this.schedule.syncIntervalMs);
  }

  private succeeded(decision: Decision, account: DueAccount, profile: InstagramProfile, report: SweepReport): void {
    decision.profile = profile;
    decision.syncedAt = this.deps.clock.now();
    decision.pricePolicy = this.deps.pricePolicy;
    decision.failureCount = 0;
    decision.firstFailureAt = null;
    decision.lastFailureReason = null;
    report.synced++;
    this.deps.metrics.refreshes.inc({ kind: 'profile_sync', outcome: 'ok' });
    // A working token is the truth: an account in ERROR is connected again.
    if (account.connectionStatus === SocialConnectionStatus.ERROR) decision.change = { to: SocialConnectionStatus.CONNECTED, reason: null };
  }

  /**
   * A non-auth failure: back off exponentially (or until Meta's rate limit lifts) and keep the
   * status, unless the account has been failing for too long.
   */
  private failed(decision: Decision, account: DueAccount, error: MetaError, now: Date, report: SweepReport, deadlines: Array<Date | null>): Decision {
    if (error instanceof MetaAuthError || error instanceof MetaPermissionError) return { ...decision, change: { metaError: error } };
    // Our app's credentials, not the account: no failure counted, no status change, ever.
    if (isAppCredentialsFailure(error)) return { ...decision, postponeTo: this.appCredentials.refused(error) };
    report.deferred++;
    this.deps.metrics.refreshes.inc({ kind: 'profile_sync', outcome: error.kind });
    const failureCount = account.failureCount + 1;
    const firstFailureAt = account.firstFailureAt ?? now;
    const reason = `Meta did not answer successfully (${error.kind}${error.code ? `, code ${error.code}` : ''}): ${error.message}`;
    const minimum = error instanceof MetaRateLimitError ? error.retryAfterSeconds * 1000 : 0;
    const backoff = this.schedule.backoffAt(now, failureCount, minimum);
    const next = deadlines.reduce<Date>((soonest, d) => (d && d > now && d < soonest ? d : soonest), backoff);
    const result: Decision = { ...decision, failureCount, firstFailureAt, lastFailureReason: reason, nextCheckAt: next };
    if (this.schedule.failingTooLong(now, firstFailureAt) && account.connectionStatus !== SocialConnectionStatus.ERROR) {
      result.change = { to: SocialConnectionStatus.ERROR, reason: `Meta has been failing for this account since ${day(firstFailureAt)}. Last error: ${reason}` };
    }
    return result;
  }
}

async function eachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(runners);
}

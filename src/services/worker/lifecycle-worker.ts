/**
 * The lifecycle worker, in parts (src/services/worker/):
 * - lifecycle-worker.ts: the loop, claiming batches under a lease, and writing a batch's
 *   outcomes (tokens, bulk outcomes, postponements, then status changes through AccountService).
 * - flow-context.ts: what a flow gets for one batch (FlowContext); decisions.ts: what it returns
 *   (Decision) and the batch's counts (SweepReport).
 * - outcomes.ts: success, backoff and escalation rules every flow shares (OutcomeRecorder).
 * - instagram-refresh.ts: Business Login accounts (token refresh, profile sync).
 * - facebook-grant-check.ts: Facebook Login accounts, one grant at a time, in phases:
 *   facebook-grant-verdict.ts (debug_token on the user token, under the grant claim),
 *   facebook-page-checks.ts (deadlines, Page reach, Page tokens), facebook-profile-sync.ts
 *   (profiles through Graph batches).
 * - expiry-recheck.ts: EXPIRED accounts in their user-fixable re-check window.
 * - schedule.ts: when to do what (pure, unit-tested); app-credentials.ts: Meta refusing our app
 *   token; lease-heartbeat.ts: keeps a slow batch's lease; housekeeping.ts: deletes expired rows.
 * Pure rules shared with a member's sync live in services/accounts/ (facebook-deadline.ts,
 * user-fixable-expiry.ts) and domain/time.ts; the SQL lives in repositories/
 * (due-account.repository.ts, grant-check.repository.ts).
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Clock } from '../../clock';
import { OutageLog } from '../../database/outage-log';
import { forkEm } from '../../database/transaction';
import type { WorkerConfig } from '../../config';
import type { Logger } from '../../logger';
import type { Metrics } from '../../metrics';
import { DueAccountRepository, type DueAccount } from '../../repositories/due-account.repository';
import { GrantCheckRepository } from '../../repositories/grant-check.repository';
import { LoginProvider, SocialConnectionStatus } from '../../domain/social-account';
import type { AccountService } from '../accounts/account.service';
import type { PricePolicy } from '../../domain/price-policy';
import type { FacebookClient } from '../meta/facebook-client';
import type { InstagramClient } from '../meta/instagram-client';
import type { TokenVault } from '../tokens/token-vault';
import { AppCredentialsWatch } from './app-credentials';
import { recheckExpired } from './expiry-recheck';
import { checkFacebookGrant } from './facebook-grant-check';
import type { Decision, SweepReport } from './decisions';
import type { FlowContext } from './flow-context';
import { refreshInstagramAccount } from './instagram-refresh';
import { LeaseHeartbeat } from './lease-heartbeat';
import { OutcomeRecorder } from './outcomes';
import { LifecycleSchedule } from './schedule';

export type { SweepReport } from './decisions';

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

const CONCURRENCY = 16;
const RETENTION_EVERY_MS = 10 * 60_000;

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
  private readonly outage: OutageLog;
  private loop?: Promise<void>;
  private stopping = false;
  private wake?: () => void;

  constructor(private readonly deps: Deps) {
    this.schedule = new LifecycleSchedule(deps.config);
    this.appCredentials = new AppCredentialsWatch(deps);
    this.outage = new OutageLog(deps.logger, 'sweeps retry every poll interval');
  }

  /** Runs sweeps until stop(); sleeps WORKER_POLL_INTERVAL_MS of real time when nothing is due. */
  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = (async () => {
      while (!this.stopping) {
        try {
          const report = await this.runOnce();
          this.outage.recovered();
          if (report.claimed > 0) this.deps.logger.info({ ...report }, 'lifecycle sweep done');
        } catch (error) {
          this.outage.failed(error, 'lifecycle sweep failed; retrying after the poll interval');
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
      this.outage.recovered();
    } catch (error) {
      this.outage.failed(error, 'pruning old status events failed; retrying later');
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
      const em = forkEm(this.deps.orm);
      const now = this.deps.clock.now();
      const leaseUntil = new Date(now.getTime() + this.deps.config.leaseSeconds * 1000);
      const dueAccounts = new DueAccountRepository(em);
      const batch = await dueAccounts.claim(this.owner, now, leaseUntil, this.deps.config.batchSize);
      if (batch.length === 0) break;
      report.claimed += batch.length;
      const ids = batch.map((a) => a.id);
      const heartbeat = new LeaseHeartbeat(
        {
          dueAccounts: new DueAccountRepository(forkEm(em)),
          clock: this.deps.clock,
          outage: this.outage,
          owner: this.owner,
          leaseSeconds: this.deps.config.leaseSeconds,
        },
        ids,
      ).start();
      try {
        await this.handleBatch(em, dueAccounts, batch, report, heartbeat);
      } finally {
        await heartbeat.stop();
        await dueAccounts.releaseLeases(this.owner, ids);
      }
    }
    return report;
  }

  private async handleBatch(
    em: EntityManager,
    dueAccounts: DueAccountRepository,
    batch: DueAccount[],
    report: SweepReport,
    heartbeat: LeaseHeartbeat,
  ): Promise<void> {
    const grants = new GrantCheckRepository(em);
    const { deps, schedule, appCredentials, owner } = this;
    const outcomes = new OutcomeRecorder({ ...deps, schedule, appCredentials }, report);
    const ctx: FlowContext = { ...deps, schedule, appCredentials, owner, em, dueAccounts, grants, report, outcomes };

    const decisions: Decision[] = [];
    // EXPIRED accounts are here only inside their re-check window (user-fixable expiries).
    const expired = batch.filter((a) => a.connectionStatus === SocialConnectionStatus.EXPIRED);
    await eachLimited(expired, CONCURRENCY, async (account) => {
      if (await recheckExpired(ctx, account)) report.statusChanges++;
    });
    batch = batch.filter((a) => a.connectionStatus !== SocialConnectionStatus.EXPIRED);
    const instagram = batch.filter((a) => a.provider === LoginProvider.INSTAGRAM);
    await eachLimited(instagram, CONCURRENCY, async (account) => {
      decisions.push(await refreshInstagramAccount(ctx, account));
    });
    const byGrant = new Map<string, DueAccount[]>();
    for (const account of batch.filter((a) => a.provider === LoginProvider.FACEBOOK)) {
      const key = account.grantId ?? `none:${account.id}`;
      byGrant.set(key, [...(byGrant.get(key) ?? []), account]);
    }
    await eachLimited([...byGrant.values()], Math.max(1, CONCURRENCY / 4), async (group) => {
      decisions.push(...(await checkFacebookGrant(ctx, group)));
    });

    // A claim lost despite the heartbeat (e.g. the database was unreachable for a whole lease):
    // its results would be refused by the lease guard anyway; say so instead of failing silently.
    if (heartbeat.lost.size > 0) deps.logger.warn({ lost: heartbeat.lost.size }, 'worker lease lost for some accounts; their results are dropped');
    await this.writeOutcomes(ctx, decisions);
  }

  /** Tokens first, then postponements, the bulk outcomes, and status changes one by one (events). */
  private async writeOutcomes(ctx: FlowContext, decisions: Decision[]): Promise<void> {
    const { report } = ctx;
    const refreshed = decisions.filter((d) => d.refresh);
    const stored = await ctx.grants.storeRefreshedTokens(refreshed.map((d) => d.refresh!));
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
      await ctx.dueAccounts.postpone(
        this.owner,
        postponed.filter((d) => d.postponeTo!.getTime() === at).map((d) => d.id),
        new Date(at),
      );
    }
    const looked = decisions.filter((d) => !d.postponeTo);
    await ctx.dueAccounts.applyOutcomes(this.owner, looked, this.deps.clock.now());
    for (const decision of looked) {
      if (!decision.change) continue;
      const changed =
        'metaError' in decision.change
          ? await this.deps.accounts.recordFailure(forkEm(ctx.em), decision.id, decision.change.metaError).then(() => true)
          : await this.deps.accounts.changeStatus(forkEm(ctx.em), decision.id, decision.change.to, decision.change.reason);
      if (changed) report.statusChanges++;
    }
  }
}

async function eachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(runners);
}

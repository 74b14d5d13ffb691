import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Clock } from '../../clock';
import type { MetricsConfig } from '../../config';
import { forkEm } from '../../database/transaction';
import { dayBefore } from '../../domain/growth';
import type { Logger } from '../../logger';
import { OutageLog } from '../../database/outage-log';
import { adoptAccounts, claimDueMetrics, deleteDaysBefore, postponeMetrics, type MetricsDueAccount } from '../../repositories/account-metrics.repository';
import type { AccountService } from '../accounts/account.service';
import { MetaAuthError, MetaError, MetaPermissionError, MetaRateLimitError } from '../meta/errors';
import type { CreatorMetricsService } from '../metrics/creator-metrics.service';

export interface MetricsSweepReport {
  adopted: number;
  claimed: number;
  refreshed: number;
  /** Postponed until Meta's limit on the account (or app) ends; nothing else changed. */
  rateLimited: number;
  /** Other failures, retried with backoff; nothing else changed. */
  failed: number;
  /** Token or permission errors handed to AccountService (which may change the status). */
  statusFailures: number;
  prunedDays: number;
}

const CONCURRENCY = 4;
const ADOPT_PER_SWEEP = 1000;
/**
 * Between full adoptions, a sweep adopts only accounts changed within this window (index range on
 * updated_at); the full pass, every FULL_ADOPTION_EVERY_MS, catches anything older that has no
 * row yet (accounts linked before this feature, a window missed while the worker was down).
 */
const RECENT_ADOPTION_WINDOW_MS = 15 * 60_000;
const FULL_ADOPTION_EVERY_MS = 60 * 60_000;
const PRUNE_BATCH = 5000;
const PRUNE_EVERY_MS = 10 * 60_000;
const BACKOFF_BASE_MS = 15 * 60_000;

/**
 * The creator metrics refresh (docs/creator-metrics.md), a loop of its own beside the lifecycle
 * worker: its due times, claims and leases live in `account_metrics`, so a slow or rate-limited
 * media read never holds up a token refresh or status check, which run in their own batches.
 *
 * Each account is refreshed every METRICS_REFRESH_HOURS; accounts are first scheduled at a random
 * moment of one period, so a day's refreshes spread over the day. Meta calls go through the
 * rate-limit gate naming the Instagram account: a limit on one account postpones that account's
 * refresh only. A failure changes the connection status only when it is a token or permission
 * error on the basic reads (through AccountService.recordFailure, which announces it).
 */
export class MetricsRefreshWorker {
  readonly owner = `${hostname()}:${process.pid}:metrics:${randomUUID().slice(0, 8)}`;
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = true;
  private lastPruneAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly deps: {
      orm: MikroORM;
      clock: Clock;
      logger: Logger;
      config: MetricsConfig;
      pollIntervalMs: number;
      leaseSeconds: number;
      service: CreatorMetricsService;
      accounts: AccountService;
    },
  ) {
    this.outage = new OutageLog(deps.logger, 'metrics refreshes wait; retrying every poll interval');
  }

  /** A database outage is logged once when it starts and once when it ends, not every poll (issue 28). */
  private readonly outage: OutageLog;
  /** Real time of the last full adoption pass (0: none yet, so the first sweep makes one). */
  private lastFullAdoptionAt = 0;

  start(): void {
    if (!this.stopped || !this.deps.config.refresh) return;
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Adopts new accounts, refreshes what is due (batch after batch), prunes old snapshots. */
  async runOnce(maxBatches = Number.POSITIVE_INFINITY): Promise<MetricsSweepReport> {
    const report: MetricsSweepReport = { adopted: 0, claimed: 0, refreshed: 0, rateLimited: 0, failed: 0, statusFailures: 0, prunedDays: 0 };
    const { clock, config } = this.deps;
    const adoptedAt = clock.now();
    const full = Date.now() - this.lastFullAdoptionAt >= FULL_ADOPTION_EVERY_MS;
    const since = full ? undefined : new Date(adoptedAt.getTime() - RECENT_ADOPTION_WINDOW_MS);
    report.adopted = await adoptAccounts(forkEm(this.deps.orm), adoptedAt, config.refreshHours * 3600, ADOPT_PER_SWEEP, since);
    // A full pass that hit its limit goes on at the next sweep.
    if (full && report.adopted < ADOPT_PER_SWEEP) this.lastFullAdoptionAt = Date.now();
    for (let batches = 0; batches < maxBatches; batches++) {
      const now = clock.now();
      const leaseUntil = new Date(now.getTime() + this.deps.leaseSeconds * 1000);
      const batch = await claimDueMetrics(forkEm(this.deps.orm), this.owner, now, leaseUntil, config.batchSize);
      if (batch.length === 0) break;
      report.claimed += batch.length;
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(CONCURRENCY, batch.length) }, async () => {
          while (next < batch.length) await this.refreshOne(batch[next++], report);
        }),
      );
    }
    report.prunedDays = await this.pruneWhenDue();
    return report;
  }

  private async refreshOne(account: MetricsDueAccount, report: MetricsSweepReport): Promise<void> {
    const em = forkEm(this.deps.orm);
    try {
      if (await this.deps.service.refresh(em, account, this.owner)) report.refreshed++;
      return;
    } catch (error) {
      const now = this.deps.clock.now().getTime();
      const reason = error instanceof Error ? error.message : String(error);
      if (error instanceof MetaRateLimitError) {
        report.rateLimited++;
        await postponeMetrics(em, this.owner, account.id, new Date(now + error.retryAfterSeconds * 1000), account.failureCount, reason);
        return;
      }
      if (error instanceof MetaAuthError || error instanceof MetaPermissionError) {
        report.statusFailures++;
        await this.deps.accounts.recordFailure(forkEm(em), account.id, error);
      } else {
        report.failed++;
        if (!(error instanceof MetaError)) this.deps.logger.error({ err: error, accountId: account.id }, 'metrics refresh failed');
      }
      const failures = account.failureCount + 1;
      const delay = Math.min(BACKOFF_BASE_MS * 2 ** (failures - 1), this.deps.config.refreshHours * 3600_000);
      await postponeMetrics(em, this.owner, account.id, new Date(now + delay * (0.8 + Math.random() * 0.4)), failures, reason);
    }
  }

  /** Snapshots older than METRICS_HISTORY_RETENTION_DAYS go, in bounded batches, at most every 10 minutes. */
  private async pruneWhenDue(): Promise<number> {
    if (Date.now() - this.lastPruneAt < PRUNE_EVERY_MS) return 0;
    this.lastPruneAt = Date.now();
    const em = forkEm(this.deps.orm);
    const cutoff = dayBefore(this.deps.clock.now(), this.deps.config.historyRetentionDays);
    let total = 0;
    for (let deleted = PRUNE_BATCH; deleted === PRUNE_BATCH; total += deleted) deleted = await deleteDaysBefore(em, cutoff, PRUNE_BATCH);
    return total;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .then((report) => {
          this.outage.recovered();
          if (report.claimed > 0) this.deps.logger.info({ ...report }, 'metrics sweep done');
        })
        .catch((error) => this.outage.failed(error, 'metrics sweep failed; retrying after the poll interval'))
        .finally(() => this.schedule(this.deps.pollIntervalMs));
    }, delayMs);
    this.timer.unref();
  }
}

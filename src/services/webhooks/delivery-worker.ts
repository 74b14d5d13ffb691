import type { MikroORM } from '@mikro-orm/postgresql';
import { OutageLog } from '../../database/outage-log';
import { forkEm } from '../../database/transaction';
import {
  claimDueDeliveries,
  failDeliveriesToOtherEndpoints,
  purgeSettledEventsBefore,
  recordDeliveryResults,
  type ClaimedDelivery as Claimed,
  type DeliveryWrite,
} from '../../repositories/webhook.repository';
import type { Clock } from '../../clock';
import { redactUrl, type WebhookConfig } from '../../config';
import type { Logger } from '../../logger';
import type { Metrics } from '../../metrics';
import { CommitWake } from './commit-wake';
import { nextAttemptAt, type AttemptOutcome } from './delivery-policy';
import { WebhookSender } from './webhook-sender';
import type { ReconnectNotices } from './reconnect-notices';
import type { WebhookOutbox } from './webhook-outbox';

export interface DeliveryReport {
  attempted: number;
  delivered: number;
  retried: number;
  failed: number;
  notices: number;
}

interface Deps {
  orm: MikroORM;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  config: WebhookConfig;
  outbox: WebhookOutbox;
  notices: ReconnectNotices;
  databaseUrl: string;
  random?: () => number;
}

const NOTICE_SCAN_INTERVAL_MS = 60_000;
const PURGE_INTERVAL_MS = 3600_000;
const DAY = 86400_000;

/**
 * Sends what the outbox holds. Runs in the worker process (role worker, or in-process unless
 * DISABLE_WORKER), any number of them on one database: each claims due deliveries with
 * FOR UPDATE SKIP LOCKED and a lease longer than the request timeout, so one delivery is never
 * in flight twice; only the oldest pending delivery of an (endpoint, account) is ever due, so an
 * account's events reach each endpoint in order. At most WEBHOOK_CONCURRENCY requests are in
 * flight, each bounded by WEBHOOK_TIMEOUT_MS: a dead endpoint costs this loop time, never a status
 * change (which only inserts rows) or a subscription.
 *
 * Wakes on the status NOTIFY (a committed change) and otherwise polls every WEBHOOK_POLL_INTERVAL_MS,
 * which is also when backed-off retries come due.
 */
export class WebhookDeliveryWorker {
  private readonly sender: WebhookSender;
  private readonly wakeOnCommit: CommitWake;
  private readonly outage: OutageLog;
  private loop?: Promise<void>;
  private stopping = false;
  private wake?: () => void;
  private woken = false;
  private lastNoticeScan = 0;
  private lastPurge = 0;

  constructor(private readonly deps: Deps) {
    this.outage = new OutageLog(deps.logger, 'deliveries wait; retrying every poll interval');
    this.sender = new WebhookSender(deps.config.secret ?? '', deps.config.timeoutMs, deps.clock);
    this.wakeOnCommit = new CommitWake(deps.databaseUrl, () => {
      this.woken = true;
      this.wake?.();
    });
  }

  private get leaseMs(): number {
    return this.deps.config.timeoutMs + 30_000;
  }

  start(): void {
    if (this.loop || !this.deps.outbox.enabled) return;
    this.stopping = false;
    this.loop = (async () => {
      while (!this.stopping) {
        await this.wakeOnCommit.ensure();
        try {
          const report = await this.runOnce();
          this.outage.recovered();
          if (report.attempted > 0 || report.notices > 0) this.deps.logger.debug({ ...report }, 'webhook deliveries done');
        } catch (error) {
          this.outage.failed(error, 'webhook delivery round failed; retrying after the poll interval');
        }
        if (this.stopping) break;
        if (this.woken) {
          this.woken = false;
          continue;
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.deps.config.pollIntervalMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
        this.woken = false;
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    this.loop = undefined;
    await this.wakeOnCommit.close();
  }

  /** Notices that are due, then every delivery that is due now, batch after batch. */
  async runOnce(): Promise<DeliveryReport> {
    const report: DeliveryReport = { attempted: 0, delivered: 0, retried: 0, failed: 0, notices: 0 };
    if (!this.deps.outbox.enabled) return report;
    const real = Date.now();
    if (real - this.lastNoticeScan >= NOTICE_SCAN_INTERVAL_MS || !this.loop) {
      this.lastNoticeScan = real;
      report.notices = await this.deps.notices.scan();
      report.failed += await this.failOrphans();
    }
    if (real - this.lastPurge >= PURGE_INTERVAL_MS) {
      this.lastPurge = real;
      await this.purge();
    }
    while (!this.stopping) {
      const batch = await this.claim();
      if (batch.length === 0) break;
      const outcomes = await Promise.all(batch.map((d) => this.sender.send(d.endpoint, d.event_id, d.body)));
      const now = this.deps.clock.now();
      await this.record(batch.map((d, i) => this.decide(d, outcomes[i], now, report)));
    }
    return report;
  }

  private async claim(): Promise<Claimed[]> {
    const em = forkEm(this.deps.orm);
    const now = this.deps.clock.now();
    return claimDueDeliveries(em, {
      now,
      leaseUntil: new Date(now.getTime() + this.leaseMs),
      endpoints: this.deps.outbox.endpoints,
      limit: this.deps.config.concurrency,
    });
  }

  /** What one attempt decided for its delivery: counted, logged, and returned for the batch write. */
  private decide(delivery: Claimed, outcome: AttemptOutcome, now: Date, report: DeliveryReport): DeliveryWrite {
    const giveUpAt = new Date(delivery.give_up_at);
    const log = { eventId: delivery.event_id, endpoint: redactUrl(delivery.endpoint), attempts: delivery.attempts, statusCode: outcome.statusCode };
    report.attempted++;
    let status: DeliveryWrite['status'];
    let next: Date | null = null;
    if (outcome.kind === 'delivered') {
      status = 'DELIVERED';
      report.delivered++;
    } else if (outcome.kind === 'refused' || now >= giveUpAt) {
      status = 'FAILED';
      report.failed++;
      this.deps.logger.warn(
        { ...log, error: outcome.error },
        outcome.kind === 'refused' ? 'webhook refused by the endpoint; not retrying' : 'webhook still failing at the retry horizon; giving up',
      );
    } else {
      status = 'PENDING';
      report.retried++;
      const planned = nextAttemptAt(now, delivery.attempts, this.deps.config, outcome.retryAfterMs, this.deps.random);
      next = planned > giveUpAt ? giveUpAt : planned; // one last try at the horizon
      this.deps.logger.info({ ...log, error: outcome.error, nextAttemptAt: next }, 'webhook delivery failed; will retry');
    }
    this.deps.metrics.webhookAttempts.inc({ outcome: status === 'DELIVERED' ? 'delivered' : status === 'FAILED' ? 'failed' : 'retry' });
    return {
      id: delivery.id,
      lease: new Date(delivery.lease_until).toISOString(),
      status,
      next: next?.toISOString() ?? null,
      code: outcome.statusCode,
      error: outcome.kind === 'delivered' ? null : outcome.error,
      delivered: status === 'DELIVERED' ? now.toISOString() : null,
    };
  }

  /** The batch's results in one statement; only our own claims (same lease) are written, so a newer claim's result wins. */
  private async record(writes: DeliveryWrite[]): Promise<void> {
    const em = forkEm(this.deps.orm);
    await recordDeliveryResults(em, writes);
  }

  /**
   * Deliveries to an endpoint this worker does not know would wait forever (no worker on the new
   * STATUS_WEBHOOK_URL claims them) and keep their events from being purged. During a rolling
   * deploy, instances still on the old list keep queueing (and their workers keep sending) to a
   * removed endpoint, so such a delivery is failed only once nobody queued or tried it for
   * WEBHOOK_ENDPOINT_REMOVAL_GRACE_MINUTES; checked on every notice pass (once a minute), not only
   * at start. `npm run webhooks -- redeliver` can send them to the current endpoints.
   */
  private async failOrphans(): Promise<number> {
    const em = forkEm(this.deps.orm);
    const graceMinutes = this.deps.config.endpointRemovalGraceMinutes;
    const quietSince = new Date(this.deps.clock.now().getTime() - graceMinutes * 60_000);
    const reason = `endpoint not in STATUS_WEBHOOK_URL of the delivering workers: nobody queued or tried it for ${graceMinutes} minutes`;
    const failed = await failDeliveriesToOtherEndpoints(em, this.deps.outbox.endpoints, quietSince, reason);
    if (failed > 0) {
      this.deps.logger.warn({ failed, graceMinutes }, 'failed pending webhook deliveries to endpoints no longer configured');
    }
    return failed;
  }

  /** Events past WEBHOOK_RETENTION_DAYS with nothing pending go, deliveries with them. */
  async purge(): Promise<void> {
    const em = forkEm(this.deps.orm);
    const before = new Date(this.deps.clock.now().getTime() - this.deps.config.retentionDays * DAY);
    await purgeSettledEventsBefore(em, before);
  }
}

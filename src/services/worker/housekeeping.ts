import type { MikroORM } from '@mikro-orm/postgresql';
import type { Clock } from '../../clock';
import { OutageLog } from '../../database/outage-log';
import { forkEm } from '../../database/transaction';
import type { Logger } from '../../logger';
import { deleteWindowsEndedBefore } from '../../repositories/member-rate-limit.repository';
import { deleteStatesExpiredBefore } from '../../repositories/oauth-state.repository';

/** How long an expired OAuth state is kept (a little slack for instances whose clocks disagree). */
const STATE_GRACE_MS = 60_000;

export interface HousekeepingReport {
  oauthStates: number;
  rateLimitWindows: number;
}

/**
 * Deletes rows nobody can use any more, in bounded batches so no sweep holds locks on a large
 * table for long or competes with requests: OAuth states expired (10 minutes after issue) and
 * member rate-limit windows that ended. Runs beside the lifecycle worker (started and stopped
 * with it); several workers may run it at once: `skip locked` keeps them off each other's rows.
 */
export class Housekeeping {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = true;
  private readonly outage: OutageLog;

  constructor(private readonly deps: { orm: MikroORM; clock: Clock; logger: Logger; intervalMs: number; batchSize: number }) {
    this.outage = new OutageLog(deps.logger, 'expired rows wait; retrying at the next interval');
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One sweep: every batch until less than a full batch is left. */
  async runOnce(): Promise<HousekeepingReport> {
    const em = forkEm(this.deps.orm);
    const stateCutoff = new Date(this.deps.clock.now().getTime() - STATE_GRACE_MS);
    const oauthStates = await this.deleteInBatches((limit) => deleteStatesExpiredBefore(em, stateCutoff, limit));
    // rate-limiter-flexible stores the window's end as epoch milliseconds of the real clock.
    const rateLimitWindows = await this.deleteInBatches((limit) => deleteWindowsEndedBefore(em, Date.now(), limit));
    if (oauthStates + rateLimitWindows > 0) this.deps.logger.info({ oauthStates, rateLimitWindows }, 'housekeeping deleted expired rows');
    return { oauthStates, rateLimitWindows };
  }

  private async deleteInBatches(deleteBatch: (limit: number) => Promise<number>): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await deleteBatch(this.deps.batchSize);
      total += deleted;
      if (deleted < this.deps.batchSize) return total;
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .then(
          () => this.outage.recovered(),
          (error) => this.outage.failed(error, 'housekeeping failed; retrying at the next interval'),
        )
        .finally(() => this.schedule(this.deps.intervalMs));
    }, delayMs);
    this.timer.unref();
  }
}

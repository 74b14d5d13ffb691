import type { Clock } from '../../clock';
import type { OutageLog } from '../../database/outage-log';
import type { DueAccountRepository } from '../../repositories/due-account.repository';

/**
 * Keeps a batch's claim alive while the batch works. A claim lasts WORKER_LEASE_SECONDS; slow Meta
 * answers (timeouts × retries × one debug_token per Page) can outlast it, and another worker would
 * then take the same accounts, refresh the same Instagram tokens again and have this worker's
 * results dropped. Every third of the lease (real time) the lease is pushed a whole lease ahead,
 * for the accounts this worker still owns. A worker that dies stops beating and its claims come
 * back one lease later, as before.
 */
export class LeaseHeartbeat {
  private timer?: NodeJS.Timeout;
  private beating?: Promise<void>;
  /** Accounts whose lease was found taken by someone else (should not happen while beating). */
  readonly lost = new Set<string>();

  constructor(
    private readonly deps: { dueAccounts: DueAccountRepository; clock: Clock; outage: OutageLog; owner: string; leaseSeconds: number },
    private readonly ids: string[],
  ) {}

  start(): this {
    const every = Math.max(200, (this.deps.leaseSeconds * 1000) / 3);
    this.timer = setInterval(() => {
      if (this.beating) return; // the previous extension is still running
      this.beating = this.extend().then(
        () => undefined,
        () => undefined,
      );
      void this.beating.finally(() => (this.beating = undefined));
    }, every);
    this.timer.unref();
    return this;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.beating;
  }

  /** Pushes the lease a full lease ahead; returns how many accounts are still ours. */
  async extend(): Promise<number> {
    const until = new Date(this.deps.clock.now().getTime() + this.deps.leaseSeconds * 1000);
    try {
      const kept = await this.deps.dueAccounts.extendLeases(this.deps.owner, this.ids, until);
      for (const id of this.ids) if (!kept.has(id)) this.lost.add(id);
      this.deps.outage.recovered();
      return kept.size;
    } catch (error) {
      this.deps.outage.failed(error, 'extending the worker lease failed; retrying at the next beat');
      return -1;
    }
  }
}

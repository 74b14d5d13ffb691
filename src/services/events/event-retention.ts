import type { MikroORM } from '@mikro-orm/postgresql';
import { forkEm } from '../../database/transaction';
import type { Logger } from '../../logger';
import { pruneEventsBefore } from '../../repositories/connection-event.repository';

const BATCH_SIZE = 1_000;
const MAX_BATCHES_PER_RUN = 50;

/**
 * Deletes status events older than STATUS_EVENT_RETENTION_DAYS, run by the lifecycle worker.
 * In batches of 1,000 rows (each its own short statement, skipping rows another worker is
 * pruning), at most 50 per run, so a first run over a large backlog never holds locks or a
 * transaction for long; the next run continues.
 */
export class EventRetention {
  constructor(
    private readonly orm: MikroORM,
    private readonly cutoff: () => Date,
    private readonly logger: Logger,
  ) {}

  /** Returns how many events were deleted. */
  async prune(maxBatches = MAX_BATCHES_PER_RUN): Promise<number> {
    const cutoff = this.cutoff();
    let deleted = 0;
    for (let batch = 0; batch < maxBatches; batch++) {
      const n = await pruneEventsBefore(forkEm(this.orm), cutoff, BATCH_SIZE);
      deleted += n;
      if (n < BATCH_SIZE) break;
    }
    if (deleted > 0) this.logger.info({ deleted, before: cutoff.toISOString() }, 'pruned status events past their retention');
    return deleted;
  }
}

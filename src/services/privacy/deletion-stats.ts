import type { EntityManager } from '@mikro-orm/postgresql';
import type { Metrics } from '../../metrics';
import { completedDeletionCounts } from '../../repositories/privacy.repository';

const KINDS = ['meta_data_deletion_facebook', 'meta_data_deletion_instagram', 'member_erasure'];

/**
 * Completed deletions and erasures for /metrics, counted from their audit rows at scrape time, so
 * an erasure run by the CLI (another process) counts too. Every kind is shown, 0 included, so an
 * alert on "no deletion completed" has a series to watch.
 */
export async function recordDeletionStats(em: EntityManager, metrics: Metrics): Promise<void> {
  const deletions = new Map((await completedDeletionCounts(em)).map((r) => [r.kind, r.n]));
  for (const kind of KINDS) metrics.personalDataDeletions.set({ kind }, deletions.get(kind) ?? 0);
}

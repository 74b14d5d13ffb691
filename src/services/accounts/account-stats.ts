import type { EntityManager } from '@mikro-orm/postgresql';
import type { Metrics } from '../../metrics';
import { countAccountsByStatus } from '../../repositories/social-account.repository';

/** Accounts per connection status for /metrics, counted at scrape time so every instance reports the same truth. */
export async function recordAccountStats(em: EntityManager, metrics: Metrics): Promise<void> {
  const counts = await countAccountsByStatus(em);
  metrics.accountsByStatus.reset();
  for (const { status, n } of counts) metrics.accountsByStatus.set({ status }, n);
}

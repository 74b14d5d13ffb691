import type { EntityManager } from '@mikro-orm/postgresql';
import type { Metrics } from '../../metrics';
import { deliveryCounts } from '../../repositories/webhook.repository';

/** Delivery counts for /metrics, read at scrape time so every instance reports the same truth. */
export async function recordWebhookStats(em: EntityManager, now: Date, metrics: Metrics): Promise<void> {
  const row = await deliveryCounts(em);
  metrics.webhookDeliveries.set({ state: 'pending' }, row.pending);
  metrics.webhookDeliveries.set({ state: 'delivered' }, row.delivered);
  metrics.webhookDeliveries.set({ state: 'failed' }, row.failed);
  metrics.webhookDeliveriesRetried.set(row.retried);
  metrics.webhookOldestPendingAge.set(row.oldest ? Math.max(0, (now.getTime() - new Date(row.oldest).getTime()) / 1000) : 0);
}

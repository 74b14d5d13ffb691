import type { EntityManager } from '@mikro-orm/postgresql';
import type { Metrics } from '../../metrics';

/** Delivery counts for /metrics, read at scrape time so every instance reports the same truth. */
export async function recordWebhookStats(em: EntityManager, now: Date, metrics: Metrics): Promise<void> {
  const [row] = await em.execute<Array<{ pending: number; delivered: number; failed: number; retried: number; oldest: string | null }>>(
    `select count(*) filter (where status = 'PENDING')::int as pending,
            count(*) filter (where status = 'DELIVERED')::int as delivered,
            count(*) filter (where status = 'FAILED')::int as failed,
            count(*) filter (where attempts > 1)::int as retried,
            min(created_at) filter (where status = 'PENDING') as oldest
       from webhook_delivery`,
  );
  metrics.webhookDeliveries.set({ state: 'pending' }, row.pending);
  metrics.webhookDeliveries.set({ state: 'delivered' }, row.delivered);
  metrics.webhookDeliveries.set({ state: 'failed' }, row.failed);
  metrics.webhookDeliveriesRetried.set(row.retried);
  metrics.webhookOldestPendingAge.set(row.oldest ? Math.max(0, (now.getTime() - new Date(row.oldest).getTime()) / 1000) : 0);
}

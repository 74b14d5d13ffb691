import type { EntityManager } from '@mikro-orm/postgresql';
import { requeueEvents } from '../../repositories/webhook.repository';

export interface RedeliverSelection {
  /** Every event that occurred at or after this moment. */
  since?: Date;
  /** One event (its webhook-id). */
  eventId?: string;
}

/**
 * Queues events again for every configured endpoint: a new pending delivery per event and
 * endpoint, with the same webhook-id (receivers dedupe) and a fresh retry horizon. An event that
 * already has a pending delivery to an endpoint is left alone there. Returns how many were queued.
 */
export async function redeliver(
  em: EntityManager,
  options: { now: Date; endpoints: readonly string[]; retryHorizonHours: number } & RedeliverSelection,
): Promise<number> {
  if (!options.since && !options.eventId) throw new Error('redeliver needs --since or --event');
  if (options.endpoints.length === 0) return 0;
  return requeueEvents(em, {
    now: options.now,
    giveUpAt: new Date(options.now.getTime() + options.retryHorizonHours * 3600_000),
    endpoints: options.endpoints,
    since: options.since ?? null,
    eventId: options.eventId ?? null,
  });
}

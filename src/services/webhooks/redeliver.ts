import type { EntityManager } from '@mikro-orm/postgresql';

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
  const rows = await em.execute<Array<{ id: string }>>(
    `insert into webhook_delivery (event_id, event_seq, account_id, endpoint, next_attempt_at, give_up_at, created_at)
     select e.id, e.seq, e.account_id, t.endpoint, ?, ?, ?
       from webhook_event e cross join json_array_elements_text(?::json) as t(endpoint)
      where (?::timestamptz is null or e.occurred_at >= ?::timestamptz) and (?::text is null or e.id = ?::text)
        and not exists (select 1 from webhook_delivery d where d.event_id = e.id and d.endpoint = t.endpoint and d.status = 'PENDING')
      order by e.seq
     returning id`,
    [
      options.now,
      new Date(options.now.getTime() + options.retryHorizonHours * 3600_000),
      options.now,
      JSON.stringify(options.endpoints),
      options.since ?? null,
      options.since ?? null,
      options.eventId ?? null,
      options.eventId ?? null,
    ],
  );
  return rows.length;
}

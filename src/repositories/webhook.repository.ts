import type { EntityManager } from '@mikro-orm/postgresql';
import { accountSnapshotMapping } from './account-snapshots';

/**
 * webhook_event and webhook_delivery: the outbox. Each step is one statement, so several
 * instances can write, claim and record at once (services/webhooks/ say when each is taken).
 */

/** A delivery claimed for one attempt, with its event's body. */
export interface ClaimedDelivery {
  id: string;
  event_id: string;
  endpoint: string;
  attempts: number;
  give_up_at: string;
  lease_until: string;
  body: string;
}

/** One attempt's result, written only if the delivery still carries the same lease. */
export interface DeliveryWrite {
  id: string;
  lease: string;
  status: 'DELIVERED' | 'PENDING' | 'FAILED';
  next: string | null;
  code: number | null;
  error: string | null;
  delivered: string | null;
}

/** The event and one delivery per endpoint, in one statement; false when the event (its id or window key) already exists. */
export async function insertEventWithDeliveries(
  em: EntityManager,
  row: {
    id: string;
    type: string;
    accountId: string;
    memberId: string;
    connectionEventId: string | null;
    windowKey: string | null;
    body: string;
    occurredAt: Date;
    now: Date;
    giveUpAt: Date;
    endpoints: readonly string[];
  },
): Promise<boolean> {
  const { now } = row;
  const rows = await em.execute<Array<{ event_id: string }>>(
    `with ev as (
         insert into webhook_event (id, seq, type, account_id, member_id, connection_event_id, window_key, body, occurred_at, created_at)
         values (?, nextval('webhook_event_seq_seq'), ?, ?, ?, ?, ?, ?, ?, ?)
         on conflict do nothing
         returning id, seq, account_id
       )
       insert into webhook_delivery (event_id, event_seq, account_id, endpoint, next_attempt_at, give_up_at, created_at)
       select ev.id, ev.seq, ev.account_id, e.endpoint, ?, ?, ? from ev cross join json_array_elements_text(?::json) as e(endpoint)
       returning event_id`,
    [
      row.id,
      row.type,
      row.accountId,
      row.memberId,
      row.connectionEventId,
      row.windowKey,
      row.body,
      row.occurredAt,
      now,
      now,
      row.giveUpAt,
      now,
      JSON.stringify(row.endpoints),
    ],
  );
  return rows.length > 0;
}

/**
 * Leases up to `limit` due deliveries to these endpoints until `leaseUntil`, skipping rows another
 * instance holds, and only the oldest pending one per endpoint and account (deliveries of one
 * account arrive in order).
 */
export function claimDueDeliveries(
  em: EntityManager,
  options: { now: Date; leaseUntil: Date; endpoints: readonly string[]; limit: number },
): Promise<ClaimedDelivery[]> {
  const { now } = options;
  return em.execute<ClaimedDelivery[]>(
    `update webhook_delivery d set lease_until = ?, attempts = d.attempts + 1, last_attempt_at = ?
        from webhook_event e
        where e.id = d.event_id and d.id in (
          select c.id from webhook_delivery c
           where c.status = 'PENDING' and c.next_attempt_at <= ? and (c.lease_until is null or c.lease_until < ?)
             and c.endpoint in (select json_array_elements_text(?::json))
             and not exists (
               select 1 from webhook_delivery p
                where p.status = 'PENDING' and p.endpoint = c.endpoint and p.account_id = c.account_id
                  and (p.event_seq < c.event_seq or (p.event_seq = c.event_seq and p.id < c.id)))
           order by c.next_attempt_at, c.id
           limit ?
           for update of c skip locked)
        returning d.id, d.event_id, d.endpoint, d.attempts, d.give_up_at, d.lease_until, e.body`,
    [options.leaseUntil, now, now, now, JSON.stringify(options.endpoints), options.limit],
  );
}

/** A batch's results in one statement. */
export async function recordDeliveryResults(em: EntityManager, writes: DeliveryWrite[]): Promise<void> {
  await em.execute(
    `update webhook_delivery d set status = v.status, lease_until = null, next_attempt_at = coalesce(v.next, d.next_attempt_at),
              last_status_code = v.code, last_error = v.error, delivered_at = v.delivered
         from json_to_recordset(?::json) as v(id bigint, lease timestamptz, status text, next timestamptz, code int, error text, delivered timestamptz)
        where d.id = v.id and d.lease_until = v.lease`,
    [JSON.stringify(writes)],
  );
}

/**
 * Pending deliveries to endpoints not in `endpoints` that were neither queued nor tried since
 * `quietSince` → FAILED with `reason`; returns how many. A delivery another instance (still on an
 * older endpoint list) queued or tried recently is left to it.
 */
export async function failDeliveriesToOtherEndpoints(em: EntityManager, endpoints: readonly string[], quietSince: Date, reason: string): Promise<number> {
  const rows = await em.execute<Array<{ id: string }>>(
    `update webhook_delivery set status = 'FAILED', last_error = ?, lease_until = null
        where status = 'PENDING' and endpoint not in (select json_array_elements_text(?::json))
          and greatest(created_at, coalesce(last_attempt_at, created_at)) < ?
          and (lease_until is null or lease_until < ?)
      returning id`,
    [reason, JSON.stringify(endpoints), quietSince, quietSince],
  );
  return rows.length;
}

/** Events created before `before` with nothing pending, and their deliveries, are deleted. */
export async function purgeSettledEventsBefore(em: EntityManager, before: Date): Promise<void> {
  // No foreign key between the two tables (deliveries are written in one statement with their event), so both go here.
  await em.execute(
    `with gone as (
         delete from webhook_event e where e.created_at < ? and not exists (select 1 from webhook_delivery d where d.event_id = e.id and d.status = 'PENDING')
         returning e.id)
       delete from webhook_delivery d using gone where d.event_id = gone.id`,
    [before],
  );
}

/** New pending deliveries for the selected events to every endpoint without one; returns how many. */
export async function requeueEvents(
  em: EntityManager,
  options: { now: Date; giveUpAt: Date; endpoints: readonly string[]; since: Date | null; eventId: string | null },
): Promise<number> {
  const rows = await em.execute<Array<{ id: string }>>(
    `insert into webhook_delivery (event_id, event_seq, account_id, endpoint, next_attempt_at, give_up_at, created_at)
     select e.id, e.seq, e.account_id, t.endpoint, ?, ?, ?
       from webhook_event e cross join json_array_elements_text(?::json) as t(endpoint)
      where (?::timestamptz is null or e.occurred_at >= ?::timestamptz) and (?::text is null or e.id = ?::text)
        and not exists (select 1 from webhook_delivery d where d.event_id = e.id and d.endpoint = t.endpoint and d.status = 'PENDING')
      order by e.seq
     returning id`,
    [options.now, options.giveUpAt, options.now, JSON.stringify(options.endpoints), options.since, options.since, options.eventId, options.eventId],
  );
  return rows.length;
}

/** Delivery counts across every endpoint. */
export async function deliveryCounts(
  em: EntityManager,
): Promise<{ pending: number; delivered: number; failed: number; retried: number; oldest: string | null }> {
  const [row] = await em.execute<Array<{ pending: number; delivered: number; failed: number; retried: number; oldest: string | null }>>(
    `select count(*) filter (where status = 'PENDING')::int as pending,
            count(*) filter (where status = 'DELIVERED')::int as delivered,
            count(*) filter (where status = 'FAILED')::int as failed,
            count(*) filter (where attempts > 1)::int as retried,
            min(created_at) filter (where status = 'PENDING') as oldest
       from webhook_delivery`,
  );
  return row;
}

/**
 * CONNECTED accounts whose reconnect deadline falls in (now, horizon] and whose notice for that
 * deadline was not written yet, soonest first (at most 1,000 per call): snapshot columns plus
 * "memberId", "grantTokenIssuedAt" and "deadline".
 */
/** The reconnect deadline a notice is about: Facebook's needsReconnectBy, or the Instagram token's expiry. */
const NOTICE_DEADLINE = `case when a.provider = 'FACEBOOK' then a.needs_reconnect_by else a.token_expires_at end`;

/**
 * One account as accountsDueReconnectNotice reads it, locked (FOR UPDATE) until the caller's
 * transaction ends, so the notice is written in order with the account's status changes (which
 * all hold this lock) and against its current state; undefined when the account is gone.
 */
export async function lockAccountForReconnectNotice(em: EntityManager, accountId: string): Promise<Record<string, unknown> | undefined> {
  const { columns } = accountSnapshotMapping(em);
  const [row] = await em.execute<Array<Record<string, unknown>>>(
    `select ${columns}, a.member_id as "memberId", ${NOTICE_DEADLINE} as "deadline"
       from social_account a where a.id = ? for update of a`,
    [accountId],
  );
  return row;
}

export function accountsDueReconnectNotice(em: EntityManager, now: Date, horizon: Date): Promise<Array<Record<string, unknown>>> {
  const { columns } = accountSnapshotMapping(em);
  return em.execute<Array<Record<string, unknown>>>(
    `select * from (
         select ${columns}, a.member_id as "memberId", g.token_issued_at as "grantTokenIssuedAt",
                ${NOTICE_DEADLINE} as "deadline"
           from social_account a left join meta_grant g on g.id = a.grant_id
          where a.connection_status = 'CONNECTED') c
        where c."deadline" > ? and c."deadline" <= ?
          and not exists (select 1 from webhook_event e
                           where e.window_key = c."id"::text || ':' || (extract(epoch from c."deadline") * 1000)::bigint::text)
        order by c."deadline"
        limit 1000`,
    [now, horizon],
  );
}

import type { EntityManager } from '@mikro-orm/postgresql';
import { pgTextArray, pgUuidArray } from '../database/sql';
import type { SocialConnectionStatus } from '../domain/social-account';
import type { AccountSnapshot } from '../entities/account-snapshot';
import type { StatusEvent } from '../entities/status-event';
import { encodeCursor } from '../domain/status-cursor';
import { accountSnapshotMapping } from './account-snapshots';

/**
 * connection_event and member_event_seq: the SQL of the status event path. Positions come from
 * member_event_seq (see AccountStatusService): dense per member and assigned in commit order, so "every event of the member with position > p" read
 * once is complete; no still-running transaction can later commit a smaller position.
 */

interface EventColumns {
  eventPosition: string;
  eventAccountId: string;
  eventPreviousStatus: SocialConnectionStatus | null;
  eventStatus: SocialConnectionStatus;
  eventReason: string | null;
  eventChangedAt: string;
}

const EVENT_COLUMNS = `e."position" as "eventPosition", e.account_id as "eventAccountId", e.previous_status as "eventPreviousStatus",
  e.status as "eventStatus", e.reason as "eventReason", e.changed_at as "eventChangedAt"`;

function toEvent(memberId: string, row: EventColumns, account: AccountSnapshot): StatusEvent {
  const position = Number(row.eventPosition);
  // MikroORM has pg return timestamps as text (with their offset).
  const changedAt = new Date(row.eventChangedAt);
  return {
    position,
    accountId: row.eventAccountId,
    cursor: encodeCursor(memberId, position, changedAt),
    account,
    previousStatus: row.eventPreviousStatus,
    status: row.eventStatus,
    reason: row.eventReason,
    changedAt,
  };
}

/**
 * The member's events after `after`, oldest first, each with its account as it is now (one round
 * trip; the account must still be the member's). Events of deleted accounts are skipped.
 */
export async function readMemberEvents(
  em: EntityManager,
  memberId: string,
  after: number,
  options: { accountId?: string; limit: number },
): Promise<StatusEvent[]> {
  const { columns, toSnapshot } = accountSnapshotMapping(em);
  const rows = await em.execute<Array<Record<string, unknown> & EventColumns>>(
    `select ${EVENT_COLUMNS}, ${columns}
       from connection_event e join social_account a on a.id = e.account_id
      where e.member_id = ? and a.member_id = ? and e."position" > ?${options.accountId ? ' and e.account_id = ?' : ''}
      order by e."position" limit ?`,
    [memberId, memberId, after, ...(options.accountId ? [options.accountId] : []), options.limit],
  );
  return rows.map((row) => toEvent(memberId, row, toSnapshot(row)));
}

/**
 * readMemberEvents for many members in one round trip: each member's events after its own
 * position, oldest first, at most `limitPerMember` each (the limit applies per member, after the
 * join, exactly as readMemberEvents applies it). A burst of status changes across many members
 * is read with one query instead of one per member.
 */
export async function readEventsOfMembers(
  em: EntityManager,
  feeds: Array<{ memberId: string; after: number }>,
  limitPerMember: number,
): Promise<Map<string, StatusEvent[]>> {
  const byMember = new Map<string, StatusEvent[]>(feeds.map((f) => [f.memberId, []]));
  if (feeds.length === 0) return byMember;
  const { columns, toSnapshot } = accountSnapshotMapping(em);
  const rows = await em.execute<Array<Record<string, unknown> & EventColumns & { feedMember: string }>>(
    `select f.member_id as "feedMember", x.*
       from unnest(?::text[], ?::bigint[]) as f(member_id, after)
       cross join lateral (
         select ${EVENT_COLUMNS}, ${columns}
           from connection_event e join social_account a on a.id = e.account_id
          where e.member_id = f.member_id and a.member_id = f.member_id and e."position" > f.after
          order by e."position" limit ?) x
      order by f.member_id, x."eventPosition"`,
    [pgTextArray(feeds.map((f) => f.memberId)), `{${feeds.map((f) => Math.trunc(f.after)).join(',')}}`, limitPerMember],
  );
  for (const row of rows) byMember.get(row.feedMember)?.push(toEvent(row.feedMember, row, toSnapshot(row)));
  return byMember;
}

/** One account's timeline, newest first, optionally only events older than `before`. */
export async function readAccountHistory(
  em: EntityManager,
  memberId: string,
  account: AccountSnapshot,
  first: number,
  before?: number,
): Promise<StatusEvent[]> {
  const rows = await em.execute<EventColumns[]>(
    `select ${EVENT_COLUMNS} from connection_event e
      where e.account_id = ? and e.member_id = ?${before !== undefined ? ' and e."position" < ?' : ''}
      order by e."position" desc limit ?`,
    [account.id, memberId, ...(before !== undefined ? [before] : []), first],
  );
  return rows.map((row) => toEvent(memberId, row, account));
}

/** The member's last committed position and the highest position pruned by retention (0, 0 for none yet). */
export async function readMemberSequence(em: EntityManager, memberId: string): Promise<{ last: number; prunedThrough: number }> {
  const [row] = await em.execute<Array<{ last: string; prunedThrough: string }>>(
    'select last, pruned_through as "prunedThrough" from member_event_seq where member_id = ?',
    [memberId],
  );
  return row ? { last: Number(row.last), prunedThrough: Number(row.prunedThrough) } : { last: 0, prunedThrough: 0 };
}

/**
 * Takes the member's next position, locking the member's sequence row until the caller's
 * transaction ends: a second transaction of the same member waits here until the first commits
 * (then sees its value) or rolls back (then reuses it). Hence positions are dense and follow
 * commit order per member.
 */
export async function nextMemberPosition(em: EntityManager, memberId: string): Promise<number> {
  const [row] = await em.execute<Array<{ last: string }>>(
    `insert into member_event_seq (member_id, last) values (?, 1)
       on conflict (member_id) do update set last = member_event_seq.last + 1
     returning last`,
    [memberId],
  );
  return Number(row.last);
}

/**
 * Deletes up to `batchSize` events older than `cutoff` (skipping rows another pruner holds) and
 * records, per member, the highest position pruned, so a cursor before it is known to be expired.
 * Returns how many rows went.
 */
export async function pruneEventsBefore(em: EntityManager, cutoff: Date, batchSize: number): Promise<number> {
  const [row] = await em.execute<Array<{ n: number }>>(
    `with doomed as (
       select id from connection_event where changed_at < ? order by changed_at limit ? for update skip locked
     ), deleted as (
       delete from connection_event e using doomed d where e.id = d.id returning e.member_id, e."position"
     ), marks as (
       select member_id, max("position") as through from deleted group by member_id
     ), marked as (
       update member_event_seq s set pruned_through = greatest(s.pruned_through, m.through) from marks m where s.member_id = m.member_id returning 1
     )
     select (select count(*) from deleted)::int as n, (select count(*) from marked)::int as marked`,
    [cutoff, batchSize],
  );
  return row?.n ?? 0;
}

/** When the latest status event of these accounts happened (null when they have none). */
export async function lastStatusEventAt(em: EntityManager, accountIds: string[]): Promise<Date | null> {
  const [row] = await em.execute<Array<{ at: Date | null }>>('select max(changed_at) as at from connection_event where account_id = any(?::uuid[])', [
    pgUuidArray(accountIds),
  ]);
  return row?.at ? new Date(row.at) : null;
}

/**
 * Wakes every instance's LISTEN on `channel` (delivered at commit when `em` is in a transaction,
 * so listeners never read an event before it is visible).
 */
export async function notifyStatusListeners(em: EntityManager, channel: string, payload: string): Promise<void> {
  await em.execute('select pg_notify(?, ?)', [channel, payload]);
}

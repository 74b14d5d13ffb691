import type { MikroORM } from '@mikro-orm/postgresql';
import { AppError, ErrorCode } from '../../errors';
import type { ConnectionStatusChange } from '../../schema/connection-status-change';
import type { SocialConnectionStatus } from '../../schema/enums';
import { accountSnapshotMapping } from '../accounts/account-snapshots';
import type { StatusChangeNotice } from './topics';

/** Turns a notice (ids) into what a subscriber sees, read fresh from the database. */
export class StatusChangeReader {
  /**
   * Reads in flight, per event. A notice reaches all of its member's subscriptions at once, and
   * each would read the same two rows: with 10 subscribers per member, a burst of changes queued
   * ten times the reads it needs behind the pool (bench/, scenario 2). They now share one read;
   * the result is the member's own data and is only serialized, never modified.
   */
  private readonly inFlight = new Map<string, Promise<ConnectionStatusChange>>();

  constructor(private readonly orm: MikroORM) {}

  load(notice: StatusChangeNotice): Promise<ConnectionStatusChange> {
    const key = `${notice.eventId}:${notice.memberId}`;
    let reading = this.inFlight.get(key);
    if (!reading) {
      reading = this.read(notice).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, reading);
    }
    return reading;
  }

  /**
   * The event and the member's account in one round trip (both by primary key), as plain rows:
   * nothing here is modified, so no entities (see account-snapshots.ts). Under a burst the
   * round trips to PostgreSQL, not the SQL, were the cost.
   */
  private async read(notice: StatusChangeNotice): Promise<ConnectionStatusChange> {
    const em = this.orm.em.fork();
    const { columns, toSnapshot } = accountSnapshotMapping(em);
    const [row] = await em.execute<Array<Record<string, unknown> & EventColumns>>(
      `select e.previous_status as "eventPreviousStatus", e.status as "eventStatus", e.reason as "eventReason",
              e.changed_at as "eventChangedAt", ${columns}
         from connection_event e join social_account a on a.id = e.account_id
        where e.id = ? and a.id = ? and a.member_id = ?`,
      [notice.eventId, notice.accountId, notice.memberId],
    );
    if (!row) throw new AppError(ErrorCode.NOT_FOUND, 'The account of this status change no longer exists.');
    const { eventPreviousStatus, eventStatus, eventReason, eventChangedAt } = row;
    return {
      // The event's columns stay on the row; GraphQL reads only the account's fields from it.
      account: toSnapshot(row),
      previousStatus: eventPreviousStatus,
      status: eventStatus,
      reason: eventReason,
      // MikroORM has pg return timestamps as text (with their offset).
      changedAt: new Date(eventChangedAt),
    };
  }
}

interface EventColumns {
  eventPreviousStatus: SocialConnectionStatus | null;
  eventStatus: SocialConnectionStatus;
  eventReason: string | null;
  eventChangedAt: string;
}

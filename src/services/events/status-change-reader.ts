import type { MikroORM } from '@mikro-orm/postgresql';
import { ConnectionEvent, SocialAccount } from '../../entities';
import { AppError, ErrorCode } from '../../errors';
import type { ConnectionStatusChange } from '../../schema/connection-status-change';
import type { StatusChangeNotice } from './topics';

/** Turns a notice (ids) into what a subscriber sees, read fresh in its own EntityManager fork. */
export class StatusChangeReader {
  constructor(private readonly orm: MikroORM) {}

  async load(notice: StatusChangeNotice): Promise<ConnectionStatusChange> {
    const em = this.orm.em.fork();
    const [event, account] = await Promise.all([
      em.findOne(ConnectionEvent, notice.eventId),
      em.findOne(SocialAccount, { id: notice.accountId, memberId: notice.memberId }),
    ]);
    if (!event || !account) throw new AppError(ErrorCode.NOT_FOUND, 'The account of this status change no longer exists.');
    return {
      account,
      previousStatus: event.previousStatus ?? null,
      status: event.status,
      reason: event.reason ?? null,
      changedAt: event.changedAt,
    };
  }
}

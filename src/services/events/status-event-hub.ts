import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { forkEm } from '../../database/transaction';
import type { Clock } from '../../clock';
import { AppError, ErrorCode } from '../../errors';
import type { Logger } from '../../logger';
import type { AccountSnapshot } from '../../entities/account-snapshot';
import type { StatusEvent } from '../../entities/status-event';
import { decodeCursor, type StatusCursor } from '../../domain/status-cursor';
import { EventStream, REPLAY_BATCH } from './event-stream';
import { MemberFeeds } from './member-feeds';
import { StatusListener } from './status-listener';
import { readAccountHistory, readEventsOfMembers, readMemberEvents, readMemberSequence } from '../../repositories/connection-event.repository';

const DAY_MS = 86_400_000;

/**
 * Status events for this instance's subscribers: one LISTEN connection (status-listener.ts), one
 * feed per member with subscribers here (member-feeds.ts), one stream per subscription
 * (event-stream.ts), all ordered by the member's event positions. Subscribers stay attached
 * while the listener reconnects and miss nothing.
 */
export class StatusEventHub {
  private readonly listener: StatusListener;
  private readonly feeds: MemberFeeds;
  private active = 0;

  constructor(
    private readonly orm: MikroORM,
    databaseUrl: string,
    logger: Logger,
    private readonly clock: Clock,
    private readonly retentionDays: number,
  ) {
    this.feeds = new MemberFeeds(
      {
        lastPosition: async (memberId) => (await readMemberSequence(this.fork(), memberId)).last,
        eventsOfMembers: (feeds, limit) => readEventsOfMembers(this.fork(), feeds, limit),
      },
      logger,
    );
    this.listener = new StatusListener(databaseUrl, logger, {
      onNotice: (memberId) => this.feeds.poke(memberId),
      onListening: () => this.feeds.pokeAll(),
    });
  }

  /** Subscriptions currently attached on this instance (leak check and metrics). */
  get subscriberCount(): number {
    return this.active;
  }

  get listening(): boolean {
    return this.listener.listening;
  }

  /** Why this instance cannot deliver status events right now, or undefined when it can. */
  get notListeningReason(): string | undefined {
    return this.listener.notListeningReason;
  }

  async start(): Promise<void> {
    await this.listener.start();
  }

  async stop(): Promise<void> {
    await this.listener.stop();
    this.feeds.stop();
  }

  /** New events may exist for the member (what a NOTIFY does; tests and tools may call it too). */
  poke(memberId: string): void {
    this.feeds.poke(memberId);
  }

  /**
   * The member's events (or one account's): with `after`, first those committed after that
   * cursor, then live ones; without, live ones from now. Throws BAD_USER_INPUT for a malformed or
   * foreign cursor, CURSOR_EXPIRED for one older than the retention.
   */
  async subscribe(memberId: string, options: { accountId?: string; after?: string | null } = {}): Promise<AsyncIterableIterator<StatusEvent>> {
    const cursor = options.after != null ? memberCursor(memberId, options.after) : undefined;
    if (cursor && cursor.changedAtMs < this.retentionCutoff().getTime()) throw cursorExpired(this.retentionDays);
    const { accountId } = options;
    // Counted once its starting point is fixed: a change committed after subscriberCount went up
    // is then always delivered (tests and the bench wait on the count before committing).
    let counted = false;
    const stream = new EventStream(
      accountId,
      (position) => readMemberEvents(this.fork(), memberId, position, { accountId, limit: REPLAY_BATCH }),
      () => {
        if (counted) this.active--;
        this.feeds.detach(memberId, stream);
      },
    );
    try {
      // Attached (and buffering live events) before reading where to start: nothing falls between.
      await this.feeds.attach(memberId, stream);
      const sequence = await readMemberSequence(this.fork(), memberId);
      if (!cursor) stream.startLive(sequence.last);
      else if (cursor.position > sequence.last) throw notOurCursor();
      else if (cursor.position < sequence.prunedThrough) throw cursorExpired(this.retentionDays);
      else stream.startReplay(cursor.position);
    } catch (error) {
      await stream.return();
      throw error;
    }
    counted = true;
    this.active++;
    return stream;
  }

  /** The account's timeline, newest first; `after` continues from a cursor of an earlier page. */
  async history(em: EntityManager, memberId: string, account: AccountSnapshot, first: number, after?: string | null): Promise<StatusEvent[]> {
    if (!Number.isInteger(first) || first < 1 || first > 100) {
      throw new AppError(ErrorCode.BAD_USER_INPUT, 'first must be between 1 and 100.', { field: 'first' });
    }
    const before = after != null ? memberCursor(memberId, after).position : undefined;
    return readAccountHistory(em, memberId, account, first, before);
  }

  /** Events before this are pruned (and cursors from before it expired). */
  retentionCutoff(): Date {
    return new Date(this.clock.now().getTime() - this.retentionDays * DAY_MS);
  }

  private fork(): EntityManager {
    return forkEm(this.orm);
  }
}

/** The member's cursor, or BAD_USER_INPUT (field `after`) for anything malformed or another member's. */
function memberCursor(memberId: string, after: string): StatusCursor {
  const cursor = decodeCursor(memberId, after);
  if (cursor === 'malformed') throw notOurCursor();
  if (cursor === 'foreign') throw new AppError(ErrorCode.BAD_USER_INPUT, 'The cursor belongs to another member.', { field: 'after' });
  return cursor;
}

function notOurCursor(): AppError {
  return new AppError(ErrorCode.BAD_USER_INPUT, 'The cursor is not one this API gave out.', { field: 'after' });
}

function cursorExpired(days: number): AppError {
  return new AppError(
    ErrorCode.CURSOR_EXPIRED,
    `The cursor is older than the ${days}-day status history; reload the accounts, then subscribe without a cursor.`,
    { retentionDays: days },
  );
}

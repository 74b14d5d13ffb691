import type { Logger } from '../../logger';
import type { StatusEvent } from '../../entities/status-event';
import type { EventStream } from './event-stream';
import { describeError } from '../../describe-error';

const FEED_BATCH = 200;
const RETRY_MS = 1_000;

interface MemberFeed {
  memberId: string;
  /** The last position read and handed to the streams. */
  position: number;
  streams: Set<EventStream>;
  ready: Promise<void>;
  running?: Promise<void>;
  again: boolean;
  retry?: NodeJS.Timeout;
}

export interface FeedSource {
  /** The member's last committed position. */
  lastPosition(memberId: string): Promise<number>;
  /** Each member's events after its position, oldest first, at most `limit` per member: one read for many members. */
  eventsOfMembers(feeds: Array<{ memberId: string; after: number }>, limit: number): Promise<Map<string, StatusEvent[]>>;
}

/**
 * Per member with subscriptions on this instance: the last position delivered, and the catch-up
 * that reads what came after it. A NOTIFY only pokes the feed; the feed reads by position, so a
 * notice that arrives late, twice, or never (the listener was down) changes nothing about what
 * is delivered: a poke after the listener is back delivers everything committed meanwhile, once,
 * in order. Pokes that arrive together (a burst of commits, or every member after the listener
 * came back) are read together: one query for all the members poked in the same turn of the event
 * loop, shared by all of their subscriptions.
 */
export class MemberFeeds {
  private readonly feeds = new Map<string, MemberFeed>();
  /** Feeds poked since the last flush; read together on the next turn of the event loop. */
  private readonly pending = new Set<MemberFeed>();
  private flushScheduled = false;

  constructor(
    private readonly source: FeedSource,
    private readonly logger: Logger,
  ) {}

  get memberCount(): number {
    return this.feeds.size;
  }

  /** Adds the stream to its member's feed; resolves once the feed knows its starting position. */
  async attach(memberId: string, stream: EventStream): Promise<void> {
    let feed = this.feeds.get(memberId);
    if (!feed) {
      const created: MemberFeed = { memberId, position: 0, streams: new Set(), ready: Promise.resolve(), again: false };
      created.ready = this.source.lastPosition(memberId).then((position) => {
        created.position = position;
      });
      // A feed that could not start (database down) is dropped, so the next subscription retries.
      created.ready.catch(() => {
        if (this.feeds.get(memberId) === created) this.feeds.delete(memberId);
      });
      this.feeds.set(memberId, (feed = created));
    }
    feed.streams.add(stream);
    try {
      await feed.ready;
    } catch (error) {
      this.detach(memberId, stream);
      throw error;
    }
  }

  detach(memberId: string, stream: EventStream): void {
    const feed = this.feeds.get(memberId);
    if (!feed) return;
    feed.streams.delete(stream);
    if (feed.streams.size === 0) {
      clearTimeout(feed.retry);
      this.feeds.delete(memberId);
    }
  }

  /** New events may exist for the member (a NOTIFY). */
  poke(memberId: string): void {
    const feed = this.feeds.get(memberId);
    if (feed) this.catchUp(feed);
  }

  /** Every member attached here (the listener was not listening for a while). */
  pokeAll(): void {
    for (const feed of this.feeds.values()) this.catchUp(feed);
  }

  stop(): void {
    for (const feed of this.feeds.values()) clearTimeout(feed.retry);
  }

  private catchUp(feed: MemberFeed): void {
    if (feed.running) {
      feed.again = true; // read once more when the current read ends: it may have started before this commit
      return;
    }
    clearTimeout(feed.retry);
    feed.retry = undefined;
    this.pending.add(feed);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /** Reads every feed poked since the last flush in one query. */
  private flush(): void {
    this.flushScheduled = false;
    const batch = [...this.pending].filter((feed) => this.feeds.get(feed.memberId) === feed && !feed.running);
    this.pending.clear();
    if (batch.length === 0) return;
    const run = this.read(batch);
    for (const feed of batch) feed.running = run;
    run
      .catch((error: unknown) => {
        const live = batch.filter((feed) => this.feeds.get(feed.memberId) === feed);
        if (live.length === 0) return;
        this.logger.warn({ err: describeError(error), memberFeeds: this.feeds.size }, 'reading new status events failed; retrying');
        for (const feed of live) {
          feed.retry = setTimeout(() => {
            feed.retry = undefined;
            this.catchUp(feed);
          }, RETRY_MS);
          feed.retry.unref();
        }
      })
      .finally(() => {
        for (const feed of batch) {
          feed.running = undefined;
          if (feed.again && !feed.retry && this.feeds.get(feed.memberId) === feed) this.catchUp(feed);
        }
      });
  }

  private async read(batch: MemberFeed[]): Promise<void> {
    await Promise.all(batch.map((feed) => feed.ready));
    for (const feed of batch) feed.again = false;
    const results = await this.source.eventsOfMembers(
      batch.map((feed) => ({ memberId: feed.memberId, after: feed.position })),
      FEED_BATCH,
    );
    for (const feed of batch) {
      const events = results.get(feed.memberId) ?? [];
      for (const event of events) {
        if (event.position <= feed.position) continue;
        feed.position = event.position;
        for (const stream of feed.streams) stream.push(event);
      }
      if (events.length >= FEED_BATCH) feed.again = true; // a full page: there may be more
    }
  }
}

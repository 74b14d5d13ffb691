import type { Logger } from '../../logger';
import type { StatusEvent } from '../../schema/connection-status-change';
import type { EventStream } from './event-stream';

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
  /** The member's events after `position`, oldest first, at most `limit`. */
  eventsAfter(memberId: string, position: number, limit: number): Promise<StatusEvent[]>;
}

/**
 * Per member with subscriptions on this instance: the last position delivered, and the catch-up
 * that reads what came after it. A NOTIFY only pokes the feed; the feed reads by position, so a
 * notice that arrives late, twice, or never (the listener was down) changes nothing about what
 * is delivered: a poke after the listener is back delivers everything committed meanwhile, once,
 * in order. One read per member and event burst, shared by all of the member's subscriptions.
 */
export class MemberFeeds {
  private readonly feeds = new Map<string, MemberFeed>();

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
    feed.running = (async () => {
      await feed.ready;
      do {
        feed.again = false;
        for (;;) {
          const events = await this.source.eventsAfter(feed.memberId, feed.position, FEED_BATCH);
          for (const event of events) {
            if (event.position <= feed.position) continue;
            feed.position = event.position;
            for (const stream of feed.streams) stream.push(event);
          }
          if (events.length < FEED_BATCH) break;
        }
      } while (feed.again && this.feeds.get(feed.memberId) === feed);
    })()
      .catch((error: Error) => {
        if (this.feeds.get(feed.memberId) !== feed) return;
        this.logger.warn({ err: error.message, memberFeeds: this.feeds.size }, 'reading new status events failed; retrying');
        feed.retry = setTimeout(() => this.catchUp(feed), RETRY_MS);
        feed.retry.unref();
      })
      .finally(() => {
        feed.running = undefined;
        if (feed.again && !feed.retry && this.feeds.get(feed.memberId) === feed) this.catchUp(feed);
      });
  }
}

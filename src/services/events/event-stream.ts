import type { StatusEvent } from '../../entities/status-event';

export const REPLAY_BATCH = 200;

/**
 * One subscription's events: first the replay (events after the client's cursor, read from the
 * database in batches), then live ones. Live events are buffered from the moment the stream is
 * attached to its member's feed, before the replay starts, and every event at or below the last
 * position sent is skipped: so replay and live neither overlap (no duplicate) nor leave a hole
 * between them (no gap). Positions are dense and in commit order per member, which is what makes
 * "skip ≤ last sent" exact.
 */
export class EventStream implements AsyncIterableIterator<StatusEvent> {
  private readonly live: StatusEvent[] = [];
  private replayed: StatusEvent[] = [];
  private replaying = false;
  private replayExhausted = false;
  private sent = 0;
  private wake?: () => void;
  private finished = false;

  constructor(
    readonly accountId: string | undefined,
    private readonly fetchAfter: (position: number) => Promise<StatusEvent[]>,
    private readonly onFinish: () => void,
  ) {}

  /** Live only, from this position (the member's last committed one when the subscription started). */
  startLive(position: number): void {
    this.sent = position;
  }

  /** Replays everything after `position`, then continues live. */
  startReplay(position: number): void {
    this.sent = position;
    this.replaying = true;
  }

  /** Called by the member's feed for each new event, in position order. */
  push(event: StatusEvent): void {
    if (this.finished || (this.accountId && event.accountId !== this.accountId)) return;
    this.live.push(event);
    this.wake?.();
  }

  async next(): Promise<IteratorResult<StatusEvent>> {
    for (;;) {
      if (this.finished) return { done: true, value: undefined };
      if (this.replaying) {
        if (this.replayed.length === 0) {
          if (this.replayExhausted) {
            this.replaying = false;
            continue;
          }
          try {
            this.replayed = await this.fetchAfter(this.sent);
          } catch (error) {
            await this.return();
            throw error;
          }
          this.replayExhausted = this.replayed.length < REPLAY_BATCH;
          continue;
        }
        const event = this.replayed.shift()!;
        if (event.position <= this.sent) continue;
        this.sent = event.position;
        return { done: false, value: event };
      }
      const event = this.live.shift();
      if (event) {
        if (event.position <= this.sent) continue;
        this.sent = event.position;
        return { done: false, value: event };
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }

  /** Releases the subscription at once, even while a next() is pending (closed sockets leak nothing). */
  async return(): Promise<IteratorResult<StatusEvent>> {
    if (!this.finished) {
      this.finished = true;
      this.live.length = 0;
      this.replayed = [];
      this.onFinish();
      this.wake?.();
    }
    return { done: true, value: undefined };
  }

  async throw(error: unknown): Promise<IteratorResult<StatusEvent>> {
    await this.return();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

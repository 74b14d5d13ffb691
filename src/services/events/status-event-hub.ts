import { setMaxListeners } from 'node:events';
import { createPubSub, type PubSubEventTarget } from '@graphql-yoga/subscription';
import { Client } from 'pg';
import type { Logger } from '../../logger';
import { decodeNotice, STATUS_CHANNEL, Topic, type StatusChangeNotice, type Topics } from './topics';

/**
 * One LISTEN connection per instance, fanned out in process to subscribers by member.
 * If the connection drops (database restart), it is re-established with backoff and a warning;
 * subscribers stay attached meanwhile and resume receiving once it is back.
 */
export class StatusEventHub {
  private readonly pubSub = createPubSub<Topics>({ eventTarget: unboundedEventTarget() });
  private client?: Client;
  private stopped = false;
  private reconnectTimer?: NodeJS.Timeout;
  private reconnectDelayMs = 250;
  private active = 0;
  private connectedOnce?: Promise<void>;

  constructor(
    private readonly connectionString: string,
    private readonly logger: Logger,
  ) {}

  /** Subscriptions currently attached on this instance (leak check and metrics). */
  get subscriberCount(): number {
    return this.active;
  }

  get listening(): boolean {
    return this.client !== undefined;
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.connectedOnce = this.connect();
    await this.connectedOnce;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  /** Delivers a notice to this instance's subscribers (also used when NOTIFY arrives). */
  dispatch(notice: StatusChangeNotice): void {
    this.pubSub.publish(Topic.ConnectionStatusChanged, notice.memberId, notice);
  }

  /**
   * The member's notices, optionally for one account. The returned iterator releases its
   * subscription on return(), even while a next() is pending, so closed sockets leak nothing.
   */
  subscribe(memberId: string, accountId?: string): AsyncIterableIterator<StatusChangeNotice> {
    const source = this.pubSub.subscribe(Topic.ConnectionStatusChanged, memberId)[Symbol.asyncIterator]();
    this.active++;
    let finished = false;
    const finish = async () => {
      if (finished) return;
      finished = true;
      this.active--;
      await source.return?.();
    };
    const iterator: AsyncIterableIterator<StatusChangeNotice> = {
      [Symbol.asyncIterator]: () => iterator,
      next: async () => {
        for (;;) {
          if (finished) return { done: true, value: undefined };
          const result = await source.next();
          if (result.done) {
            await finish();
            return { done: true, value: undefined };
          }
          if (!accountId || result.value.accountId === accountId) return { done: false, value: result.value };
        }
      },
      return: async () => {
        await finish();
        return { done: true, value: undefined };
      },
      throw: async (error: unknown) => {
        await finish();
        throw error;
      },
    };
    return iterator;
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.connectionString, application_name: 'status-event-listener' });
    client.on('notification', (message) => {
      if (message.channel !== STATUS_CHANNEL || !message.payload) return;
      const notice = decodeNotice(message.payload);
      if (notice) this.dispatch(notice);
      else this.logger.warn({ channel: message.channel }, 'ignored a malformed status notification');
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${STATUS_CHANNEL}`);
    } catch (error) {
      this.lost(client, error as Error);
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    if (this.reconnectDelayMs > 250) this.logger.warn('status event listener reconnected');
    this.client = client;
    this.reconnectDelayMs = 250;
  }

  private lost(client: Client, error?: Error): void {
    if (this.stopped) return;
    if (this.client === client) this.client = undefined;
    else if (this.client) return; // an old client's late event
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    if (this.reconnectTimer) return;
    this.logger.warn(
      { err: error?.message, retryInMs: this.reconnectDelayMs },
      'status event listener lost its database connection; reconnecting (subscribers stay attached)',
    );
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.connect();
    }, this.reconnectDelayMs);
    this.reconnectTimer.unref();
    this.reconnectDelayMs = Math.min(this.reconnectDelayMs * 2, 10_000);
  }
}

/**
 * The pub/sub's event target, with one listener per subscription on a member's topic. Many
 * subscriptions per member (tabs, devices) are normal, so Node's "possible leak" warning past 10
 * listeners would be noise in the log.
 */
function unboundedEventTarget(): PubSubEventTarget<Topics> {
  const target = new EventTarget();
  setMaxListeners(0, target);
  return target as PubSubEventTarget<Topics>;
}

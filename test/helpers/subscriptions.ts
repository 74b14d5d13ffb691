import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { ConnectionStatusChangedDocument, type ConnectionStatusChangedSubscription } from '../../client/generated/graphql';
import { TestApp } from './test-app';

export type Change = ConnectionStatusChangedSubscription['connectionStatusChanged'];

/**
 * A real graphql-ws client subscribed to connectionStatusChanged, collecting what it receives.
 * `next()` waits for the next event (rejecting after a timeout), `closed` resolves with the
 * socket's close code.
 */
export class StatusSubscriber {
  readonly events: Change[] = [];
  readonly errors: unknown[] = [];
  readonly closed: Promise<number>;
  private waiters: Array<(change: Change) => void> = [];
  private readonly client: Client;
  private unsubscribe?: () => void;

  constructor(app: TestApp, authorization: string | undefined, variables: { accountId?: string; after?: string } = {}) {
    let onClosed!: (code: number) => void;
    this.closed = new Promise((resolve) => (onClosed = resolve));
    this.client = createClient({
      url: `${app.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: authorization === undefined ? {} : { authorization },
      retryAttempts: 0,
      lazy: false,
      // Expected closes (4403, 1001) are asserted through `closed`, not printed.
      onNonLazyError: () => undefined,
      on: { closed: (event) => onClosed((event as { code: number }).code) },
    });
    this.unsubscribe = this.client.subscribe<ConnectionStatusChangedSubscription>(
      { query: print(ConnectionStatusChangedDocument), variables },
      {
        next: (result) => {
          if (result.errors) this.errors.push(...result.errors);
          const change = result.data?.connectionStatusChanged;
          if (!change) return;
          this.events.push(change);
          this.waiters.shift()?.(change);
        },
        error: (error) => this.errors.push(error),
        complete: () => undefined,
      },
    );
  }

  /** Resolves once the server has acknowledged the connection and the subscription is active. */
  async ready(app: TestApp, expectedSubscribers: number): Promise<void> {
    await waitFor(() => app.services.events.subscriberCount >= expectedSubscribers, 'subscription to become active');
  }

  next(timeoutMs = 5_000): Promise<Change> {
    const buffered = this.events.length > this.consumed ? this.events[this.consumed++] : undefined;
    if (buffered) return Promise.resolve(buffered);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no status change arrived in time')), timeoutMs);
      this.waiters.push((change) => {
        clearTimeout(timer);
        this.consumed++;
        resolve(change);
      });
    });
  }

  private consumed = 0;

  async close(): Promise<void> {
    this.unsubscribe?.();
    await this.client.dispose();
  }
}

export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The setup of a test file about subscriptions across instances: two apps on one database (`b`
 * shares `a`'s), started once for the file; after each test, the subscribers it opened (those in
 * `open`) are closed and both apps must have released them. `subscriber()` opens one for a member
 * and resolves once it is active. `instances` is filled before the first test.
 */
export function twoInstancesWithSubscribers() {
  const instances = {} as { a: TestApp; b: TestApp };
  const open: StatusSubscriber[] = [];
  beforeAll(async () => {
    instances.a = await TestApp.start();
    instances.b = await TestApp.start({ share: instances.a });
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
    // The server notices closed sockets asynchronously; every subscription must be released.
    const released = () => instances.a.services.events.subscriberCount === 0 && instances.b.services.events.subscriberCount === 0;
    await waitFor(released, 'subscriptions to be released');
  });
  afterAll(async () => {
    await instances.b?.close();
    await instances.a?.close();
  });
  const subscriber = async (app: TestApp, memberId: string, variables: { accountId?: string; after?: string } = {}) => {
    const before = app.services.events.subscriberCount;
    const s = new StatusSubscriber(app, `Bearer ${app.tokenFor(memberId)}`, variables);
    open.push(s);
    await s.ready(app, before + 1);
    return s;
  };
  return { instances, open, subscriber };
}

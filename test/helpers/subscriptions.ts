import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { ConnectionStatusChangedDocument, type ConnectionStatusChangedSubscription } from '../../client/generated/graphql';
import type { TestApp } from './test-app';

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

import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { ConnectionStatusChangedDocument, type ConnectionStatusChangedSubscription } from '../client/generated/graphql';
import { serveParent } from './lib/ipc';
import { wallClockMs } from './lib/stats';

/**
 * Real graphql-ws clients, many per process, in a process of their own so their CPU and heap are
 * not the server's. Each client is one WebSocket with one `connectionStatusChanged` subscription
 * (all of its member's accounts) and records what arrives and when.
 */

export interface SubscriberSpec {
  /** JWT of the member this subscriber signs in as. */
  token: string;
}

export interface ConnectRequest {
  url: string;
  subscribers: SubscriberSpec[];
  /** Connection handshakes in flight at once. */
  concurrency: number;
}

/** [subscriber index, account id, status, changedAt epoch ms (from the payload), receivedAt epoch ms]. */
export type Delivery = [number, string, string, number, number];

const QUERY = print(ConnectionStatusChangedDocument);

serveParent(async () => {
  const clients: Client[] = [];
  const deliveries: Delivery[] = [];
  const errors: string[] = [];
  let closedUnexpectedly = 0;
  let waiter: { count: number; resolve: () => void } | undefined;

  const record = (delivery: Delivery) => {
    deliveries.push(delivery);
    if (waiter && deliveries.length >= waiter.count) {
      waiter.resolve();
      waiter = undefined;
    }
  };

  /** Opens one client and resolves once the server acknowledged it (the subscribe goes out right after). */
  const open = (url: string, spec: SubscriberSpec, index: number) =>
    new Promise<void>((resolve, reject) => {
      let acknowledged = false;
      const client = createClient({
        url,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${spec.token}` },
        lazy: false,
        retryAttempts: 0,
        onNonLazyError: (error) => {
          if (!acknowledged) reject(new Error(`subscriber ${index} failed to connect: ${describe(error)}`));
        },
        on: {
          connected: () => {
            acknowledged = true;
            resolve();
          },
          closed: () => {
            if (acknowledged && !closing) closedUnexpectedly++;
          },
        },
      });
      clients.push(client);
      client.subscribe<ConnectionStatusChangedSubscription>(
        { query: QUERY },
        {
          next: (result) => {
            const change = result.data?.connectionStatusChanged;
            if (change) record([index, change.account.id, change.status, Date.parse(change.changedAt), wallClockMs()]);
            if (result.errors) errors.push(JSON.stringify(result.errors).slice(0, 300));
          },
          error: (error) => errors.push(describe(error)),
          complete: () => undefined,
        },
      );
    });

  let closing = false;
  return {
    info: { pid: process.pid },
    handlers: {
      connect: async (request: ConnectRequest) => {
        const started = wallClockMs();
        const first = clients.length;
        const queue = request.subscribers.map((spec, i) => ({ spec, index: first + i }));
        await Promise.all(
          Array.from({ length: request.concurrency }, async () => {
            for (let next = queue.shift(); next; next = queue.shift()) await open(request.url, next.spec, next.index);
          }),
        );
        return { connected: request.subscribers.length, seconds: (wallClockMs() - started) / 1000 };
      },
      /** Resolves when `count` deliveries in all have arrived, or after timeoutMs; returns how many did. */
      waitForDeliveries: async ({ count, timeoutMs }: { count: number; timeoutMs: number }) => {
        if (deliveries.length < count) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, timeoutMs);
            waiter = {
              count,
              resolve: () => {
                clearTimeout(timer);
                resolve();
              },
            };
          });
        }
        waiter = undefined;
        return deliveries.length;
      },
      /** Deliveries from index `from` on. */
      deliveries: ({ from }: { from: number }) => deliveries.slice(from),
      status: () => ({ clients: clients.length, deliveries: deliveries.length, errors: errors.slice(0, 5), errorCount: errors.length, closedUnexpectedly }),
      close: async () => {
        closing = true;
        await Promise.all(clients.map((c) => c.dispose()));
        clients.length = 0;
        return null;
      },
    },
    onStop: async () => {
      closing = true;
      await Promise.all(clients.map((c) => c.dispose()));
    },
  };
});

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error && typeof error === 'object' && 'code' in error)
    return `close ${(error as { code: number; reason?: string }).code} ${(error as { reason?: string }).reason ?? ''}`;
  return String(error);
}

import { Client, fetchExchange, subscriptionExchange, type CombinedError } from '@urql/core';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { session } from './session';

/**
 * urql over HTTP for queries and mutations, graphql-ws for the live status subscription, both on
 * /graphql with the member's JWT. No cache: every answer is the server's current truth.
 */
let ws: WsClient | undefined;
let connections = 0;

/**
 * /graphql on this origin, unless the page names the API elsewhere with
 * `<meta name="graphql-endpoint" content="https://api.example.com/graphql">` (the dashboard hosted
 * on the platform's own origin, which the API must list in CORS_ORIGINS).
 */
const endpoint = new URL(document.querySelector<HTMLMetaElement>('meta[name="graphql-endpoint"]')?.content || '/graphql', location.href);

export interface LiveHooks {
  onAuthLost(): void;
  /** The socket is back after a drop (graphql-ws retried); subscriptions were sent again. */
  onReconnected(): void;
}

function socket({ onAuthLost, onReconnected }: LiveHooks): WsClient {
  ws ??= createWsClient({
    url: `${endpoint.protocol === 'https:' ? 'wss' : 'ws'}://${endpoint.host}${endpoint.pathname}`,
    connectionParams: () => ({ authorization: `Bearer ${session.token ?? ''}` }),
    keepAlive: 10_000,
    retryAttempts: 20,
    // 4403: the token is missing, bad or expired; retrying with it would not help.
    shouldRetry: (event) => !(typeof event === 'object' && event !== null && 'code' in event && (event as CloseEvent).code === 4403),
    on: {
      connected: () => {
        if (connections++ > 0) onReconnected();
      },
      closed: (event) => {
        if ((event as CloseEvent)?.code === 4403) onAuthLost();
      },
    },
  });
  return ws;
}

export function createApi(hooks: LiveHooks): Client {
  return new Client({
    url: endpoint.href,
    requestPolicy: 'network-only',
    // POST for queries too: Apollo's CSRF protection refuses simple GET requests.
    preferGetMethod: false,
    fetchOptions: (): RequestInit => ({ headers: session.token ? { authorization: `Bearer ${session.token}` } : ({} as Record<string, string>) }),
    exchanges: [
      subscriptionExchange({
        forwardSubscription(request) {
          const variables: Record<string, unknown> = { ...(request.variables ?? {}) };
          const input = { ...request, query: request.query ?? '', variables };
          return {
            subscribe(sink) {
              // Resume where we were: graphql-ws sends this same payload again on every retry, so
              // the cursor of the last change received goes into it. After a drop the server first
              // replays what was committed meanwhile, then continues live: nothing lost, nothing twice.
              const unsubscribe = socket(hooks).subscribe(input, {
                next: (result) => {
                  const cursor = (result.data as { connectionStatusChanged?: { cursor?: string } } | null | undefined)?.connectionStatusChanged?.cursor;
                  if (cursor) variables.after = cursor;
                  sink.next(result as Parameters<typeof sink.next>[0]);
                },
                error: (error) => sink.error(error),
                complete: () => sink.complete(),
              });
              return { unsubscribe };
            },
          };
        },
      }),
      fetchExchange,
    ],
  });
}

/** Closes the socket (sign-out), so the next sign-in connects with the new token. */
export async function resetSocket(): Promise<void> {
  await ws?.dispose();
  ws = undefined;
  connections = 0;
}

export interface ApiProblem {
  code: string;
  message: string;
  extensions: Record<string, unknown>;
}

/** The first GraphQL error's code, message and extensions (or a network failure). */
export function problemOf(error: CombinedError): ApiProblem {
  const first = error.graphQLErrors[0];
  if (first) return { code: String(first.extensions?.code ?? 'INTERNAL_SERVER_ERROR'), message: first.message, extensions: first.extensions ?? {} };
  return { code: 'NETWORK', message: 'The server could not be reached. Check your connection and try again.', extensions: {} };
}

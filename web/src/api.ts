import { Client, fetchExchange, subscriptionExchange, type CombinedError } from '@urql/core';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { session } from './session';

/**
 * urql over HTTP for queries and mutations, graphql-ws for the live status subscription, both on
 * /graphql with the member's JWT. No cache: every answer is the server's current truth.
 */
let ws: WsClient | undefined;

/**
 * /graphql on this origin, unless the page names the API elsewhere with
 * `<meta name="graphql-endpoint" content="https://api.example.com/graphql">` (the dashboard hosted
 * on the platform's own origin, which the API must list in CORS_ORIGINS).
 */
const endpoint = new URL(document.querySelector<HTMLMetaElement>('meta[name="graphql-endpoint"]')?.content || '/graphql', location.href);

function socket(onAuthLost: () => void): WsClient {
  ws ??= createWsClient({
    url: `${endpoint.protocol === 'https:' ? 'wss' : 'ws'}://${endpoint.host}${endpoint.pathname}`,
    connectionParams: () => ({ authorization: `Bearer ${session.token ?? ''}` }),
    keepAlive: 10_000,
    retryAttempts: 20,
    // 4403: the token is missing, bad or expired; retrying with it would not help.
    shouldRetry: (event) => !(typeof event === 'object' && event !== null && 'code' in event && (event as CloseEvent).code === 4403),
    on: {
      closed: (event) => {
        if ((event as CloseEvent)?.code === 4403) onAuthLost();
      },
    },
  });
  return ws;
}

export function createApi(onAuthLost: () => void): Client {
  return new Client({
    url: endpoint.href,
    requestPolicy: 'network-only',
    // POST for queries too: Apollo's CSRF protection refuses simple GET requests.
    preferGetMethod: false,
    fetchOptions: (): RequestInit => ({ headers: session.token ? { authorization: `Bearer ${session.token}` } : ({} as Record<string, string>) }),
    exchanges: [
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              const unsubscribe = socket(onAuthLost).subscribe(input, sink);
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

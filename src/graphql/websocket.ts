import type { Server } from 'node:http';
import type { GraphQLFormattedError, GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { createSocketContext } from '../context';
import { createDocumentCache } from './document-cache';
import { createSharedSubscribe } from './shared-subscribe';
import type { AuthenticatedMember } from '../services/auth/jwt-verifier';
import type { Services } from '../services';

interface SocketState {
  member?: AuthenticatedMember;
  expiryTimer?: NodeJS.Timeout;
}

const FORBIDDEN = 4403;
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * graphql-ws (graphql-transport-ws) on the HTTP server's port and path. The JWT comes in
 * connectionParams.authorization ("Bearer <jwt>" or the bare token), is checked once in onConnect
 * (a bad one closes with 4403 before any subscribe), and the socket is closed when it expires.
 */
export function attachWebSocketServer(
  httpServer: Server,
  schema: GraphQLSchema,
  services: Services,
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError,
  options: { keepAliveMs: number; path?: string },
) {
  const wsServer = new WebSocketServer({ server: httpServer, path: options.path ?? '/graphql' });
  const heartbeat = startHeartbeat(wsServer, options.keepAliveMs);
  const states = new WeakMap<WebSocket, SocketState>();
  const stateOf = (socket: WebSocket) => {
    let state = states.get(socket);
    if (!state) states.set(socket, (state = {}));
    return state;
  };

  const documents = createDocumentCache();

  const cleanup = useServer<Record<string, unknown> | undefined, { socket: WebSocket }>(
    {
      schema,
      // One shared AST per distinct document instead of one per subscription (see document-cache.ts).
      parse: documents.parse,
      validate: documents.validate,
      // One execution per event for a member's identical subscriptions (see shared-subscribe.ts).
      subscribe: createSharedSubscribe(),
      onConnect: (ctx) => {
        const raw = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        let member: AuthenticatedMember;
        try {
          member = services.jwt.verifyHeader(typeof raw === 'string' ? raw : undefined);
        } catch {
          return false; // graphql-ws closes with 4403 Forbidden
        }
        const state = stateOf(ctx.extra.socket);
        state.member = member;
        const msLeft = member.expiresAt * 1000 - Date.now();
        state.expiryTimer = setTimeout(() => ctx.extra.socket.close(FORBIDDEN, 'Forbidden: token expired'), Math.min(Math.max(msLeft, 0), MAX_TIMER_MS));
        state.expiryTimer.unref();
        services.metrics.subscriptions.set(services.events.subscriberCount);
        return true;
      },
      onClose: (ctx) => {
        clearTimeout(stateOf(ctx.extra.socket).expiryTimer);
      },
      // Errors over the socket get the same codes and redaction as over HTTP.
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map((error) => formatError(error.toJSON(), error)) } : undefined,
      onError: (_ctx, _id, _payload, errors) =>
        errors.map((error) => ({ message: error.message, locations: error.locations, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })),
      onComplete: () => {
        services.metrics.subscriptions.set(services.events.subscriberCount);
      },
      context: (ctx) => createSocketContext(services, stateOf(ctx.extra.socket).member!),
    },
    wsServer,
  );

  return {
    wsServer,
    /** Closes every socket with 1001 (going away) and stops accepting new ones. */
    dispose: async () => {
      clearInterval(heartbeat);
      await cleanup.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}

/**
 * Protocol pings from clients are answered by graphql-ws; this catches peers that vanished without
 * closing (a laptop lid, a dropped mobile network). Each socket is pinged every `intervalMs`; one
 * that has not answered the previous ping is terminated, which ends its subscriptions.
 */
function startHeartbeat(wsServer: WebSocketServer, intervalMs: number): NodeJS.Timeout {
  const alive = new WeakSet<WebSocket>();
  wsServer.on('connection', (socket) => {
    alive.add(socket);
    socket.on('pong', () => alive.add(socket));
  });
  const timer = setInterval(() => {
    for (const socket of wsServer.clients) {
      if (!alive.has(socket)) {
        socket.terminate();
        continue;
      }
      alive.delete(socket);
      socket.ping();
    }
  }, intervalMs);
  timer.unref();
  return timer;
}

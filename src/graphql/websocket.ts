import type { Server } from 'node:http';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { createSocketContext } from '../context';
import type { OperationPipeline } from './pipeline';
import { createSharedFrames } from './shared-frames';
import { startHeartbeat } from './websocket-heartbeat';
import { createSharedSubscribe } from './shared-subscribe';
import { createWebSocketLimits } from './websocket-limits';
import type { AuthenticatedMember } from '../services/auth/jwt-verifier';
import type { Services } from '../services';

interface SocketState {
  member?: AuthenticatedMember;
  expiryTimer?: NodeJS.Timeout;
}

const FORBIDDEN = 4403;
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * graphql-ws (graphql-transport-ws) on the HTTP server's port and path: the WebSocket adapter of
 * the operation pipeline (pipeline.ts). The JWT comes in connectionParams.authorization
 * ("Bearer <jwt>" or the bare token), is checked once in onConnect (a bad one closes with 4403
 * before any subscribe), and the socket is closed when it expires. Every `subscribe` message, of
 * any operation type, goes through the pipeline's `prepare` (token limit, the one rule set,
 * budgets, client mistakes) and its executor; every error through its formatter.
 */
export function attachWebSocketServer(httpServer: Server, pipeline: OperationPipeline, services: Services, options: { keepAliveMs: number; path?: string }) {
  const { limits } = services.config;
  // maxPayload: a bigger message closes the socket with 1009 before it is buffered whole.
  const wsServer = new WebSocketServer({ server: httpServer, path: options.path ?? '/graphql', maxPayload: limits.websocket.maxMessageBytes });
  const heartbeat = startHeartbeat(wsServer, options.keepAliveMs);
  const states = new WeakMap<WebSocket, SocketState>();
  const stateOf = (socket: WebSocket) => {
    let state = states.get(socket);
    if (!state) states.set(socket, (state = {}));
    return state;
  };

  const bounds = createWebSocketLimits(services, (socket) => stateOf(socket).member?.memberId);
  const frames = createSharedFrames(services.metrics, pipeline.formatError);

  const cleanup = useServer<Record<string, unknown> | undefined, { socket: WebSocket }>(
    {
      schema: pipeline.schema,
      // Queries and mutations: the pipeline's executor (compiled or graphql-js, as over HTTP).
      execute: pipeline.executePrepared,
      // One execution per event for a member's identical subscriptions (see shared-subscribe.ts).
      subscribe: createSharedSubscribe(),
      // WS_CONNECTION_INIT_TIMEOUT_MS is enforced (and counted) by websocket-limits.ts, with the same 4408.
      connectionInitWaitTimeout: 0,
      onConnect: (ctx) => {
        const raw = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        let member: AuthenticatedMember;
        try {
          member = pipeline.authenticate(typeof raw === 'string' ? raw : undefined);
        } catch {
          return false; // graphql-ws closes with 4403 Forbidden
        }
        if (!bounds.admitSocket(ctx.extra.socket, member.memberId)) return false; // closed with 4429
        const state = stateOf(ctx.extra.socket);
        state.member = member;
        const msLeft = member.expiresAt * 1000 - Date.now();
        state.expiryTimer = setTimeout(() => ctx.extra.socket.close(FORBIDDEN, 'Forbidden: token expired'), Math.min(Math.max(msLeft, 0), MAX_TIMER_MS));
        state.expiryTimer.unref();
        return true;
      },
      // Subscriptions per socket (a socket's own bound), then the pipeline's steps 2-4. The parsed
      // document is shared by every subscription of the same text (see document-cache.ts).
      onSubscribe: (ctx, _id, payload) =>
        bounds.refuseSubscription(ctx.extra.socket, Object.keys(ctx.subscriptions).length) ?? pipeline.prepare(stateOf(ctx.extra.socket).member!, payload),
      onClose: (ctx) => {
        clearTimeout(stateOf(ctx.extra.socket).expiryTimer);
      },
      // One payload per shared result, errors formatted as over HTTP, serialized once (see shared-frames.ts).
      onNext: (_ctx, _id, _payload, _args, result) => frames.onNext(result),
      jsonMessageReplacer: frames.jsonMessageReplacer,
      onError: (_ctx, _id, _payload, errors) => errors.map((error) => pipeline.formatError(error.toJSON(), error)),
      context: (ctx) => createSocketContext(services, stateOf(ctx.extra.socket).member!),
    },
    wsServer,
  );

  bounds.watchSockets(wsServer);
  frames.watchSockets(wsServer);

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

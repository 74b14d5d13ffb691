import type { Server } from 'node:http';
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { createSocketContext } from '../context';
import { createDocumentCache } from './document-cache';
import { createSharedSubscribe } from './shared-subscribe';
import { ErrorCode, AppError } from '../errors';
import { createTokenGuard, operationLimitRules, refusedLimit } from './operation-limits';
import type { AuthenticatedMember } from '../services/auth/jwt-verifier';
import type { Services } from '../services';

interface SocketState {
  member?: AuthenticatedMember;
  expiryTimer?: NodeJS.Timeout;
}

const FORBIDDEN = 4403;
/** Close code for a socket over WS_MAX_SOCKETS_PER_MEMBER (4429, after HTTP's 429). */
export const TOO_MANY_SOCKETS = 4429;
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
  const limits = services.config.limits;
  // maxPayload: a bigger message closes the socket with 1009 (ws) before it is buffered whole.
  const wsServer = new WebSocketServer({ server: httpServer, path: options.path ?? '/graphql', maxPayload: limits.websocket.maxMessageBytes });
  const heartbeat = startHeartbeat(wsServer, options.keepAliveMs);
  const states = new WeakMap<WebSocket, SocketState>();
  const stateOf = (socket: WebSocket) => {
    let state = states.get(socket);
    if (!state) states.set(socket, (state = {}));
    return state;
  };

  const documents = createDocumentCache(limits.enabled ? operationLimitRules(limits.operation) : []);
  const tokenGuard = limits.enabled ? createTokenGuard(limits.operation.maxTokens) : () => undefined;
  // Open sockets per member, on this instance only (a socket lives on one instance; see README).
  const socketsByMember = new Map<string, number>();

  const cleanup = useServer<Record<string, unknown> | undefined, { socket: WebSocket }>(
    {
      schema,
      // One shared AST per distinct document instead of one per subscription (see document-cache.ts).
      parse: documents.parse,
      validate: documents.validate,
      // One execution per event for a member's identical subscriptions (see shared-subscribe.ts).
      subscribe: createSharedSubscribe(),
      // No connection_init in time → graphql-ws closes with 4408.
      connectionInitWaitTimeout: limits.websocket.connectionInitTimeoutMs,
      onConnect: (ctx) => {
        const raw = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        let member: AuthenticatedMember;
        try {
          member = services.jwt.verifyHeader(typeof raw === 'string' ? raw : undefined);
        } catch {
          return false; // graphql-ws closes with 4403 Forbidden
        }
        const socket = ctx.extra.socket;
        const open = socketsByMember.get(member.memberId) ?? 0;
        if (open >= limits.websocket.maxSocketsPerMember) {
          services.refusals.refused('ws_sockets_per_member', member.memberId, { open });
          socket.close(TOO_MANY_SOCKETS, 'Too many connections for this member');
          return false; // the close above wins: a socket closes once
        }
        socketsByMember.set(member.memberId, open + 1);
        socket.once('close', () => {
          const left = (socketsByMember.get(member.memberId) ?? 1) - 1;
          if (left > 0) socketsByMember.set(member.memberId, left);
          else socketsByMember.delete(member.memberId);
        });
        const state = stateOf(socket);
        state.member = member;
        const msLeft = member.expiresAt * 1000 - Date.now();
        state.expiryTimer = setTimeout(() => ctx.extra.socket.close(FORBIDDEN, 'Forbidden: token expired'), Math.min(Math.max(msLeft, 0), MAX_TIMER_MS));
        state.expiryTimer.unref();
        services.metrics.subscriptions.set(services.events.subscriberCount);
        return true;
      },
      // Before the document is parsed: the socket's subscription count, tokens, the member's budget.
      onSubscribe: async (ctx, _id, payload) => {
        const member = stateOf(ctx.extra.socket).member;
        if (Object.keys(ctx.subscriptions).length > limits.websocket.maxSubscriptionsPerSocket) {
          services.refusals.refused('ws_subscriptions_per_socket', member?.memberId);
          return [
            new GraphQLError(`At most ${limits.websocket.maxSubscriptionsPerSocket} subscriptions per connection; complete one first or open another connection.`, {
              extensions: { code: ErrorCode.SUBSCRIPTION_LIMIT_EXCEEDED, limit: limits.websocket.maxSubscriptionsPerSocket },
            }),
          ];
        }
        const tooLarge = typeof payload.query === 'string' ? tokenGuard(payload.query) : undefined;
        if (tooLarge) return [tooLarge];
        if (!member) return undefined;
        try {
          await services.memberLimits.consume(member.memberId, { operations: 1 });
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          return [new GraphQLError(error.message, { extensions: { ...error.extensions, code: error.code } })];
        }
        return undefined;
      },
      onClose: (ctx) => {
        clearTimeout(stateOf(ctx.extra.socket).expiryTimer);
      },
      // Errors over the socket get the same codes and redaction as over HTTP.
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map((error) => formatError(error.toJSON(), error)) } : undefined,
      // Our coded refusals (limits, budgets) keep their code and extensions; anything else is a validation failure.
      onError: (ctx, _id, _payload, errors) =>
        errors.map((error) => {
          const limit = refusedLimit(error);
          if (limit) services.refusals.refused(limit, stateOf(ctx.extra.socket).member?.memberId);
          const code = error.extensions?.code;
          if (typeof code === 'string' && (Object.values(ErrorCode) as string[]).includes(code)) {
            return { message: error.message, locations: error.locations, extensions: error.extensions };
          }
          return { message: error.message, locations: error.locations, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } };
        }),
      onComplete: () => {
        services.metrics.subscriptions.set(services.events.subscriberCount);
      },
      context: (ctx) => createSocketContext(services, stateOf(ctx.extra.socket).member!),
    },
    wsServer,
  );

  // ws closes a socket whose message is over maxPayload with 1009, then emits 'error', which
  // graphql-ws prints with console.error on every such message. It is a refusal, not our fault:
  // counted and logged once per member and window like every other limit.
  wsServer.on('connection', (socket) => {
    socket.removeAllListeners('error');
    socket.on('error', (error: Error & { code?: string }) => {
      const member = stateOf(socket).member?.memberId;
      if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') services.refusals.refused('ws_message_size', member);
      else services.logger.warn({ err: error.message, memberId: member }, 'WebSocket error; the socket is closed');
      // ws has already started closing the socket with the status the error carries.
    });
  });

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

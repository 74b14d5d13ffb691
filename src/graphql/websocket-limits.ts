import { GraphQLError } from 'graphql';
import type { WebSocket, WebSocketServer } from 'ws';
import { ErrorCode } from '../errors';
import type { Services } from '../services';

/** graphql-ws's code for "no connection_init in time". */
export const INIT_TIMEOUT = 4408;
/** Close code for a socket over WS_MAX_SOCKETS_PER_MEMBER (4429, after HTTP's 429). */
export const TOO_MANY_SOCKETS = 4429;

/**
 * The WebSocket side of issue 15, kept out of websocket.ts: sockets per member (on this instance:
 * a socket lives on one instance, and a shared count would need rows a crashed instance leaves
 * behind), subscriptions per socket, oversized messages counted instead of printed, and the
 * connection_init timeout. maxPayload is an option websocket.ts passes to ws; tokens, the rule set
 * and budgets are the operation pipeline's (pipeline.ts), as on every transport.
 */
export function createWebSocketLimits(services: Services, memberOf: (socket: WebSocket) => string | undefined) {
  const limits = services.config.limits;
  const socketsByMember = new Map<string, number>();

  return {
    /** onConnect: false when the member already holds WS_MAX_SOCKETS_PER_MEMBER sockets here (closed with 4429). */
    admitSocket(socket: WebSocket, memberId: string): boolean {
      const open = socketsByMember.get(memberId) ?? 0;
      if (open >= limits.websocket.maxSocketsPerMember) {
        services.refusals.refused('ws_sockets_per_member', memberId, { open });
        socket.close(TOO_MANY_SOCKETS, 'Too many connections for this member');
        return false; // graphql-ws's own close (4403) comes second and is ignored: a socket closes once
      }
      socketsByMember.set(memberId, open + 1);
      socket.once('close', () => {
        const left = (socketsByMember.get(memberId) ?? 1) - 1;
        if (left > 0) socketsByMember.set(memberId, left);
        else socketsByMember.delete(memberId);
      });
      return true;
    },

    /**
     * onSubscribe, first: the socket's subscriptions (graphql-ws already holds a slot for this
     * one). The rest of what a subscribe goes through is the pipeline's (pipeline.ts).
     */
    refuseSubscription(socket: WebSocket, activeOnSocket: number): GraphQLError[] | undefined {
      if (activeOnSocket <= limits.websocket.maxSubscriptionsPerSocket) return undefined;
      services.refusals.refused('ws_subscriptions_per_socket', memberOf(socket));
      return [
        new GraphQLError(`At most ${limits.websocket.maxSubscriptionsPerSocket} subscriptions per connection; complete one first or open another connection.`, {
          extensions: { code: ErrorCode.SUBSCRIPTION_LIMIT_EXCEEDED, limit: limits.websocket.maxSubscriptionsPerSocket },
        }),
      ];
    },

    /**
     * Attach after useServer. A socket that has not been admitted (connection_init with a valid
     * token) within WS_CONNECTION_INIT_TIMEOUT_MS is closed with 4408.
     *
     * ws closes a socket whose message is over maxPayload with 1009, then emits 'error', which
     * graphql-ws prints with console.error every time. It is a refusal, not our fault: counted
     * and logged once per member and window like the other limits.
     */
    watchSockets(wsServer: WebSocketServer): void {
      wsServer.on('connection', (socket) => {
        // WS_CONNECTION_INIT_TIMEOUT_MS, ours rather than graphql-ws's so that it is counted too.
        const initTimer = setTimeout(() => {
          if (memberOf(socket) || socket.readyState !== socket.OPEN) return;
          services.refusals.refused('ws_init_timeout', undefined);
          socket.close(INIT_TIMEOUT, 'Connection initialisation timeout');
        }, limits.websocket.connectionInitTimeoutMs);
        initTimer.unref();
        socket.once('close', () => clearTimeout(initTimer));
        socket.removeAllListeners('error');
        socket.on('error', (error: Error & { code?: string }) => {
          if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') services.refusals.refused('ws_message_size', memberOf(socket));
          else services.logger.warn({ err: error.message, memberId: memberOf(socket) }, 'WebSocket error; the socket is closed');
          // ws has already started closing the socket with the status the error carries.
        });
      });
    },
  };
}

import { randomUUID } from 'node:crypto';
import type { ExecutionResult, FormattedExecutionResult, GraphQLFormattedError } from 'graphql';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Metrics } from '../metrics';

type FormatError = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/**
 * The `next` payload of a shared execution is serialized once, and that JSON goes into the frame
 * of every socket sharing it.
 *
 * Why: shared-subscribe.ts executes once per (event, document, variables) and hands the same
 * result object to every subscription that shares it, but graphql-ws then runs JSON.stringify over
 * `{id, type: 'next', payload}` for each socket: with 10 subscribers per member, a burst
 * serialized every payload ten times (bench/, scenario 2). The id differs per subscription, so
 * only the payload can be shared; its envelope is a few bytes.
 *
 * How, without forking graphql-ws (Node 20 has no JSON.rawJSON): `onNext` returns one payload
 * object per result (errors formatted once, so a shared error result stays shared too), and
 * serializes it the first time. graphql-ws stringifies each message with our
 * `jsonMessageReplacer`, which puts a sentinel string in place of a payload that has its JSON, and
 * passes the string straight on to ws's `send` in the same synchronous step (use/ws); the socket's
 * `send` swaps the sentinel for that JSON. The payload is the message's last key, so the sentinel
 * is recognised at the end of the frame only, where no client-supplied value (an id, a ping
 * payload) can put it. Everything else graphql-ws sends, and every other payload, passes as before.
 */
export function createSharedFrames(metrics: Metrics, formatError: FormatError) {
  const payloads = new WeakMap<ExecutionResult, ExecutionResult | FormattedExecutionResult>();
  const serialized = new WeakMap<object, string>();
  const sentinel = `\u0000shared-payload:${randomUUID()}\u0000`;
  const sentinelTail = `,"payload":${JSON.stringify(sentinel)}}`;
  /** The JSON for the sentinel in the message being stringified, taken by the send that follows. */
  let pendingJson: string | undefined;

  const payloadOf = (result: ExecutionResult): ExecutionResult | FormattedExecutionResult => {
    let payload = payloads.get(result);
    if (!payload) {
      // Errors over the socket get the same codes and redaction as over HTTP.
      payload = result.errors ? { ...result, errors: result.errors.map((error) => formatError(error.toJSON(), error)) } : result;
      const json = JSON.stringify(payload); // throws where graphql-ws's own stringify would have
      serialized.set(payload, json);
      payloads.set(result, payload);
      metrics.wsPayloadsSerialized.inc();
    }
    return payload;
  };

  function jsonMessageReplacer(this: unknown, key: string, value: unknown): unknown {
    if (key === '')
      pendingJson = undefined; // a new message
    else if (key === 'payload' && typeof value === 'object' && value !== null && (this as { type?: unknown }).type === 'next') {
      const json = serialized.get(value);
      if (json !== undefined) {
        pendingJson = json;
        return sentinel;
      }
    }
    return value;
  }

  const withSharedPayload = (data: unknown): unknown => {
    const json = pendingJson;
    pendingJson = undefined;
    if (json === undefined || typeof data !== 'string' || !data.endsWith(sentinelTail)) return data;
    metrics.wsNextFrames.inc();
    return `${data.slice(0, -sentinelTail.length)},"payload":${json}}`;
  };

  return {
    /** graphql-ws `onNext`: the one payload of `result`, for every subscription that shares it. */
    onNext: (result: ExecutionResult) => payloadOf(result),
    jsonMessageReplacer,
    /** Every socket's `send` puts the shared JSON in place of the sentinel. */
    watchSockets(wsServer: WebSocketServer): void {
      wsServer.on('connection', (socket: WebSocket) => {
        const send = socket.send.bind(socket) as (...args: unknown[]) => void;
        socket.send = function sendWithSharedPayload(data: unknown, ...rest: unknown[]) {
          return send(withSharedPayload(data), ...rest);
        } as WebSocket['send'];
      });
    },
  };
}

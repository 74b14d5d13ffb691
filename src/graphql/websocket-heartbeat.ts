import type { WebSocket, WebSocketServer } from 'ws';

/** How often a slice of the sockets is visited; each socket is still pinged once per interval. */
const SLICE_MS = 250;

/**
 * Protocol pings from clients are answered by graphql-ws; this catches peers that vanished without
 * closing (a laptop lid, a dropped mobile network). Each socket is pinged every `intervalMs`; one
 * that has not answered the previous ping is terminated, which ends its subscriptions.
 *
 * Sockets are visited in slices spread over the interval, not in one loop: each ping is a write to
 * the socket, and one loop over 10,000 sockets held the event loop for about half a second every
 * interval, so every status delivery due in that window waited for it (BENCHMARKS.md, scenario 2).
 * An interval shorter than two slices keeps a single slice, as before.
 */
export function startHeartbeat(wsServer: WebSocketServer, intervalMs: number): NodeJS.Timeout {
  const sliceCount = Math.max(1, Math.floor(intervalMs / SLICE_MS));
  const slices = Array.from({ length: sliceCount }, () => new Set<WebSocket>());
  const alive = new WeakSet<WebSocket>();
  let nextSlot = 0;
  let tick = 0;

  wsServer.on('connection', (socket) => {
    const slice = slices[nextSlot++ % sliceCount];
    slice.add(socket);
    alive.add(socket);
    socket.on('pong', () => alive.add(socket));
    socket.once('close', () => slice.delete(socket));
  });

  const timer = setInterval(() => {
    for (const socket of slices[tick++ % sliceCount]) {
      if (!alive.has(socket)) {
        socket.terminate();
        continue;
      }
      alive.delete(socket);
      socket.ping();
    }
  }, intervalMs / sliceCount);
  timer.unref();
  return timer;
}

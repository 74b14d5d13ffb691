import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createMetaTransport } from '../src/services/meta/meta-transport';

/**
 * The transport every Meta call goes through: keep-alive connections shared across calls, one
 * deadline per call, forms and headers as Meta sees and sends them. Against a real HTTP server
 * on loopback that counts its TCP connections.
 */
let server: Server;
let base: URL;
let connections = 0;
const open = new Set<Socket>();
let servedOwn: Socket | undefined;
const transport = createMetaTransport();
const metaTransport = transport.send;
const slow = new Set<string>();

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (slow.has(req.url ?? '')) return; // never answers: the caller's deadline must fire
      if (req.url === '/own') servedOwn = req.socket;
      res.setHeader('x-app-usage', '{"call_count":5}');
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.statusCode = req.url === '/missing' ? 404 : 200;
      res.end(JSON.stringify({ method: req.method, url: req.url, type: req.headers['content-type'] ?? null, body }));
    });
  });
  server.on('connection', (socket) => {
    connections++;
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
afterAll(async () => {
  await transport.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('metaTransport', () => {
  it('reuses kept-alive connections for calls one after another', async () => {
    const before = connections;
    for (let i = 0; i < 20; i++) {
      const response = await metaTransport(new URL(`/me?i=${i}`, base), { method: 'GET', timeoutMs: 5_000 });
      expect(response.status).toBe(200);
    }
    // One, or two when a call starts before undici has put the previous connection back in the pool; never one per call.
    expect(connections - before).toBeLessThanOrEqual(2);
  });

  it('sends forms url-encoded and returns status, body and every header', async () => {
    const body = new URLSearchParams({ grant_type: 'ig_refresh_token', note: 'a b&c' });
    const response = await metaTransport(new URL('/refresh', base), { method: 'POST', body, timeoutMs: 5_000 });
    expect(JSON.parse(response.text)).toEqual({
      method: 'POST',
      url: '/refresh',
      type: 'application/x-www-form-urlencoded',
      body: 'grant_type=ig_refresh_token&note=a+b%26c',
    });
    expect(response.headers.get('x-app-usage')).toBe('{"call_count":5}');
    expect(response.headers.get('set-cookie')).toBe('a=1, b=2');
    const missing = await metaTransport(new URL('/missing', base), { method: 'GET', timeoutMs: 5_000 });
    expect([missing.status, missing.ok]).toEqual([404, false]);
  });

  it('gives up after timeoutMs with a TimeoutError', async () => {
    slow.add('/slow');
    await expect(metaTransport(new URL('/slow', base), { method: 'GET', timeoutMs: 200 })).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('fails a call to a closed port as a network error, not a timeout', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await metaTransport(new URL(`http://127.0.0.1:${port}/me`), { method: 'GET', timeoutMs: 5_000 }).catch((e: Error) => e);
    expect(error).toHaveProperty('message'); // undici's errors come from another realm than jest's Error
    expect((error as Error).name).not.toBe('TimeoutError');
  });

  it('closes its kept-alive connections when it is closed, instead of leaving them open for 30 s', async () => {
    const own = createMetaTransport();
    await own.send(new URL('/own', base), { method: 'GET', timeoutMs: 5_000 });
    const socket = servedOwn!;
    expect(open.has(socket)).toBe(true); // kept alive after the answer
    await own.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(open.has(socket)).toBe(false);
  });
});

import { Agent, errors, request } from 'undici';

/** What MetaHttp reads of an answer. */
export interface MetaResponse {
  status: number;
  ok: boolean;
  headers: Headers;
  text: string;
}

export interface MetaTransportRequest {
  method: string;
  /** Form bodies only (application/x-www-form-urlencoded). */
  body?: URLSearchParams;
  timeoutMs: number;
}

/** Thrown when the whole call (connect, headers and body) took longer than timeoutMs. */
class MetaTimeoutError extends Error {
  override name = 'TimeoutError';
}

/**
 * One keep-alive connection pool per Meta origin, shared by every call of the service. The
 * lifecycle worker makes one call per account (about a fifth of its CPU went to `fetch`: WHATWG
 * Request/Response/Headers objects, a web ReadableStream per body and an AbortSignal.timeout per
 * call, bench/ scenario 4); undici's `request` on a shared Agent keeps the pooling and drops
 * that layer. Connections idle for 30 s are closed (Meta's edge keeps them longer).
 * The pool belongs to the services it was made for and is closed with them, so a stopped app (or
 * a test process that started several) leaves no kept-alive sockets behind.
 */
export interface MetaTransport {
  send(url: URL, req: MetaTransportRequest): Promise<MetaResponse>;
  /** Closes every pooled connection once the calls in flight have finished. */
  close(): Promise<void>;
}

export function createMetaTransport(): MetaTransport {
  const agent = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 60_000, connections: 64 });
  return { send: (url, req) => send(agent, url, req), close: () => agent.close() };
}

async function send(agent: Agent, url: URL, req: MetaTransportRequest): Promise<MetaResponse> {
  // One deadline for the whole call, as AbortSignal.timeout gave; a timer is cheaper than a signal per call.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new MetaTimeoutError(`timed out after ${req.timeoutMs}ms`)), req.timeoutMs);
  try {
    const response = await request(url, {
      method: req.method as 'GET' | 'POST' | 'DELETE',
      dispatcher: agent,
      signal: controller.signal,
      ...(req.body ? { body: req.body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } } : {}),
    });
    const text = await response.body.text();
    const headers = new Headers();
    for (const [name, value] of Object.entries(response.headers)) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      else headers.set(name, value);
    }
    return { status: response.statusCode, ok: response.statusCode >= 200 && response.statusCode < 300, headers, text };
  } catch (error) {
    if (controller.signal.aborted || error instanceof errors.RequestAbortedError) throw new MetaTimeoutError(`timed out after ${req.timeoutMs}ms`);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

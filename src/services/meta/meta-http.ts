import { createHmac } from 'node:crypto';
import type { Clock } from '../../clock';
import type { MetaConfig } from '../../config';
import type { Logger } from '../../logger';
import { classifyMetaError, MetaError, MetaRateLimitError, MetaTransientError, type MetaHost } from './errors';
import { parseJsonKeepingBigInts } from './json';
import { metaTransport, type MetaResponse, type MetaTransportRequest } from './meta-transport';
import type { RateLimitGate } from './rate-limit-gate';

export interface MetaRequest {
  host: MetaHost;
  method?: 'GET' | 'POST' | 'DELETE';
  /** Path after the host, e.g. `/me/accounts`. */
  path: string;
  /** Prefix the path with the Graph API version. */
  versioned?: boolean;
  query?: Record<string, string | number | undefined>;
  /** Sent as application/x-www-form-urlencoded. */
  form?: Record<string, string | undefined>;
  /** A user or page token; on graph.facebook.com it gets an appsecret_proof. */
  accessToken?: string;
  /** Extra rate-limit scopes this call belongs to (page or IG ids). */
  businessIds?: string[];
  /** A label for logs and metrics, e.g. "me/accounts". Never the URL: URLs can carry tokens. */
  operation: string;
}

export type MetaCallOutcome = 'ok' | 'auth' | 'permission' | 'rate_limited' | 'transient' | 'bad_request';

export interface MetaHttpEvents {
  onCall?(host: MetaHost, operation: string, outcome: MetaCallOutcome): void;
}

/**
 * The one way we talk to Meta, for every host: timeouts, bounded retries with backoff for
 * transient failures only, the rate-limit gate, appsecret_proof, and the error classifier.
 */
export class MetaHttp {
  constructor(
    private readonly config: MetaConfig,
    private readonly gate: RateLimitGate,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly events: MetaHttpEvents = {},
  ) {}

  /** The HMAC Meta expects with every server call that carries a user or page token. */
  appsecretProof(token: string): string {
    return createHmac('sha256', this.config.facebook.secret).update(token).digest('hex');
  }

  url(host: MetaHost, path: string, versioned = false): URL {
    const base = this.config.urls[host];
    return new URL(`${base}${versioned ? `/${this.config.graphVersion}` : ''}${path}`);
  }

  async request<T>(req: MetaRequest): Promise<T> {
    const scopes = this.scopesFor(req);
    let attempt = 0;
    for (;;) {
      attempt++;
      this.gate.check(scopes);
      try {
        const result = await this.once<T>(req, scopes);
        this.events.onCall?.(req.host, req.operation, 'ok');
        return result;
      } catch (error) {
        const metaError = error instanceof MetaError ? error : new MetaTransientError({ message: String(error) });
        this.events.onCall?.(req.host, req.operation, metaError.kind);
        if (metaError instanceof MetaRateLimitError) {
          // Code 4 is the app-wide limit; the others (17 user, 32/80001 page, 80002 IG) belong to the ids.
          const limited = metaError.code === 4 || scopes.length === 1 ? scopes : scopes.slice(1);
          this.gate.limited(limited, metaError.retryAfterSeconds);
        }
        if (!(metaError instanceof MetaTransientError) || attempt >= this.config.maxAttempts) throw metaError;
        const delay = this.config.retryBaseDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random());
        this.logger.warn(
          { host: req.host, operation: req.operation, attempt, code: metaError.code, delayMs: Math.round(delay) },
          'transient Meta failure, retrying',
        );
        await this.clock.sleep(delay);
      }
    }
  }

  /** Follows an absolute `paging.next` URL that Meta returned (it already carries the token). */
  async requestAbsolute<T>(req: Omit<MetaRequest, 'path'> & { absoluteUrl: string }): Promise<T> {
    const url = new URL(req.absoluteUrl);
    const base = new URL(this.config.urls[req.host]);
    if (url.origin !== base.origin) throw new MetaTransientError({ message: `refusing to follow a paging URL on ${url.origin}` });
    const query: Record<string, string> = {};
    url.searchParams.forEach((value, key) => {
      if (key !== 'access_token' && key !== 'appsecret_proof') query[key] = value;
    });
    const basePath = base.pathname.replace(/\/+$/, '');
    const path = url.pathname.startsWith(basePath) ? url.pathname.slice(basePath.length) : url.pathname;
    return this.request<T>({ ...req, path, versioned: false, query: { ...query, ...req.query } });
  }

  /** One entry of a Graph batch answer: the parsed body, or the classified error. */
  parseBatchEntry(status: number, body: string): unknown {
    let parsed: unknown;
    try {
      parsed = body ? parseJsonKeepingBigInts(body) : {};
    } catch {
      return new MetaTransientError({ message: `batch entry answered HTTP ${status} with a non-JSON body`, httpStatus: status });
    }
    const hasError = typeof parsed === 'object' && parsed !== null && 'error' in parsed;
    return status >= 200 && status < 300 && !hasError ? parsed : classifyMetaError(status, parsed);
  }

  private scopesFor(req: MetaRequest): string[] {
    const app = req.host.startsWith('facebook') ? 'app:facebook' : 'app:instagram';
    return [app, ...(req.businessIds ?? []).map((id) => `business:${id}`)];
  }

  private async once<T>(req: MetaRequest, scopes: string[]): Promise<T> {
    const url = this.url(req.host, req.path, req.versioned);
    for (const [key, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    if (req.accessToken) {
      url.searchParams.set('access_token', req.accessToken);
      if (req.host === 'facebookGraph') url.searchParams.set('appsecret_proof', this.appsecretProof(req.accessToken));
    }
    const init: MetaTransportRequest = { method: req.method ?? 'GET', timeoutMs: this.config.timeoutMs };
    if (req.form) {
      const body = new URLSearchParams();
      for (const [key, value] of Object.entries(req.form)) if (value !== undefined) body.set(key, value);
      init.body = body;
    }

    let response: MetaResponse;
    let text: string;
    try {
      response = await metaTransport(url, init); // pooled keep-alive connections, see meta-transport.ts
      text = response.text;
    } catch (error) {
      const cause = (error as Error).name === 'TimeoutError' ? `timed out after ${this.config.timeoutMs}ms` : 'network failure';
      throw new MetaTransientError({ message: `Meta ${req.operation}: ${cause}` });
    }
    this.gate.observe(scopes[0], response.headers);

    let body: unknown;
    try {
      body = text ? parseJsonKeepingBigInts(text) : {};
    } catch {
      const details = { message: `Meta ${req.operation} answered HTTP ${response.status} with a non-JSON body`, httpStatus: response.status };
      throw response.status >= 500 ? new MetaTransientError(details) : classifyMetaError(response.status, {});
    }
    const hasError = typeof body === 'object' && body !== null && ('error' in body || 'error_message' in body);
    if (!response.ok || hasError) {
      const retryAfter = Number(response.headers.get('retry-after')) || undefined;
      throw classifyMetaError(response.status, body, retryAfter);
    }
    return body as T;
  }
}

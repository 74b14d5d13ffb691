import { createHmac } from 'node:crypto';
import type { Clock } from '../../clock';
import type { MetaConfig } from '../../config';
import type { Logger } from '../../logger';
import { classifyMetaError, isRateLimitCode, MetaError, MetaRateLimitError, MetaTransientError, type MetaHost } from './errors';
import { parseJsonKeepingBigInts } from './json';
import type { MetaResponse, MetaTransport, MetaTransportRequest } from './meta-transport';
import type { RateLimitGate } from './rate-limit-gate';
import {
  parseAppUsage,
  parseBusinessUseCaseUsage,
  parseRetryAfter,
  pausesForError,
  pausesFromUsage,
  retryAfterFor,
  scopesToCheck,
  tokenFingerprint,
  type CallTargets,
} from './rate-limit-scopes';

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
  /** What the call touches beyond its token, so a rate limit pauses exactly that (rate-limit-scopes.ts). */
  limits?: RateLimitHints;
  /** A label for logs and metrics, e.g. "me/accounts". Never the URL: URLs can carry tokens. */
  operation: string;
}

export interface RateLimitHints {
  instagramAccountId?: string;
  pageId?: string;
  /** The node called; by default the path's first segment when it is a Graph id. */
  objectId?: string;
  /** The token the call is about when it is not the access token (debug_token's input_token). */
  subjectToken?: string;
}

export type MetaCallOutcome = 'ok' | 'auth' | 'permission' | 'rate_limited' | 'transient' | 'bad_request';

export interface MetaHttpEvents {
  onCall?(host: MetaHost, operation: string, outcome: MetaCallOutcome): void;
  /** Wraps each call, retries included (tracing); `outcomeOf` classifies a failure. */
  span?: <T>(host: MetaHost, operation: string, run: () => Promise<T>, outcomeOf: (error: unknown) => string) => Promise<T>;
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
    private readonly transport: MetaTransport,
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
    const span = this.events.span;
    if (!span) return this.requestWithRetries<T>(req);
    return span(
      req.host,
      req.operation,
      () => this.requestWithRetries<T>(req),
      (error) => (error instanceof MetaError ? error.kind : 'transient'),
    );
  }

  private async requestWithRetries<T>(req: MetaRequest): Promise<T> {
    const targets = this.targetsFor(req);
    const scopes = scopesToCheck(targets);
    let attempt = 0;
    for (;;) {
      attempt++;
      this.gate.check(scopes);
      try {
        const result = await this.once<T>(req, targets);
        this.events.onCall?.(req.host, req.operation, 'ok');
        return result;
      } catch (error) {
        const metaError = error instanceof MetaError ? error : new MetaTransientError({ message: String(error) });
        this.events.onCall?.(req.host, req.operation, metaError.kind);
        // Rate limits are never retried here: retrying spends the very budget Meta says is gone.
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

  /** The error a call with these targets gets right now without calling Meta, if its scope is paused. */
  pausedFor(targets: CallTargets): MetaRateLimitError | undefined {
    return this.gate.blocked(scopesToCheck(targets));
  }

  /** What a call made with this token on this host touches (batch entries build theirs from it). */
  targetsFor(req: Pick<MetaRequest, 'host' | 'path' | 'accessToken' | 'limits'>): CallTargets {
    const app = req.host.startsWith('facebook') ? 'facebook' : 'instagram';
    const subject = req.limits?.subjectToken ?? req.accessToken;
    const tokenFp = subject ? tokenFingerprint(subject) : undefined;
    const node = req.path.split('/').filter(Boolean)[0];
    const objectId = req.limits?.objectId ?? (node && /^\d+$/.test(node) ? node : node === 'me' ? tokenFp : undefined);
    return { app, tokenFp, instagramAccountId: req.limits?.instagramAccountId, pageId: req.limits?.pageId, objectId };
  }

  /**
   * Learns from one answer (a whole response, or one entry of a Graph batch): usage headers, then
   * the error. A rate-limit error pauses the scope its code names (shared through the gate) and
   * carries the time Meta gave: Retry-After, else estimated_time_to_regain_access.
   */
  async learn(targets: CallTargets, status: number, headers: Headers, body: unknown): Promise<MetaError | undefined> {
    const business = parseBusinessUseCaseUsage(headers.get('x-business-use-case-usage'));
    const pauses = pausesFromUsage(targets.app, parseAppUsage(headers.get('x-app-usage')), business, this.gate.thresholdPercent);
    const hasError = typeof body === 'object' && body !== null && ('error' in body || 'error_message' in body);
    let error: MetaError | undefined;
    if (status < 200 || status >= 300 || hasError) {
      const seconds = retryAfterFor(parseRetryAfter(headers.get('retry-after'), this.clock.now().getTime()), business);
      error = classifyMetaError(status, body, seconds);
      if (error instanceof MetaRateLimitError) {
        // A 429 without one of Meta's rate-limit codes is scoped like a bare 429.
        const code = isRateLimitCode(error.code) ? error.code : undefined;
        pauses.push(...pausesForError(code, status, targets, business, seconds));
      }
    }
    await this.gate.pause(pauses);
    return error;
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

  /** One entry of a Graph batch answer: the parsed body, or the classified error (rate limits reach the gate). */
  async parseBatchEntry(targets: CallTargets, status: number, body: string, headers: Array<{ name: string; value: string }> = []): Promise<unknown> {
    let parsed: unknown;
    try {
      parsed = body ? parseJsonKeepingBigInts(body) : {};
    } catch {
      if (status === 429) parsed = {};
      else return new MetaTransientError({ message: `batch entry answered HTTP ${status} with a non-JSON body`, httpStatus: status });
    }
    const entryHeaders = new Headers();
    for (const h of headers) if (h?.name && typeof h.value === 'string') entryHeaders.append(h.name, h.value);
    return (await this.learn(targets, status, entryHeaders, parsed)) ?? parsed;
  }

  private async once<T>(req: MetaRequest, targets: CallTargets): Promise<T> {
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
      response = await this.transport.send(url, init); // pooled keep-alive connections, see meta-transport.ts
      text = response.text;
    } catch (error) {
      const cause = (error as Error | undefined)?.name === 'TimeoutError' ? `timed out after ${this.config.timeoutMs}ms` : 'network failure';
      throw new MetaTransientError({ message: `Meta ${req.operation}: ${cause}` });
    }
    let body: unknown;
    try {
      body = text ? parseJsonKeepingBigInts(text) : {};
    } catch {
      const details = { message: `Meta ${req.operation} answered HTTP ${response.status} with a non-JSON body`, httpStatus: response.status };
      if (response.status >= 500) throw new MetaTransientError(details);
      if (response.ok) throw classifyMetaError(response.status, {});
      body = {}; // a 4xx page (e.g. a bare 429): classified below from the status and headers
    }
    const error = await this.learn(targets, response.status, response.headers, body);
    if (error) throw error;
    return body as T;
  }
}

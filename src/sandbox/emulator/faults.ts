import { graphError, type GraphResult } from './responses';

export type FaultHost = 'facebook' | 'instagram' | 'any';
export type FaultKind = 'server_error' | 'transient' | 'rate_limit' | 'throttled' | 'permission' | 'auth' | 'bad_request' | 'network_reset';

export interface FaultRule {
  host: FaultHost;
  /** Matches calls whose path contains this text (every call when omitted). */
  pathIncludes?: string;
  /** How many matching calls fail; 0 removes the rules with the same host and path. */
  count: number;
  kind: FaultKind;
  /** Meta error code (rate_limit: 4/17/32/613/80001/80002; permission: 10/200; auth: 190). */
  code?: number;
  subcode?: number;
  /**
   * Also matches calls made with a token of this subject (Facebook user, Page, or Business
   * Login account), whatever the path: how a user (17) or an Instagram account (80002 on /me) is limited.
   */
  subjectId?: string;
  /** rate_limit: the object Meta names in X-Business-Use-Case-Usage (default: subjectId, or pathIncludes when it is an id). */
  objectId?: string;
  /** rate_limit: estimated_time_to_regain_access, in minutes (Meta's unit). */
  regainMinutes?: number;
  /** throttled: the Retry-After of the HTTP 429, in seconds. */
  retryAfterSeconds?: number;
  /** Instead of a count: every matching call fails until the emulator's clock reaches this (epoch ms). */
  untilMs?: number;
}

/**
 * Business use case `type` Meta reports for the codes that are Business Use Case limits. 17 (a
 * user's platform limit) and 613 (one endpoint's or object's own limit) come without that header.
 */
const BUC_TYPE: Record<number, string> = { 80002: 'instagram', 32: 'pages', 80001: 'pages' };

export interface UsageSettings {
  /** X-App-Usage percentages. */
  app?: { call_count?: number; total_time?: number; total_cputime?: number };
  /** X-Business-Use-Case-Usage by object id: percent and minutes until access comes back. */
  business?: Record<string, { percent: number; regainMinutes?: number; type?: string }>;
}

/** Injected failures and usage headers: how tests make the emulator misbehave on purpose. */
export class Faults {
  private rules: FaultRule[] = [];

  constructor(private readonly now: () => number = Date.now) {}
  usage: UsageSettings = {};
  /** Batch entries to answer with null (not processed). */
  nullBatchEntries = 0;
  /** Real milliseconds every answer waits (load tests). */
  latencyMs = 0;
  /** Requests that have arrived and are being held by `latencyMs` (tests wait on it: "the call is in flight"). */
  delayedNow = 0;

  add(rule: FaultRule): void {
    if (rule.count <= 0 && rule.untilMs === undefined) {
      this.rules = this.rules.filter((r) => !(r.host === rule.host && r.pathIncludes === rule.pathIncludes));
      return;
    }
    this.rules.push({ ...rule });
  }

  /** Lifts every rate limit (rules of kind rate_limit and throttled). */
  liftRateLimits(): void {
    this.rules = this.rules.filter((r) => r.kind !== 'rate_limit' && r.kind !== 'throttled');
  }

  clear(): void {
    this.rules = [];
    this.usage = {};
    this.nullBatchEntries = 0;
    this.latencyMs = 0;
  }

  /** The failure this call should get, consuming one use of the first matching rule. `subjects`: who the call's token belongs to. */
  take(host: 'facebook' | 'instagram', path: string, subjects: string[] = []): GraphResult | undefined {
    const now = this.now();
    this.rules = this.rules.filter((r) => r.untilMs === undefined || r.untilMs > now);
    const index = this.rules.findIndex(
      (r) =>
        (r.host === 'any' || r.host === host) &&
        (r.subjectId ? subjects.includes(r.subjectId) || path.includes(r.subjectId) : !r.pathIncludes || path.includes(r.pathIncludes)),
    );
    if (index < 0) return undefined;
    const rule = this.rules[index];
    if (rule.untilMs === undefined && --rule.count <= 0) this.rules.splice(index, 1);
    return failureFor(rule);
  }

  headers(path: string): Record<string, string> {
    const headers: Record<string, string> = {};
    const app = { call_count: 0, total_time: 0, total_cputime: 0, ...this.usage.app };
    headers['x-app-usage'] = JSON.stringify(app);
    const business = Object.entries(this.usage.business ?? {}).filter(([id]) => path.includes(id));
    if (business.length > 0) {
      headers['x-business-use-case-usage'] = JSON.stringify(
        Object.fromEntries(
          business.map(([id, u]) => [
            id,
            [
              {
                type: u.type ?? 'instagram',
                call_count: u.percent,
                total_cputime: u.percent,
                total_time: u.percent,
                estimated_time_to_regain_access: u.regainMinutes ?? 0,
              },
            ],
          ]),
        ),
      );
    }
    return headers;
  }
}

function failureFor(rule: FaultRule): GraphResult {
  switch (rule.kind) {
    case 'network_reset':
      return { status: 0, body: null, reset: true };
    case 'server_error':
      return graphError(500, rule.code ?? 1, 'An unknown error occurred', { isTransient: false });
    case 'transient':
      return graphError(503, rule.code ?? 2, 'An unexpected error has occurred. Please retry your request later.', { isTransient: true });
    case 'throttled':
      return {
        status: 429,
        body: { error: { message: 'Too many requests. Please retry after the time in Retry-After.', type: 'OAuthException', fbtrace_id: 'emulated429' } },
        headers: { 'retry-after': String(rule.retryAfterSeconds ?? 60) },
      };
    case 'rate_limit': {
      const code = rule.code ?? 4;
      const messages: Record<number, string> = {
        4: '(#4) Application request limit reached',
        17: '(#17) User request limit reached',
        32: '(#32) Page request limit reached',
        613: '(#613) Calls to this api have exceeded the rate limit.',
        80002: '(#80002) There have been too many calls to this Instagram account. Wait a bit and try again.',
      };
      const result = graphError(code === 4 || code === 17 ? 403 : 400, code, messages[code] ?? `(#${code}) Rate limit reached`, { isTransient: true });
      return { ...result, headers: rateLimitHeaders(rule, code) };
    }
    case 'permission': {
      const code = rule.code ?? 10;
      return graphError(403, code, code === 10 ? '(#10) Application does not have permission for this action' : `(#${code}) Permissions error`);
    }
    case 'auth':
      return graphError(400, rule.code ?? 190, 'Error validating access token.', { subcode: rule.subcode });
    case 'bad_request':
      return graphError(400, rule.code ?? 100, '(#100) Invalid parameter');
  }
}

/**
 * The usage headers Meta sends with a rate-limit error, scoped as Meta scopes it: the app limit
 * (4) comes with X-App-Usage at 100 %; an object's limit comes with a LOW X-App-Usage and an
 * X-Business-Use-Case-Usage entry naming only that object, with the minutes until it recovers.
 */
function rateLimitHeaders(rule: FaultRule, code: number): Record<string, string> {
  if (code === 4) return { 'x-app-usage': JSON.stringify({ call_count: 100, total_time: 64, total_cputime: 38 }) };
  const headers: Record<string, string> = { 'x-app-usage': JSON.stringify({ call_count: 3, total_time: 2, total_cputime: 1 }) };
  const objectId = rule.objectId ?? rule.subjectId ?? (rule.pathIncludes && /^\d+$/.test(rule.pathIncludes) ? rule.pathIncludes : undefined);
  if (objectId && BUC_TYPE[code]) {
    headers['x-business-use-case-usage'] = JSON.stringify({
      [objectId]: [{ type: BUC_TYPE[code], call_count: 100, total_cputime: 12, total_time: 20, estimated_time_to_regain_access: rule.regainMinutes ?? 0 }],
    });
  }
  return headers;
}

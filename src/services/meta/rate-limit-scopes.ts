import { createHash } from 'node:crypto';

/**
 * Which scope a Meta rate limit belongs to (docs/meta-rate-limits.md). Meta counts calls per app,
 * per user token, per Page, per Instagram account and per object, and its error codes and usage
 * headers say which of these ran out. We pause exactly that scope: one creator's Instagram
 * account being limited (#80002) must not stop every other creator's syncs and connects.
 *
 * A scope key is `<kind>:<id>`. Ids are Meta's own (Page, Instagram account, node) or, where we
 * do not know Meta's id for what a token stands for, `t.<fingerprint of the token>`: a user
 * token is "that Meta user's grant", a Page token "that Page", a Business Login token "that
 * Instagram account". Fingerprints are 64 bits of SHA-256: stable across processes, useless to
 * anyone reading the table.
 */
export type ScopeKind = 'app' | 'user' | 'page' | 'instagram_account' | 'object';

export type MetaApp = 'facebook' | 'instagram';

export interface PauseRequest {
  kind: ScopeKind;
  key: string;
  seconds: number;
  /** Why, for logs and the table: "code 80002", "X-App-Usage 95%". */
  reason: string;
}

/** What one call touches, as far as rate limits go. */
export interface CallTargets {
  app: MetaApp;
  /** Fingerprint of the token the limit is about (the access token, or debug_token's input token). */
  tokenFp?: string;
  instagramAccountId?: string;
  pageId?: string;
  /** The Graph node called (613 limits it alone). */
  objectId?: string;
}

export interface UsageReport {
  /** Highest percentage among call_count, total_time, total_cputime. */
  percent: number;
  /** Seconds until access is regained, when Meta says so. */
  regainSeconds?: number;
}

export interface BusinessUsage extends UsageReport {
  id: string;
  /** Meta's business use case type: `instagram`, `pages`, `ads_management`... */
  type?: string;
}

/** When Meta limits a scope but names no time, pause this long before trying again. */
const DEFAULT_PAUSE_SECONDS = 60;

const scopeKey = (kind: ScopeKind, id: string) => `${kind}:${id}`;
export const kindOfKey = (key: string): ScopeKind => key.slice(0, key.indexOf(':')) as ScopeKind;

export function tokenFingerprint(token: string): string {
  return `t.${createHash('sha256').update(token).digest('hex').slice(0, 16)}`;
}

/** Every scope a call belongs to: if any is paused the call is not made. */
export function scopesToCheck(t: CallTargets): string[] {
  const keys = [scopeKey('app', t.app)];
  if (t.tokenFp) for (const kind of ['user', 'page', 'instagram_account', 'object'] as const) keys.push(scopeKey(kind, t.tokenFp));
  if (t.instagramAccountId) keys.push(scopeKey('instagram_account', t.instagramAccountId));
  if (t.pageId) keys.push(scopeKey('page', t.pageId));
  // The node called may itself be a paused Page or Instagram account (a batch entry names only its node).
  if (t.objectId) for (const kind of ['page', 'instagram_account', 'object'] as const) keys.push(scopeKey(kind, t.objectId));
  return keys;
}

const BUC_TYPE_KIND: Record<string, ScopeKind> = { instagram: 'instagram_account', pages: 'page' };
const buckKind = (type: string | undefined): ScopeKind => (type && BUC_TYPE_KIND[type]) || 'object';

/**
 * Usage headers on any answer: X-App-Usage at or over the threshold pauses the app;
 * X-Business-Use-Case-Usage pauses only the ids it names, when they are over the threshold or
 * Meta gives a time to regain access.
 */
export function pausesFromUsage(app: MetaApp, appUsage: UsageReport | undefined, business: BusinessUsage[], thresholdPercent: number): PauseRequest[] {
  const pauses: PauseRequest[] = [];
  if (appUsage && appUsage.percent >= thresholdPercent) {
    pauses.push({ kind: 'app', key: scopeKey('app', app), seconds: DEFAULT_PAUSE_SECONDS, reason: `X-App-Usage ${appUsage.percent}%` });
  }
  for (const entry of business) {
    if (entry.percent < thresholdPercent && !(entry.regainSeconds && entry.regainSeconds > 0)) continue;
    const kind = buckKind(entry.type);
    pauses.push({
      kind,
      key: scopeKey(kind, entry.id),
      seconds: entry.regainSeconds || DEFAULT_PAUSE_SECONDS,
      reason: `X-Business-Use-Case-Usage ${entry.type ?? ''} ${entry.percent}%`.trim(),
    });
  }
  return pauses;
}

/**
 * A rate-limit error: the scopes its code names, never wider. `retryAfterSeconds` is already the
 * best time we have (Retry-After, else estimated_time_to_regain_access, else the default).
 */
export function pausesForError(
  code: number | undefined,
  httpStatus: number | undefined,
  t: CallTargets,
  business: BusinessUsage[],
  retryAfterSeconds: number,
): PauseRequest[] {
  const reason = code !== undefined ? `code ${code}` : `HTTP ${httpStatus ?? '?'}`;
  const make = (kind: ScopeKind, ids: Array<string | undefined>): PauseRequest[] =>
    [...new Set(ids.filter((id): id is string => Boolean(id)))].map((id) => ({ kind, key: scopeKey(kind, id), seconds: retryAfterSeconds, reason }));
  const named = (kind: ScopeKind) => business.filter((b) => buckKind(b.type) === kind).map((b) => b.id);
  /** The ids Meta names for this kind, plus this call's own one, so the next call like this one is held back too. */
  const scoped = (kind: ScopeKind, own: string | undefined) => make(kind, [own, ...named(kind)]);
  const first = (...candidates: PauseRequest[][]) => candidates.find((c) => c.length > 0) ?? [];

  switch (code) {
    case 4:
      return make('app', [t.app]);
    case 17:
      return make('user', [t.tokenFp]);
    case 32:
    case 80001:
      // A Page token stands for its Page; a batch entry names only its node.
      return scoped('page', t.pageId ?? t.tokenFp ?? t.objectId);
    case 80002:
      // The account we named, else the node called (a batch entry's IG user), else the Business Login token.
      return scoped('instagram_account', t.instagramAccountId ?? t.objectId ?? t.tokenFp);
    case 613:
      return make('object', [t.objectId ?? t.tokenFp]);
    case undefined:
      // HTTP 429 without a Graph code: whatever this call is narrowest about, the app when nothing else.
      return first(make('object', [t.objectId]), make('user', [t.tokenFp]), make('app', [t.app]));
    default: {
      // Other Business Use Case codes (80003...80014): the ids the header names.
      const ids = business.map((b) => ({ kind: buckKind(b.type), id: b.id }));
      return ids.length > 0 ? ids.flatMap(({ kind, id }) => make(kind, [id])) : make('object', [t.objectId ?? t.tokenFp]);
    }
  }
}

function percentOf(usage: Record<string, unknown>): number {
  return Math.max(0, ...['call_count', 'total_time', 'total_cputime'].map((k) => Number(usage[k]) || 0));
}

export function parseAppUsage(header: string | null): UsageReport | undefined {
  if (!header) return undefined;
  try {
    const parsed: unknown = JSON.parse(header);
    return typeof parsed === 'object' && parsed !== null ? { percent: percentOf(parsed as Record<string, unknown>) } : undefined;
  } catch {
    return undefined;
  }
}

/** `{"<id>":[{"type","call_count","total_cputime","total_time","estimated_time_to_regain_access"}]}`; the time is in MINUTES. */
export function parseBusinessUseCaseUsage(header: string | null): BusinessUsage[] {
  if (!header) return [];
  try {
    const parsed = JSON.parse(header) as Record<string, unknown>;
    if (typeof parsed !== 'object' || parsed === null) return [];
    return Object.entries(parsed).flatMap(([id, entries]) =>
      (Array.isArray(entries) ? entries : []).map((entry: Record<string, unknown>) => {
        const minutes = Number(entry.estimated_time_to_regain_access) || 0;
        return {
          id,
          type: typeof entry.type === 'string' ? entry.type : undefined,
          percent: percentOf(entry),
          regainSeconds: minutes > 0 ? minutes * 60 : undefined,
        };
      }),
    );
  } catch {
    return [];
  }
}

/** `Retry-After` is seconds or an HTTP date. */
export function parseRetryAfter(header: string | null, nowMs: number): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds > 0) return Math.ceil(seconds);
  const at = Date.parse(header);
  return Number.isFinite(at) && at > nowMs ? Math.ceil((at - nowMs) / 1000) : undefined;
}

/** The time an error should carry: Retry-After, else the longest regain time Meta named, else the default. */
export function retryAfterFor(retryAfter: number | undefined, business: BusinessUsage[]): number {
  if (retryAfter) return retryAfter;
  const regain = Math.max(0, ...business.map((b) => b.regainSeconds ?? 0));
  return regain > 0 ? regain : DEFAULT_PAUSE_SECONDS;
}

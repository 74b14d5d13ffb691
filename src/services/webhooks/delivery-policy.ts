/**
 * What one delivery attempt's answer means, and when to try again. Pure functions of the answer,
 * the clock and the config, so the rules read in one place.
 */
export type AttemptOutcome =
  | { kind: 'delivered'; statusCode: number }
  /** Try again later: network error, timeout, 408, 429, 5xx. */
  | { kind: 'retry'; statusCode: number | null; error: string; retryAfterMs?: number }
  /** The endpoint refused it (other 4xx, 3xx): retrying would get the same answer. */
  | { kind: 'refused'; statusCode: number; error: string };

export function outcomeOfResponse(statusCode: number, retryAfter: string | null, now: Date): AttemptOutcome {
  if (statusCode >= 200 && statusCode < 300) return { kind: 'delivered', statusCode };
  if (statusCode === 408 || statusCode === 429 || statusCode >= 500) {
    return { kind: 'retry', statusCode, error: `HTTP ${statusCode}`, retryAfterMs: parseRetryAfter(retryAfter, now) };
  }
  // Redirects are not followed: a signed body re-posted elsewhere is the operator's decision, made in STATUS_WEBHOOK_URL.
  return { kind: 'refused', statusCode, error: `HTTP ${statusCode}` };
}

/** Retry-After as delay-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: Date): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

export interface RetrySettings {
  retryBaseMs: number;
  retryMaxDelayMs: number;
}

/**
 * After the n-th failed attempt: exponential backoff (base · 2^(n-1), capped) with jitter in
 * [50 %, 100 %] so endpoints coming back are not hit by every queue at once; never sooner than
 * the endpoint's Retry-After.
 */
export function nextAttemptAt(
  now: Date,
  attempts: number,
  settings: RetrySettings,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): Date {
  const raw = Math.min(settings.retryBaseMs * 2 ** Math.max(0, attempts - 1), settings.retryMaxDelayMs);
  const jittered = raw * (0.5 + random() * 0.5);
  return new Date(now.getTime() + Math.max(jittered, retryAfterMs ?? 0));
}

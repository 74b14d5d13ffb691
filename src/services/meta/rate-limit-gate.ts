import type { Clock } from '../../clock';
import { MetaRateLimitError } from './errors';

/**
 * Keeps us from hammering Meta. Reads the usage headers Meta attaches to Graph responses and
 * pauses a scope (an app, or one business/page/IG id) when usage crosses the threshold or Meta
 * says we are limited. While a scope is paused, calls fail fast with RateLimited and the time
 * left, instead of reaching Meta and extending the penalty.
 */
export interface UsageReport {
  /** Highest percentage among call_count, total_time, total_cputime. */
  percent: number;
  /** Seconds until access is regained, when Meta says so (business use case header). */
  regainSeconds?: number;
}

export interface GateEvents {
  onPause?(scope: string, seconds: number): void;
}

/** When usage is high but Meta gives no time, pause this long before trying again. */
const DEFAULT_PAUSE_SECONDS = 60;

export class RateLimitGate {
  private readonly pausedUntil = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly thresholdPercent: number,
    private readonly events: GateEvents = {},
  ) {}

  /** Throws when any of the scopes is paused. */
  check(scopes: string[]): void {
    const now = this.clock.now().getTime();
    let until = 0;
    for (const scope of scopes) {
      const pausedUntil = this.pausedUntil.get(scope);
      if (pausedUntil === undefined) continue;
      if (pausedUntil <= now) this.pausedUntil.delete(scope);
      else until = Math.max(until, pausedUntil);
    }
    if (until > now) {
      const seconds = Math.ceil((until - now) / 1000);
      throw new MetaRateLimitError(
        { message: `Calls to Meta are paused for ${seconds}s to stay under its rate limit` },
        seconds,
      );
    }
  }

  /** Seconds left on a scope's pause, 0 when not paused. */
  remainingSeconds(scope: string): number {
    const until = this.pausedUntil.get(scope) ?? 0;
    return Math.max(0, Math.ceil((until - this.clock.now().getTime()) / 1000));
  }

  /** Learn from a response's usage headers. `appScope` is the app the call was made for. */
  observe(appScope: string, headers: Headers): void {
    const app = parseAppUsage(headers.get('x-app-usage'));
    if (app) this.consider(appScope, app);
    for (const [id, report] of parseBusinessUseCaseUsage(headers.get('x-business-use-case-usage'))) {
      this.consider(`business:${id}`, report);
    }
  }

  /** Meta answered with a rate-limit error: pause every scope the call touched. */
  limited(scopes: string[], seconds = DEFAULT_PAUSE_SECONDS): void {
    for (const scope of scopes) this.pause(scope, seconds);
  }

  private consider(scope: string, report: UsageReport): void {
    if (report.percent >= this.thresholdPercent || (report.regainSeconds ?? 0) > 0) {
      this.pause(scope, report.regainSeconds && report.regainSeconds > 0 ? report.regainSeconds : DEFAULT_PAUSE_SECONDS);
    }
  }

  private pause(scope: string, seconds: number): void {
    const until = this.clock.now().getTime() + seconds * 1000;
    if ((this.pausedUntil.get(scope) ?? 0) >= until) return;
    this.pausedUntil.set(scope, until);
    this.events.onPause?.(scope, seconds);
  }
}

function percentOf(usage: Record<string, unknown>): number {
  return Math.max(0, ...['call_count', 'total_time', 'total_cputime'].map((k) => Number(usage[k]) || 0));
}

export function parseAppUsage(header: string | null): UsageReport | undefined {
  if (!header) return undefined;
  try {
    return { percent: percentOf(JSON.parse(header)) };
  } catch {
    return undefined;
  }
}

export function parseBusinessUseCaseUsage(header: string | null): Array<[string, UsageReport]> {
  if (!header) return [];
  try {
    const parsed = JSON.parse(header) as Record<string, Array<Record<string, unknown>>>;
    return Object.entries(parsed).map(([id, entries]) => {
      const list = Array.isArray(entries) ? entries : [];
      const percent = Math.max(0, ...list.map(percentOf));
      // estimated_time_to_regain_access is in minutes.
      const minutes = Math.max(0, ...list.map((e) => Number(e.estimated_time_to_regain_access) || 0));
      return [id, { percent, regainSeconds: minutes > 0 ? minutes * 60 : undefined }];
    });
  } catch {
    return [];
  }
}

import type { Logger } from '../../logger';
import type { Metrics } from '../../metrics';

/** Every limit that can refuse something; the `limit` label of limit_refusals_total. */
export type LimitName =
  | 'aliases'
  | 'tokens'
  | 'depth'
  | 'directives'
  | 'cost'
  | 'member_operations'
  | 'member_oauth_urls'
  | 'member_meta_mutations'
  | 'ws_init_timeout'
  | 'ws_message_size'
  | 'ws_subscriptions_per_socket'
  | 'ws_sockets_per_member';

/** Member and limit pairs remembered; past it, the longest-ago logged go (a flood cannot grow memory). */
const MAX_REMEMBERED = 10_000;

/**
 * Counts every refusal in /metrics and logs it at most once per member, limit and window
 * (RATE_LIMIT_WINDOW_SECONDS), so a client hammering a limit produces one warning a minute, not
 * one per request.
 */
export class LimitRefusals {
  /** `${limit}\n${member}` → when it was last logged (epoch ms). */
  private readonly logged = new Map<string, number>();

  constructor(
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly windowMs: number,
  ) {}

  refused(limit: LimitName, memberId: string | undefined, details: Record<string, unknown> = {}): void {
    this.metrics.limitRefusals.inc({ limit });
    const key = `${limit}\n${memberId ?? '(anonymous)'}`;
    const now = Date.now();
    const last = this.logged.get(key);
    if (last !== undefined && now - last < this.windowMs) return;
    this.logged.delete(key); // re-inserted last: the map stays in logging order, oldest first
    if (this.logged.size >= MAX_REMEMBERED) this.logged.delete(this.logged.keys().next().value!);
    this.logged.set(key, now);
    this.logger.warn({ limit, memberId, ...details }, 'a limit refused a request (logged once per member and window)');
  }
}

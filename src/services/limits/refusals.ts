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
  | 'ws_message_size'
  | 'ws_subscriptions_per_socket'
  | 'ws_sockets_per_member';

/** Members remembered per window; past it, the oldest window's entries go (a flood cannot grow memory). */
const MAX_REMEMBERED = 10_000;

/**
 * Counts every refusal in /metrics and logs it once per member, limit and window, so a client
 * hammering a limit produces one warning a minute, not one per request.
 */
export class LimitRefusals {
  /** `${limit}\n${member}` → the window (epoch / windowMs) it was last logged in. */
  private readonly logged = new Map<string, number>();

  constructor(
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly windowMs: number,
  ) {}

  refused(limit: LimitName, memberId: string | undefined, details: Record<string, unknown> = {}): void {
    this.metrics.limitRefusals.inc({ limit });
    const key = `${limit}\n${memberId ?? '(anonymous)'}`;
    const window = Math.floor(Date.now() / this.windowMs);
    if (this.logged.get(key) === window) return;
    this.logged.delete(key);
    if (this.logged.size >= MAX_REMEMBERED) this.logged.delete(this.logged.keys().next().value!);
    this.logged.set(key, window);
    this.logger.warn({ limit, memberId, ...details }, 'a limit refused a request (logged once per member and window)');
  }
}

import type { Clock } from '../../clock';
import type { Logger } from '../../logger';
import type { Metrics } from '../../metrics';
import type { MetaError } from '../meta/errors';

const FIRST_RETRY_MS = 60_000;
const MAX_RETRY_MS = 15 * 60_000;

/**
 * Whether Meta accepts our Facebook app token (`app_id|app_secret`) on debug_token. When it does
 * not (a rotated or wrong secret), every grant check would fail the same way, and the failure is
 * ours, not the members': the worker logs it at error level, shows `meta_app_credentials_ok 0`,
 * leaves every account as it is and probes again after 1 min, doubling up to every 15 min, until
 * Meta accepts the app token again.
 */
export class AppCredentialsWatch {
  private failures = 0;
  private retryAt: Date | null = null;

  constructor(
    private readonly deps: { clock: Clock; logger: Logger; metrics: Metrics },
    private readonly app = 'facebook',
  ) {}

  /** The moment to probe again while the app token is refused; null when checks may run now. */
  blockedUntil(now: Date): Date | null {
    return this.retryAt && now < this.retryAt ? this.retryAt : null;
  }

  /**
   * Records a refusal; returns when to probe again. One probe is one batch of calls, and every
   * call of it is refused alike: refusals that arrive while already blocked are that same probe,
   * so they neither double the wait nor log again.
   */
  refused(error: MetaError): Date {
    const blocked = this.blockedUntil(this.deps.clock.now());
    if (blocked) return blocked;
    this.failures++;
    const delay = Math.min(FIRST_RETRY_MS * 2 ** (this.failures - 1), MAX_RETRY_MS);
    this.retryAt = new Date(this.deps.clock.now().getTime() + delay);
    this.deps.metrics.appCredentialsOk.set({ app: this.app }, 0);
    this.deps.logger.error(
      { app: this.app, code: error.code, subcode: error.subcode, fbtraceId: error.fbtraceId, failures: this.failures, retryAt: this.retryAt },
      'Meta refused our app token (app_id|app_secret) on debug_token: check FACEBOOK_APP_ID / FACEBOOK_APP_SECRET (rotated secret?). No account status was changed; grant checks wait until it works again.',
    );
    return this.retryAt;
  }

  accepted(): void {
    if (this.failures > 0) this.deps.logger.info({ app: this.app, failures: this.failures }, 'Meta accepts our app token again; grant checks resume');
    this.failures = 0;
    this.retryAt = null;
    this.deps.metrics.appCredentialsOk.set({ app: this.app }, 1);
  }
}

import type { Clock } from '../../clock';
import type { Metrics } from '../../metrics';
import { earliest, isoDay } from '../../domain/time';
import type { DueAccount } from '../../repositories/due-account.repository';
import { SocialConnectionStatus } from '../../domain/social-account';
import type { PricePolicy } from '../../domain/price-policy';
import { isAppCredentialsFailure, MetaAuthError, MetaPermissionError, MetaRateLimitError, type MetaError } from '../meta/errors';
import type { InstagramProfile } from '../../domain/instagram-profile';
import type { AppCredentialsWatch } from './app-credentials';
import type { Decision, SweepReport } from './decisions';
import type { LifecycleSchedule } from './schedule';

/**
 * How every flow turns what Meta answered into a Decision, so the Instagram and Facebook flows
 * count, back off and escalate the same way. One per batch (it counts into the batch's report).
 */
export class OutcomeRecorder {
  constructor(
    private readonly deps: { clock: Clock; metrics: Metrics; schedule: LifecycleSchedule; pricePolicy: PricePolicy; appCredentials: AppCredentialsWatch },
    private readonly report: SweepReport,
  ) {}

  /** A decision that changes nothing but the next check (a full sync interval ahead). */
  start(account: DueAccount): Decision {
    return {
      id: account.id,
      expectedStatus: account.connectionStatus,
      nextCheckAt: this.deps.schedule.nextCheck(this.deps.clock.now(), []),
      failureCount: account.failureCount,
      firstFailureAt: account.firstFailureAt,
      lastFailureReason: undefined,
    };
  }

  syncDue(account: DueAccount, now: Date): boolean {
    return (
      !account.lastSyncedAt ||
      now.getTime() - account.lastSyncedAt.getTime() >= this.deps.schedule.syncIntervalMs ||
      account.connectionStatus === SocialConnectionStatus.ERROR
    );
  }

  nextSyncAt(decision: Decision, account: DueAccount): Date {
    const last = decision.profile ? this.deps.clock.now() : (account.lastSyncedAt ?? this.deps.clock.now());
    return new Date(last.getTime() + this.deps.schedule.syncIntervalMs);
  }

  succeeded(decision: Decision, account: DueAccount, profile: InstagramProfile): void {
    decision.profile = profile;
    decision.syncedAt = this.deps.clock.now();
    decision.pricePolicy = this.deps.pricePolicy;
    decision.failureCount = 0;
    decision.firstFailureAt = null;
    decision.lastFailureReason = null;
    this.report.synced++;
    this.deps.metrics.refreshes.inc({ kind: 'profile_sync', outcome: 'ok' });
    // A working token is the truth: an account in ERROR is connected again.
    if (account.connectionStatus === SocialConnectionStatus.ERROR) decision.change = { to: SocialConnectionStatus.CONNECTED, reason: null };
  }

  /**
   * A non-auth failure: back off exponentially (or until Meta's rate limit lifts) and keep the
   * status, unless the account has been failing for too long. `deadlines` still in the future
   * (a token's expiry, a due refresh) cut the backoff short.
   */
  failed(decision: Decision, account: DueAccount, error: MetaError, now: Date, deadlines: Array<Date | null> = []): Decision {
    if (error instanceof MetaAuthError || error instanceof MetaPermissionError) return { ...decision, change: { metaError: error } };
    // Our app's credentials, not the account: no failure counted, no status change, ever.
    if (isAppCredentialsFailure(error)) return { ...decision, postponeTo: this.deps.appCredentials.refused(error) };
    this.report.deferred++;
    this.deps.metrics.refreshes.inc({ kind: 'profile_sync', outcome: error.kind });
    const failureCount = account.failureCount + 1;
    const firstFailureAt = account.firstFailureAt ?? now;
    const reason = `Meta did not answer successfully (${error.kind}${error.code ? `, code ${error.code}` : ''}): ${error.message}`;
    const minimum = error instanceof MetaRateLimitError ? error.retryAfterSeconds * 1000 : 0;
    const backoff = this.deps.schedule.backoffAt(now, failureCount, minimum);
    const next = earliest([backoff, ...deadlines.filter((d) => d && d > now)])!;
    const result: Decision = { ...decision, failureCount, firstFailureAt, lastFailureReason: reason, nextCheckAt: next };
    if (this.deps.schedule.failingTooLong(now, firstFailureAt) && account.connectionStatus !== SocialConnectionStatus.ERROR) {
      result.change = {
        to: SocialConnectionStatus.ERROR,
        reason: `Meta has been failing for this account since ${isoDay(firstFailureAt)}. Last error: ${reason}`,
      };
    }
    return result;
  }
}

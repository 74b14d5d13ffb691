import type { AccountOutcome } from '../../repositories/due-account.repository';
import type { GrantTokenWrite } from '../../repositories/grant-check.repository';
import type { SocialConnectionStatus } from '../../domain/social-account';
import type { MetaError } from '../meta/errors';

/**
 * What the flows hand back to LifecycleWorker: a Decision per account and the batch's counts.
 * Apart from flow-context.ts (what a flow is given) so that outcomes.ts, which builds Decisions
 * and which FlowContext carries, depends on neither.
 */

export interface SweepReport {
  claimed: number;
  refreshed: number;
  refreshFailed: number;
  grantChecks: number;
  synced: number;
  /** Non-auth failures that were damped (no status change). */
  deferred: number;
  statusChanges: number;
}

/** What the worker decided about one account; written in bulk, except status changes. */
export interface Decision extends AccountOutcome {
  /** A status change, made through AccountService after the bulk write. */
  change?: { to: SocialConnectionStatus; reason: string | null } | { metaError: MetaError };
  /** A refreshed Instagram token, written for the whole batch before the outcomes. */
  refresh?: GrantTokenWrite;
  /** The account could not be looked at (our app token refused): only its next check moves. */
  postponeTo?: Date;
}

import { isoDay } from '../../domain/time';
import type { DueAccount } from '../../repositories/due-account.repository';
import { SocialConnectionStatus } from '../../domain/social-account';
import { checkGrantAccounts } from './facebook-page-checks';
import { syncGrantProfiles } from './facebook-profile-sync';
import { judgeGrant, type GrantVerdict } from './facebook-grant-verdict';
import type { Decision } from './decisions';
import type { FlowContext } from './flow-context';

/**
 * Facebook Login: the claimed accounts of one grant (one Meta user's token), in phases:
 * 1. the grant's verdict (facebook-grant-verdict.ts), 2–3. each account's deadline, Page reach
 * and Page token (facebook-page-checks.ts), 4. profiles (facebook-profile-sync.ts), then the
 * next check of every account still fine, with the reconnect warning when one is due.
 */
export async function checkFacebookGrant(ctx: FlowContext, group: DueAccount[]): Promise<Decision[]> {
  const now = ctx.clock.now();
  const first = group[0];
  const decisions = new Map(group.map((a) => [a.id, ctx.outcomes.start(a)]));
  if (!first.grantId || !first.grantTokenSealed) {
    return [...decisions.values()].map((d) => ({
      ...d,
      change: { to: SocialConnectionStatus.EXPIRED, reason: 'No Facebook token is stored for this connection; reconnect to continue.' },
    }));
  }
  const verdict = await judgeGrant(ctx, group, decisions, now);
  if ('settled' in verdict) return verdict.settled;
  const live = await checkGrantAccounts(ctx, group, decisions, verdict, now);
  await syncGrantProfiles(ctx, live, decisions, verdict, now);
  scheduleNextChecks(ctx, first, live, decisions, verdict, now);
  return [...decisions.values()];
}

/** Accounts that came through untouched: the reconnect warning, and when to look again. */
function scheduleNextChecks(ctx: FlowContext, first: DueAccount, live: DueAccount[], decisions: Map<string, Decision>, verdict: GrantVerdict, now: Date): void {
  const { schedule } = ctx;
  for (const account of live) {
    const decision = decisions.get(account.id)!;
    if (decision.change || decision.failureCount > 0 || decision.postponeTo) continue;
    const needsReconnectBy = decision.needsReconnectBy ?? null;
    const warnAt = schedule.dataAccessWarningAt(needsReconnectBy);
    const warning =
      warnAt && needsReconnectBy && now >= warnAt
        ? `Meta's access for this connection ends on ${isoDay(needsReconnectBy)}; reconnect before then to keep it working.`
        : null;
    if (warning && account.connectionStatus === SocialConnectionStatus.CONNECTED) decision.statusReason = warning;
    else if (!warning && account.statusReason && account.connectionStatus === SocialConnectionStatus.CONNECTED) decision.statusReason = null;
    decision.nextCheckAt = schedule.nextCheck(now, [
      first.grantLastCheckedAt && !verdict.checkDue
        ? new Date(first.grantLastCheckedAt.getTime() + schedule.grantCheckIntervalMs)
        : new Date(now.getTime() + schedule.grantCheckIntervalMs),
      warnAt && now < warnAt ? warnAt : null,
      needsReconnectBy,
      ctx.outcomes.nextSyncAt(decision, account),
    ]);
  }
}

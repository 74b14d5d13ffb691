import { forkEm } from '../../database/transaction';
import type { DueAccount } from '../../repositories/due-account.repository';
import { MetaAppCredentialsError, MetaAuthError, MetaError } from '../meta/errors';
import { grantReach, type GrantReach } from '../meta/grant-reach';
import { UnreadableStoredTokenError } from '../tokens/unreadable-token';
import type { Decision } from './decisions';
import type { FlowContext } from './flow-context';

/** One worker per grant per this long may call Meta for it, however its accounts were claimed. */
const GRANT_CLAIM_MS = 5 * 60_000;

/** What phase 1 learnt about a Facebook grant, for the per-account phases that follow. */
export interface GrantVerdict {
  grantId: string;
  userToken: string;
  /** The user token's expiry (null: none known); `now` once it ran out. */
  expiresAt: Date | null;
  dataAccessEndsAt: Date | null;
  /** The Pages and Instagram accounts the grant still reaches (null: debug_token did not say). */
  reach: GrantReach | null;
  /** The grant's periodic check was due this round. */
  checkDue: boolean;
  /** This worker won the grant claim and ran debug_token: Page tokens are checked too. */
  checked: boolean;
}

/**
 * Phase 1 of a Facebook grant: is the user token still valid, and until when? debug_token answers
 * HTTP 200 even when it is not. Returns the verdict, or `settled` when the answer already decides
 * every account of the group (the grant died, Meta failed, or Meta refused our app token).
 */
export async function judgeGrant(
  ctx: FlowContext,
  group: DueAccount[],
  decisions: Map<string, Decision>,
  now: Date,
): Promise<GrantVerdict | { settled: Decision[] }> {
  const first = group[0];
  const grantId = first.grantId!;
  const all = () => [...decisions.values()];
  // Auth and permission errors become each account's status change; anything else is damped.
  const failAll = (error: MetaError) => ({ settled: group.map((a) => ctx.outcomes.failed(decisions.get(a.id)!, a, error, now)) });
  let userToken: string;
  try {
    userToken = ctx.vault.openGrantToken(grantId, first.grantTokenSealed!);
  } catch (error) {
    // Sealed with a key no longer configured: every account of the grant needs reconnecting.
    if (error instanceof UnreadableStoredTokenError) return failAll(error);
    throw error;
  }
  const verdict: GrantVerdict = {
    grantId,
    userToken,
    expiresAt: first.tokenExpiresAt,
    dataAccessEndsAt: first.dataAccessExpiresAt,
    reach: null,
    checkDue: !first.grantLastCheckedAt || now.getTime() - first.grantLastCheckedAt.getTime() >= ctx.schedule.grantCheckIntervalMs,
    checked: false,
  };
  // Meta refusing our app token says nothing about these accounts: leave them be, probe later.
  const appBlockedUntil = verdict.checkDue ? ctx.appCredentials.blockedUntil(now) : null;
  if (appBlockedUntil) return { settled: all().map((d) => ({ ...d, postponeTo: appBlockedUntil })) };
  // Page tokens are checked only by the worker holding the grant claim (one debug_token round per grant).
  verdict.checked = verdict.checkDue && (await ctx.grants.claimCheck(grantId, now, GRANT_CLAIM_MS));
  if (!verdict.checked) return verdict;

  ctx.report.grantChecks++;
  try {
    const debug = await ctx.facebook.debugToken(verdict.userToken);
    ctx.appCredentials.accepted();
    if (debug.expires_at !== undefined) verdict.expiresAt = debug.expires_at ? new Date(debug.expires_at * 1000) : null;
    verdict.dataAccessEndsAt = debug.data_access_expires_at ? new Date(debug.data_access_expires_at * 1000) : verdict.dataAccessEndsAt;
    if (!debug.is_valid) {
      const error = new MetaAuthError({ message: debug.error?.message ?? 'The Facebook token is no longer valid', code: 190, subcode: debug.error?.subcode });
      const ranOut = debug.error?.subcode === 463 || Boolean(verdict.expiresAt && verdict.expiresAt <= now);
      // A user token that merely ran out (day 60) does not end the Page tokens derived from it:
      // facebookDeadline decides per account (those without a Page token expire). Any other
      // death kills every token of the grant, so every account of it.
      if (!ranOut) {
        ctx.metrics.refreshes.inc({ kind: 'grant_check', outcome: 'invalid' });
        await expireWholeGrant(ctx, grantId, error, group);
        return { settled: all().map((d) => ({ ...d, change: { metaError: error } })) };
      }
      if (!verdict.expiresAt || verdict.expiresAt > now) verdict.expiresAt = now;
      ctx.metrics.refreshes.inc({ kind: 'grant_check', outcome: 'user_token_ran_out' });
    } else {
      ctx.metrics.refreshes.inc({ kind: 'grant_check', outcome: 'ok' });
      verdict.reach = grantReach(debug);
    }
    await ctx.grants.recordCheck(grantId, { tokenExpiresAt: verdict.expiresAt, dataAccessExpiresAt: verdict.dataAccessEndsAt }, now);
  } catch (error) {
    if (!(error instanceof MetaError)) throw error;
    if (error instanceof MetaAppCredentialsError) {
      // Give the grant back its due check, and touch none of the accounts but their next check time.
      await ctx.grants.giveBackCheck(grantId, first.grantLastCheckedAt);
      const until = ctx.appCredentials.refused(error);
      return { settled: all().map((d) => ({ ...d, postponeTo: until })) };
    }
    ctx.metrics.refreshes.inc({ kind: 'grant_check', outcome: 'failed' });
    return failAll(error);
  }
  return verdict;
}

/** An invalid user token kills every account on the grant, including ones not in this batch. */
async function expireWholeGrant(ctx: FlowContext, grantId: string, error: MetaAuthError, inBatch: DueAccount[]): Promise<void> {
  const others = await ctx.dueAccounts.liveAccountIdsOfGrant(
    grantId,
    inBatch.map((a) => a.id),
  );
  for (const id of others) await ctx.accounts.recordFailure(forkEm(ctx.em), id, error);
}

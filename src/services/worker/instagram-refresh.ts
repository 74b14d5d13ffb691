import { isoDay } from '../../domain/time';
import type { DueAccount } from '../../repositories/due-account.repository';
import { SocialConnectionStatus } from '../../domain/social-account';
import { MetaAuthError, MetaError, MetaPermissionError, MetaTransientError } from '../meta/errors';
import { normalizeProfile } from '../../domain/instagram-profile';
import { UnreadableStoredTokenError } from '../tokens/unreadable-token';
import type { Decision } from './decisions';
import type { FlowContext } from './flow-context';

/**
 * Business Login for Instagram, one account at a time: refresh its long-lived token inside the
 * refresh window (never before it is 24 h old), then re-sync its profile when due. The refreshed
 * token is not written here: it rides on the Decision and the worker stores the batch's tokens
 * in one compare-and-swap before the outcomes.
 */
export async function refreshInstagramAccount(ctx: FlowContext, account: DueAccount): Promise<Decision> {
  const { schedule, outcomes } = ctx;
  const now = ctx.clock.now();
  const decision = outcomes.start(account);
  let expiresAt = account.tokenExpiresAt;
  if (!account.grantTokenSealed || !account.grantId) {
    return { ...decision, change: { to: SocialConnectionStatus.EXPIRED, reason: 'No Instagram token is stored for this account; reconnect to continue.' } };
  }
  if (expiresAt && expiresAt <= now) {
    return {
      ...decision,
      change: { to: SocialConnectionStatus.EXPIRED, reason: `The Instagram access token expired on ${isoDay(expiresAt)}; reconnect to continue.` },
    };
  }
  let token: string;
  try {
    token = ctx.vault.openGrantToken(account.grantId, account.grantTokenSealed);
  } catch (error) {
    // Sealed with a key no longer configured: the account needs reconnecting, the sweep goes on.
    if (error instanceof UnreadableStoredTokenError) return { ...decision, change: { metaError: error } };
    throw error;
  }

  let refreshRetryAt: Date | null = null;
  const refreshAt = schedule.refreshDueAt(account.tokenIssuedAt, expiresAt);
  // No grant claim needed here: a Business Login grant belongs to exactly one account, and the
  // account's lease already keeps every other worker away from it.
  if (refreshAt && now >= refreshAt) {
    try {
      const fresh = await ctx.instagram.refresh(token);
      expiresAt = new Date(now.getTime() + fresh.expiresIn * 1000);
      token = fresh.accessToken;
      account.tokenIssuedAt = now;
      decision.tokenExpiresAt = expiresAt;
      // Stored with the batch (one statement). Should this worker die first, the old token still
      // works until it expires and the next worker to take the lease refreshes again.
      decision.refresh = {
        grantId: account.grantId,
        previousSealed: account.grantTokenSealed,
        sealed: ctx.vault.sealGrantToken(account.grantId, fresh.accessToken),
        issuedAt: now,
        expiresAt,
      };
    } catch (error) {
      if (!(error instanceof MetaError)) throw error;
      ctx.report.refreshFailed++;
      ctx.metrics.refreshes.inc({ kind: 'instagram_refresh', outcome: 'failed' });
      if (error instanceof MetaAuthError || error instanceof MetaPermissionError) return { ...decision, change: { metaError: error } };
      // The old token still works until it expires: keep it and try again about a day later.
      refreshRetryAt = schedule.refreshRetryAt(now, expiresAt);
      ctx.logger.warn(
        { accountId: account.id, kind: error.kind, code: error.code, retryAt: refreshRetryAt },
        'Instagram token refresh failed; keeping the current token',
      );
    }
  }

  const nextRefresh = refreshRetryAt ?? schedule.refreshDueAt(account.tokenIssuedAt, expiresAt);
  if (outcomes.syncDue(account, now)) {
    try {
      const raw = await ctx.instagram.me(token);
      outcomes.succeeded(decision, account, normalizeProfile(raw, account.platformUserId));
    } catch (error) {
      if (!(error instanceof MetaError)) throw error;
      return outcomes.failed(decision, account, error, now, [nextRefresh, expiresAt]);
    }
  } else if (refreshRetryAt) {
    return outcomes.failed(decision, account, new MetaTransientError({ message: 'Instagram token refresh failed' }), now, [refreshRetryAt, expiresAt]);
  }
  decision.nextCheckAt = schedule.nextCheck(now, [nextRefresh, expiresAt, outcomes.nextSyncAt(decision, account)]);
  return decision;
}

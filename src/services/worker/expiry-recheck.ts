import { forkEm } from '../../database/transaction';
import type { DueAccount } from '../../repositories/due-account.repository';
import { LoginProvider, SocialConnectionStatus } from '../../domain/social-account';
import { isUserFixable, nextRecheckAt } from '../accounts/user-fixable-expiry';
import { MetaAuthError, MetaError } from '../meta/errors';
import type { FlowContext } from './flow-context';

/**
 * Re-checks accounts EXPIRED for a user-fixable cause (checkpoint 459, unconfirmed user 464; see
 * user-fixable-expiry.ts for the schedule). One read of the account's own node with the token it
 * depends on: when Meta answers, the account is CONNECTED again (an event through AccountService)
 * and the regular checks take over; otherwise the next re-check is scheduled, until the window ends.
 */
export async function recheckExpired(ctx: FlowContext, account: DueAccount): Promise<boolean> {
  const now = ctx.clock.now();
  const stopRechecking = () => ctx.dueAccounts.stopRechecking(ctx.owner, account.id);
  if (!account.recheckUntil || account.recheckUntil <= now) {
    await stopRechecking();
    return false;
  }
  try {
    if (account.provider === LoginProvider.FACEBOOK) {
      const sealed = account.accountTokenSealed ?? account.grantTokenSealed;
      if (!sealed || !account.grantId) throw new MetaAuthError({ message: 'no stored token', code: 190 });
      const token = account.accountTokenSealed ? ctx.vault.openAccountToken(account.id, sealed) : ctx.vault.openGrantToken(account.grantId, sealed);
      await ctx.facebook.instagramProfile(account.platformUserId, token);
    } else {
      if (!account.grantTokenSealed || !account.grantId) throw new MetaAuthError({ message: 'no stored token', code: 190 });
      await ctx.instagram.me(ctx.vault.openGrantToken(account.grantId, account.grantTokenSealed));
    }
  } catch (error) {
    if (!(error instanceof MetaError)) throw error;
    if (error instanceof MetaAuthError && !isUserFixable(error.subcode)) {
      // Dead for another reason now (password change, app removed…): say so and stop looking.
      await ctx.accounts.recordFailure(forkEm(ctx.em), account.id, error);
      await stopRechecking();
      return false;
    }
    const attempts = account.failureCount + 1;
    const next = nextRecheckAt(now, attempts, account.recheckUntil);
    if (!next) {
      await stopRechecking();
      return false;
    }
    await ctx.dueAccounts.scheduleRecheck(ctx.owner, account.id, attempts, next);
    return false;
  }
  // The token works again: connected, and due at once for the regular checks (profile, grant).
  const changed = await ctx.accounts.changeStatus(forkEm(ctx.em), account.id, SocialConnectionStatus.CONNECTED, null);
  await ctx.dueAccounts.resumeRegularChecks(account.id, now);
  ctx.logger.info({ accountId: account.id }, 'an account EXPIRED for a checkpoint or unconfirmed user works again');
  return changed;
}

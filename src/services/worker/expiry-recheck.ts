import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../clock';
import type { Logger } from '../../logger';
import { LoginProvider, SocialConnectionStatus } from '../../domain/social-account';
import type { AccountService } from '../accounts/account.service';
import { isUserFixable, nextRecheckAt } from '../accounts/user-fixable-expiry';
import { MetaAuthError, MetaError } from '../meta/errors';
import type { FacebookClient } from '../meta/facebook-client';
import type { InstagramClient } from '../meta/instagram-client';
import type { TokenVault } from '../tokens/token-vault';
import type { DueAccount } from './due-accounts';

/**
 * Re-checks accounts EXPIRED for a user-fixable cause (checkpoint 459, unconfirmed user 464; see
 * user-fixable-expiry.ts for the schedule). One read of the account's own node with the token it
 * depends on: when Meta answers, the account is CONNECTED again (an event through AccountService)
 * and the regular checks take over; otherwise the next re-check is scheduled, until the window ends.
 */
export async function recheckExpired(
  deps: { clock: Clock; logger: Logger; vault: TokenVault; facebook: FacebookClient; instagram: InstagramClient; accounts: AccountService; owner: string },
  em: EntityManager,
  account: DueAccount,
): Promise<boolean> {
  const now = deps.clock.now();
  const stopRechecking = () =>
    em.execute('update social_account set recheck_until = null, next_check_at = null where id = ? and lease_owner = ? and connection_status = ?', [
      account.id,
      deps.owner,
      SocialConnectionStatus.EXPIRED,
    ]);
  if (!account.recheckUntil || account.recheckUntil <= now) {
    await stopRechecking();
    return false;
  }
  try {
    if (account.provider === LoginProvider.FACEBOOK) {
      const sealed = account.accountTokenSealed ?? account.grantTokenSealed;
      if (!sealed || !account.grantId) throw new MetaAuthError({ message: 'no stored token', code: 190 });
      const token = account.accountTokenSealed ? deps.vault.openAccountToken(account.id, sealed) : deps.vault.openGrantToken(account.grantId, sealed);
      await deps.facebook.instagramProfile(account.platformUserId, token);
    } else {
      if (!account.grantTokenSealed || !account.grantId) throw new MetaAuthError({ message: 'no stored token', code: 190 });
      await deps.instagram.me(deps.vault.openGrantToken(account.grantId, account.grantTokenSealed));
    }
  } catch (error) {
    if (!(error instanceof MetaError)) throw error;
    if (error instanceof MetaAuthError && !isUserFixable(error.subcode)) {
      // Dead for another reason now (password change, app removed…): say so and stop looking.
      await deps.accounts.recordFailure(em.fork() as EntityManager, account.id, error);
      await stopRechecking();
      return false;
    }
    const attempts = account.failureCount + 1;
    const next = nextRecheckAt(now, attempts, account.recheckUntil);
    if (!next) {
      await stopRechecking();
      return false;
    }
    await em.execute('update social_account set failure_count = ?, next_check_at = ? where id = ? and lease_owner = ? and connection_status = ?', [
      attempts,
      next,
      account.id,
      deps.owner,
      SocialConnectionStatus.EXPIRED,
    ]);
    return false;
  }
  // The token works again: connected, and due at once for the regular checks (profile, grant).
  const changed = await deps.accounts.changeStatus(em.fork() as EntityManager, account.id, SocialConnectionStatus.CONNECTED, null);
  await em.execute(
    `update social_account set recheck_until = null, failure_count = 0, first_failure_at = null, last_failure_reason = null, next_check_at = ?
      where id = ? and connection_status = ?`,
    [now, account.id, SocialConnectionStatus.CONNECTED],
  );
  deps.logger.info({ accountId: account.id }, 'an account EXPIRED for a checkpoint or unconfirmed user works again');
  return changed;
}

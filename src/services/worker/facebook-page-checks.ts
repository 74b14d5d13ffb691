import type { DueAccount } from '../../repositories/due-account.repository';
import { SocialConnectionStatus } from '../../domain/social-account';
import { facebookDeadline } from '../accounts/facebook-deadline';
import { MetaAuthError, MetaError } from '../meta/errors';
import { lostPageReason, reaches } from '../meta/grant-reach';
import type { GrantVerdict } from './facebook-grant-verdict';
import type { Decision } from './decisions';
import type { FlowContext } from './flow-context';

/**
 * Phases 2 and 3 of a Facebook grant, per account. 2: the one rule (facebookDeadline, shared with
 * a member's sync): past a deadline → EXPIRED; close to one → a warning while still CONNECTED.
 * A Page the grant no longer reaches → ERROR naming it. 3: Page tokens have no expiry of their
 * own, but they die with the grant or a lost Page role: the worker that ran the grant's
 * debug_token checks them too. Returns the accounts still alive, for the profile sync.
 */
export async function checkGrantAccounts(
  ctx: FlowContext,
  group: DueAccount[],
  decisions: Map<string, Decision>,
  verdict: GrantVerdict,
  now: Date,
): Promise<DueAccount[]> {
  const live: DueAccount[] = [];
  for (const account of group) {
    const decision = decisions.get(account.id)!;
    const deadline = facebookDeadline({
      now,
      hasPageToken: Boolean(account.accountTokenSealed),
      userTokenExpiresAt: verdict.expiresAt,
      dataAccessExpiresAt: verdict.dataAccessEndsAt,
    });
    decision.needsReconnectBy = deadline.needsReconnectBy;
    if (deadline.expiredReason) {
      decision.change = { to: SocialConnectionStatus.EXPIRED, reason: deadline.expiredReason };
      continue;
    }
    if (verdict.reach && !reaches(verdict.reach, account)) {
      decision.change = { to: SocialConnectionStatus.ERROR, reason: lostPageReason(account) };
      continue;
    }
    if (verdict.checked && account.accountTokenSealed) {
      try {
        const debug = await ctx.facebook.debugToken(ctx.vault.openAccountToken(account.id, account.accountTokenSealed));
        if (!debug.is_valid) {
          decision.change = {
            metaError: new MetaAuthError({ message: debug.error?.message ?? 'The Page token is no longer valid', code: 190, subcode: debug.error?.subcode }),
          };
          continue;
        }
      } catch (error) {
        if (!(error instanceof MetaError)) throw error;
        decisions.set(account.id, ctx.outcomes.failed(decision, account, error, now)); // a refused app token only postpones
        continue;
      }
    }
    live.push(account);
  }
  return live;
}

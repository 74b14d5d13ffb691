import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { MetaGrant, SocialAccount } from '../../entities';
import { LoginProvider, SocialConnectionStatus } from '../../domain/social-account';
import type { AccountStatusService } from '../accounts/account-status.service';
import { clearGrantTokens, grantIdsOfMetaUsers, instagramUserIdsForAppScopedId } from '../../repositories/meta-grant.repository';
import { clearAccountTokens } from '../../repositories/social-account.repository';

/** Everything a Meta user's authorization reaches, across every member who connected through it. */
export interface MetaUserLinks {
  grants: MetaGrant[];
  accounts: SocialAccount[];
}

/**
 * Locks (FOR UPDATE) every account linked through this Meta user's grants for this flow, then the
 * grants. A Facebook grant is keyed by the Facebook user id. An Instagram grant is keyed by the
 * professional account id (`user_id`, also that account's platformUserId, so the account is found
 * even if its grant row were gone) and also carries the app-scoped `id`: Meta does not say which
 * of the two a callback names, so either matches (docs/meta-callbacks.md). Accounts before grants,
 * the order AccountService.disconnect takes them in, so a member disconnecting meanwhile cannot
 * deadlock us.
 */
export async function lockMetaUserLinks(em: EntityManager, provider: LoginProvider, metaUserId: string): Promise<MetaUserLinks> {
  // Plain SQL: a partial entity in the identity map would shadow the full one loaded below.
  const userIds = provider === LoginProvider.INSTAGRAM ? await instagramUserIds(em, metaUserId) : [metaUserId];
  const grantIds = await grantIdsOfMetaUsers(em, provider, userIds);
  const matches: Array<Record<string, unknown>> = [];
  if (grantIds.length > 0) matches.push({ grant: { $in: grantIds } });
  if (provider === LoginProvider.INSTAGRAM) matches.push({ provider: LoginProvider.INSTAGRAM, platformUserId: { $in: userIds } });
  if (matches.length === 0) return { grants: [], accounts: [] };
  const accounts = await em.find(SocialAccount, { $or: matches }, { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' } });
  const grants =
    grantIds.length > 0 ? await em.find(MetaGrant, { id: { $in: grantIds } }, { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' } }) : [];
  return { grants, accounts };
}

/**
 * The professional account ids a callback's Instagram user id stands for: itself (it may be the
 * `user_id`) and the `user_id` of every grant that stored it as the app-scoped `id`. Resolving
 * through the professional id also reaches other members' grants linked before the app-scoped id
 * was stored.
 */
async function instagramUserIds(em: EntityManager, callbackUserId: string): Promise<string[]> {
  return [...new Set([callbackUserId, ...(await instagramUserIdsForAppScopedId(em, callbackUserId))])];
}

/**
 * Every linked account → DISCONNECTED (one status event each, through AccountStatusService),
 * every token of the accounts and grants deleted, nothing left for the lifecycle worker to do.
 * Accounts already DISCONNECTED keep their reason and get no second event, so repeating it is
 * harmless. Returns how many accounts changed status.
 */
export async function disconnectMetaUserLinks(
  em: EntityManager,
  status: AccountStatusService,
  links: MetaUserLinks,
  reason: string,
  now: Date,
): Promise<number> {
  let changed = 0;
  // Member by member: each member's first change locks its event sequence row until commit, and
  // two callbacks reaching the same members must take those locks in the same order.
  const byMember = [...links.accounts].sort((x, y) => (x.memberId < y.memberId ? -1 : x.memberId > y.memberId ? 1 : x.id < y.id ? -1 : 1));
  for (const account of byMember) {
    if (account.connectionStatus === SocialConnectionStatus.DISCONNECTED) continue;
    account.nextCheckAt = null;
    account.needsReconnectBy = null;
    if (await status.transition(em, account, SocialConnectionStatus.DISCONNECTED, reason)) changed++;
  }
  // Token columns are lazy (never loaded with the entity), so they are cleared in plain SQL, which
  // also leaves the accounts' optimistic-lock version to the entity flush of the status change.
  if (links.accounts.length > 0) {
    await clearAccountTokens(
      em,
      links.accounts.map((a) => a.id),
      now,
    );
  }
  if (links.grants.length > 0) {
    await clearGrantTokens(
      em,
      links.grants.map((g) => g.id),
      now,
    );
  }
  return changed;
}

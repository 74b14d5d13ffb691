import type { DebugTokenData } from './facebook-client';
import type { MetaPermissionError } from './errors';

/**
 * Which Pages and Instagram accounts a Facebook grant still reaches, from debug_token's
 * `granular_scopes[].target_ids` (see docs/meta-grants.md). A member may leave a Page out when
 * reconnecting or remove the app from one Page later; Meta then drops that Page (and its
 * Instagram account) from target_ids, and reading its node answers 100/33.
 */
export interface GrantReach {
  /** Instagram account ids listed for instagram_basic, or null when Meta listed none for it. */
  instagramIds: Set<string> | null;
  /** Page ids listed for any pages_* scope, or null when Meta listed none. */
  pageIds: Set<string> | null;
}

/** null when debug_token gave no target_ids at all: then nothing can be concluded from it. */
export function grantReach(debug: Pick<DebugTokenData, 'granular_scopes'>): GrantReach | null {
  let instagramIds: Set<string> | null = null;
  let pageIds: Set<string> | null = null;
  for (const entry of debug.granular_scopes ?? []) {
    if (!Array.isArray(entry.target_ids)) continue;
    const ids = entry.target_ids.map(String);
    if (entry.scope === 'instagram_basic') instagramIds = new Set([...(instagramIds ?? []), ...ids]);
    else if (entry.scope.startsWith('pages_')) pageIds = new Set([...(pageIds ?? []), ...ids]);
  }
  return instagramIds || pageIds ? { instagramIds, pageIds } : null;
}

/**
 * Whether the grant reaches this account: its Instagram id is targeted, or else its Page is. When
 * neither can be told (no Instagram targets, and no Page id stored for the account) it is
 * assumed reached: only what Meta positively left out counts as lost.
 */
export function reaches(reach: GrantReach, account: { platformUserId: string; pageId?: string | null }): boolean {
  if (reach.instagramIds) return reach.instagramIds.has(account.platformUserId);
  if (!account.pageId || !reach.pageIds) return true;
  return reach.pageIds.has(account.pageId);
}

export interface AccountLabel {
  username: string;
  pageName?: string | null;
}

function pageOf(account: AccountLabel): string {
  return account.pageName ? `The Facebook Page "${account.pageName}" (linked to @${account.username})` : `The Facebook Page linked to @${account.username}`;
}

/** What a member reads when the grant no longer reaches the account's Page. */
export function lostPageReason(account: AccountLabel): string {
  const select = account.pageName ? `select "${account.pageName}"` : 'select that Page';
  return `${pageOf(account)} is no longer shared with this app. Connect with Facebook again and ${select} in the dialog to restore it.`;
}

/** The statusReason for a permission error on an account's node (100/33, 10, 200-299). */
export function permissionReason(account: AccountLabel, error: MetaPermissionError): string {
  if (error.objectUnreachable) return lostPageReason(account);
  const select = account.pageName ? `, selecting the Page "${account.pageName}"` : '';
  return `A permission needed to read @${account.username} is missing or was removed (Meta code ${error.code ?? 'unknown'}). Connect with Facebook again and allow every requested permission${select}.`;
}

import type { EntityManager } from '@mikro-orm/postgresql';
import { deleteUnlockedBatch } from '../database/sql';
import { OAuthState } from '../entities';
import type { LoginProvider } from '../domain/social-account';

/**
 * oauth_state: each step of a state's life in one statement, so concurrent requests with the same
 * state race in PostgreSQL, not in our code (OAuthStateService says when each step is taken).
 */

export interface StateOwner {
  provider: LoginProvider;
  redirect_uri: string;
  member_id: string;
}

/** Spends an unused, unexpired state of this member; returns its row, or nothing when there is none. */
export async function consumeState(em: EntityManager, stateHash: string, memberId: string, now: Date): Promise<StateOwner | undefined> {
  const rows = await em.execute<StateOwner[]>(
    `update "oauth_state" set "used_at" = ? where "state_hash" = ? and "member_id" = ? and "used_at" is null and "expires_at" > ?
       returning "provider", "redirect_uri", "member_id"`,
    [now, stateHash, memberId, now],
  );
  return rows.length === 1 ? rows[0] : undefined;
}

/** Claims an unused, unexpired state of this member that no other request holds, until `claimedUntil`. */
export async function claimState(
  em: EntityManager,
  claim: { claimId: string; claimedUntil: Date; stateHash: string; memberId: string; now: Date },
): Promise<StateOwner | undefined> {
  const { claimId, claimedUntil, stateHash, memberId, now } = claim;
  const rows = await em.execute<StateOwner[]>(
    `update "oauth_state" set "claim_id" = ?, "claimed_until" = ?
        where "state_hash" = ? and "member_id" = ? and "used_at" is null and "expires_at" > ?
          and ("claimed_until" is null or "claimed_until" <= ?)
       returning "provider", "redirect_uri", "member_id"`,
    [claimId, claimedUntil, stateHash, memberId, now, now],
  );
  return rows.length === 1 ? rows[0] : undefined;
}

/** The claimed state is used up. */
export async function spendClaim(em: EntityManager, claimId: string, now: Date): Promise<void> {
  await em.execute(`update "oauth_state" set "used_at" = ?, "claim_id" = null, "claimed_until" = null where "claim_id" = ?`, [now, claimId]);
}

/** The claimed state is given back, still valid. */
export async function releaseClaim(em: EntityManager, claimId: string): Promise<void> {
  await em.execute(`update "oauth_state" set "claim_id" = null, "claimed_until" = null where "claim_id" = ? and "used_at" is null`, [claimId]);
}

/** Deletes the member's pending states past the newest `keep`; returns how many went. */
export async function evictPendingBeyond(em: EntityManager, memberId: string, now: Date, keep: number): Promise<number> {
  const evicted = await em.execute<Array<{ id: string }>>(
    `delete from "oauth_state" where "id" in (
         select "id" from "oauth_state" where "member_id" = ? and "used_at" is null and "expires_at" > ?
         order by "created_at" desc, "id" desc offset ?)
       returning "id"`,
    [memberId, now, keep],
  );
  return evicted.length;
}

/** Housekeeping: deletes up to `limit` states that expired before `before`; returns how many went. */
export function deleteStatesExpiredBefore(em: EntityManager, before: Date, limit: number): Promise<number> {
  return deleteUnlockedBatch(em, { table: 'oauth_state', key: 'id', where: '"expires_at" < ?', params: [before], limit });
}

/** Deletes these members' states of one flow; returns how many went. */
export function deleteMembersStates(em: EntityManager, memberIds: string[], provider: LoginProvider): Promise<number> {
  return em.nativeDelete(OAuthState, { memberId: { $in: memberIds }, provider });
}

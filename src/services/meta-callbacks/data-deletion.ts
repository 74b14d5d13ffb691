import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DataDeletionStatus, MetaDataDeletion } from '../../entities';
import type { LoginProvider } from '../../domain/social-account';
import { lastStatusEventAt } from '../../repositories/connection-event.repository';
import { claimDueDeletionId } from '../../repositories/meta-data-deletion.repository';
import { deleteMembersStates } from '../../repositories/oauth-state.repository';
import { eraseData } from '../privacy/erase-data';
import type { MetaUserLinks } from './meta-user-links';

/** Confirmation codes as shown to the user: 96 random bits, URL-safe. */
export const CONFIRMATION_CODE = /^[A-Za-z0-9_-]{16}$/;

function newConfirmationCode(): string {
  return randomBytes(12).toString('base64url');
}

/** The only trace of the Meta user id kept: enough to answer "was X's data deleted?", not to read X back. */
export function metaUserHash(metaUserId: string): string {
  return createHash('sha256').update(metaUserId, 'utf8').digest('hex');
}

/**
 * Records the request in the caller's transaction (the accounts are already DISCONNECTED there)
 * and deletes the user's pending OAuth states. The rows themselves go no earlier than `grace`
 * after the accounts' last status event: subscribers load the account when they hear an event,
 * so deleting it in the same breath would turn their DISCONNECTED into NOT_FOUND.
 */
export async function recordDeletionRequest(
  em: EntityManager,
  input: { provider: LoginProvider; metaUserId: string; links: MetaUserLinks; now: Date; graceMs: number },
): Promise<MetaDataDeletion> {
  const { provider, links, now } = input;
  const accountIds = links.accounts.map((a) => a.id);
  // OAuth states are created before Meta says who the user is, so none can be tied to this user
  // exactly; the affected members' states for this flow are the closest match, and losing one
  // only means clicking Connect again.
  const memberIds = [...new Set([...links.accounts.map((a) => a.memberId), ...links.grants.map((g) => g.memberId)])];
  const oauthStatesDeleted = memberIds.length > 0 ? await deleteMembersStates(em, memberIds, provider) : 0;

  await em.flush(); // the status events written by the disconnect count as "last event" below
  const lastEventAt = accountIds.length > 0 ? await lastStatusEventAt(em, accountIds) : null;
  const deleteAfter = lastEventAt ? new Date(Math.max(now.getTime(), lastEventAt.getTime() + input.graceMs)) : now;
  return em.create(MetaDataDeletion, {
    confirmationCode: newConfirmationCode(),
    provider,
    metaUserHash: metaUserHash(input.metaUserId),
    receivedAt: now,
    deleteAfter,
    pendingAccountIds: accountIds,
    pendingGrantIds: links.grants.map((g) => g.id),
    oauthStatesDeleted,
  });
}

/**
 * Deletes what the request found, in the caller's transaction, and leaves only the audit row:
 * the accounts, their status history, their webhook events (pending ones redacted to ids and
 * status), the grants, rate-limit pauses naming them (services/privacy/erase-data.ts, which walks
 * the personal-data inventory). An account revived since (the member connected it again: new
 * consent, new tokens) is kept, and so is a grant that holds a token again.
 */
export async function completeDeletion(em: EntityManager, deletion: MetaDataDeletion, now: Date): Promise<void> {
  const erased = await eraseData(em, { kind: 'metaDataDeletion', accountIds: deletion.pendingAccountIds, grantIds: deletion.pendingGrantIds });
  deletion.accountsDeleted = erased.accountIds.length;
  deletion.eventsDeleted = erased.deleted.connection_event ?? 0;
  deletion.grantsDeleted = erased.grantIds.length;
  deletion.pendingAccountIds = [];
  deletion.pendingGrantIds = [];
  deletion.status = DataDeletionStatus.COMPLETED;
  deletion.completedAt = now;
}

/**
 * The request named a user we hold nothing for (never connected, or already deleted): the audit
 * row and the status page say "no data found", not "completed", which would claim a deletion
 * that never happened.
 */
export function markNothingFound(deletion: MetaDataDeletion, now: Date): void {
  deletion.pendingAccountIds = [];
  deletion.pendingGrantIds = [];
  deletion.status = DataDeletionStatus.NO_DATA_FOUND;
  deletion.completedAt = now;
}

/** Whether a data deletion request found anything of the user's to delete. */
export function foundNothing(links: MetaUserLinks): boolean {
  return links.accounts.length === 0 && links.grants.length === 0;
}

/** Claims one due request (SKIP LOCKED: instances sweeping at once take different ones). */
export async function claimDueDeletion(em: EntityManager, now: Date): Promise<MetaDataDeletion | null> {
  const id = await claimDueDeletionId(em, now);
  return id ? em.findOneOrFail(MetaDataDeletion, id) : null;
}

import type { EntityManager } from '@mikro-orm/postgresql';
import type { LoginProvider } from '../domain/social-account';

/**
 * connect_link: each step of a link's life in one statement, so two tabs or a replayed redirect
 * race in PostgreSQL. A link is usable while it is not revoked, not completed and not expired.
 */

export interface ConnectLinkRow {
  id: string;
  member_id: string;
  provider: LoginProvider | null;
  account_id: string | null;
  return_url: string;
  created_by: string;
  expires_at: Date;
  revoked_at: Date | null;
  completed_at: Date | null;
}

const COLUMNS = `"id", "member_id", "provider", "account_id", "return_url", "created_by", "expires_at", "revoked_at", "completed_at"`;

export async function insertConnectLink(
  em: EntityManager,
  link: {
    id: string;
    tokenHash: string;
    memberId: string;
    provider: LoginProvider | null;
    accountId: string | null;
    returnUrl: string;
    createdBy: string;
    now: Date;
    expiresAt: Date;
  },
): Promise<void> {
  await em.execute(
    `insert into "connect_link" ("id", "token_hash", "member_id", "provider", "account_id", "return_url", "created_by", "created_at", "expires_at")
       values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [link.id, link.tokenHash, link.memberId, link.provider, link.accountId, link.returnUrl, link.createdBy, link.now, link.expiresAt],
  );
}

/** The link of this token hash, whatever its state (the page says why a link no longer works). */
export async function findConnectLinkByToken(em: EntityManager, tokenHash: string): Promise<ConnectLinkRow | undefined> {
  const rows = await em.execute<ConnectLinkRow[]>(`select ${COLUMNS} from "connect_link" where "token_hash" = ?`, [tokenHash]);
  return rows[0];
}

/** Records the OAuth state a usable link's dialog was started with; undefined when the link is no longer usable. */
export async function startConnectLink(em: EntityManager, id: string, stateHash: string, now: Date): Promise<ConnectLinkRow | undefined> {
  const rows = await em.execute<ConnectLinkRow[]>(
    `update "connect_link" set "state_hash" = ? where "id" = ? and "revoked_at" is null and "completed_at" is null and "expires_at" > ? returning ${COLUMNS}`,
    [stateHash, id, now],
  );
  return rows[0];
}

/** The usable link whose dialog carried this state back. */
export async function findUsableLinkByState(em: EntityManager, stateHash: string, now: Date): Promise<ConnectLinkRow | undefined> {
  const rows = await em.execute<ConnectLinkRow[]>(
    `select ${COLUMNS} from "connect_link" where "state_hash" = ? and "revoked_at" is null and "completed_at" is null and "expires_at" > ?`,
    [stateHash, now],
  );
  return rows[0];
}

/** Single use: true for the one request that completes it. */
export async function completeConnectLink(em: EntityManager, id: string, now: Date): Promise<boolean> {
  const rows = await em.execute<Array<{ id: string }>>(
    `update "connect_link" set "completed_at" = ? where "id" = ? and "completed_at" is null and "revoked_at" is null returning "id"`,
    [now, id],
  );
  return rows.length === 1;
}

/** Revokes a link that is not completed yet; false when there is none (or it was used). */
export async function revokeConnectLink(em: EntityManager, id: string, now: Date): Promise<ConnectLinkRow | undefined> {
  const rows = await em.execute<ConnectLinkRow[]>(
    `update "connect_link" set "revoked_at" = coalesce("revoked_at", ?) where "id" = ? and "completed_at" is null returning ${COLUMNS}`,
    [now, id],
  );
  return rows[0];
}

/** Housekeeping: links that expired before `before`, one bounded batch (`skip locked`: several workers may sweep). */
export async function deleteExpiredConnectLinks(em: EntityManager, before: Date, limit: number): Promise<number> {
  const rows = await em.execute<Array<{ id: string }>>(
    `delete from "connect_link" where "id" in (select "id" from "connect_link" where "expires_at" < ? limit ? for update skip locked) returning "id"`,
    [before, limit],
  );
  return rows.length;
}

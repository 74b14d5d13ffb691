import type { EntityManager } from '@mikro-orm/postgresql';
import { SocialPlatform, type LoginProvider, type PriceTier, type SocialConnectionStatus } from '../domain/social-account';
import type { AccountSnapshot } from '../entities/account-snapshot';
import { accountSnapshotMapping } from './account-snapshots';

export interface AccountDirectoryFilter {
  memberId?: string;
  statuses?: SocialConnectionStatus[];
  provider?: LoginProvider;
  tiers?: PriceTier[];
  followersMin?: number;
  followersMax?: number;
  updatedSince?: Date;
}

/** After this (updated_at, id): the keyset of the previous page's last row; `updatedAt` to the microsecond, as PostgreSQL keeps it. */
export interface DirectoryPosition {
  updatedAt: string;
  id: string;
}

/**
 * Accounts of every member, oldest change first, in keyset pages over (updated_at, id) (index
 * social_account_updated_idx): a page costs the same however deep the cursor, and a reader that
 * keeps the last cursor sees every later change (`updatedSince` for the first page).
 */
export async function accountDirectoryPage(
  em: EntityManager,
  filter: AccountDirectoryFilter,
  after: DirectoryPosition | undefined,
  limit: number,
): Promise<Array<{ memberId: string; account: AccountSnapshot; position: DirectoryPosition }>> {
  const { columns, toSnapshot } = accountSnapshotMapping(em);
  const where: string[] = ['a."platform" = ?'];
  const params: unknown[] = [SocialPlatform.INSTAGRAM];
  const add = (clause: string, ...values: unknown[]) => {
    where.push(clause);
    params.push(...values);
  };
  if (filter.memberId !== undefined) add('a."member_id" = ?', filter.memberId);
  if (filter.statuses?.length) add(`a."connection_status" in (${filter.statuses.map(() => '?').join(', ')})`, ...filter.statuses);
  if (filter.provider) add('a."provider" = ?', filter.provider);
  if (filter.tiers?.length) add(`a."price_tier" in (${filter.tiers.map(() => '?').join(', ')})`, ...filter.tiers);
  if (filter.followersMin !== undefined) add('a."followers_count" >= ?', filter.followersMin);
  if (filter.followersMax !== undefined) add('a."followers_count" <= ?', filter.followersMax);
  if (filter.updatedSince) add('a."updated_at" >= ?', filter.updatedSince);
  if (after) add('(a."updated_at", a."id") > (?::timestamptz, ?::uuid)', after.updatedAt, after.id);
  const rows = await em.execute<Array<Record<string, unknown>>>(
    `select ${columns}, a."member_id" as "memberId",
        to_char(a."updated_at" at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as "positionAt" from "social_account" as a
      where ${where.join(' and ')} order by a."updated_at" asc, a."id" asc limit ?`,
    [...params, limit],
  );
  return rows.map((row) => {
    const memberId = String(row.memberId);
    const position = { updatedAt: String(row.positionAt), id: String(row.id) };
    delete row.memberId;
    delete row.positionAt;
    return { memberId, account: toSnapshot(row), position };
  });
}

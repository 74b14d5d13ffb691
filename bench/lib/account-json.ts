import type { InstagramProfile } from '../../src/domain/instagram-profile';

/**
 * What the baselines run and return, kept identical to the app: the SQL AccountService.list sends
 * (src/repositories/account-snapshots.ts; MikroORM inlines the parameters, here they are bound),
 * and rows mapped to the JSON the SocialAccountFields fragment produces, field for field and in
 * the same order, so a baseline response is byte-for-byte the app's (the scenario checks that).
 */
export const LIST_ACCOUNTS_SQL = `select a."id" as "id", a."platform" as "platform", a."provider" as "provider",
  a."platform_user_id" as "platformUserId", a."username" as "username", a."name" as "name",
  a."profile_picture_url" as "profilePictureUrl", a."biography" as "biography", a."website" as "website",
  a."followers_count" as "followersCount", a."following_count" as "followingCount", a."media_count" as "mediaCount",
  a."account_type" as "accountType", a."connection_status" as "connectionStatus", a."status_reason" as "statusReason",
  a."price_tier" as "priceTier", a."price" as "price", a."currency" as "currency", a."token_expires_at" as "tokenExpiresAt",
  a."needs_reconnect_by" as "needsReconnectBy", a."last_synced_at" as "lastSyncedAt", a."connected_at" as "connectedAt",
  a."updated_at" as "updatedAt"
  from "social_account" as a
  where a."member_id" = $1 and a."platform" = 'INSTAGRAM' and a."connection_status" <> 'DISCONNECTED'
  order by a."connected_at" desc, a."id" asc`;

/** A row of LIST_ACCOUNTS_SQL: the profile figures, then the rest as pg returns it. */
export interface AccountRow extends Omit<InstagramProfile, 'accountType'> {
  id: string;
  platform: string;
  provider: string;
  accountType: string | null;
  connectionStatus: string;
  statusReason: string | null;
  priceTier: string;
  /** bigint: pg returns it as a string. */
  price: string;
  currency: string;
  tokenExpiresAt: Date | null;
  needsReconnectBy: Date | null;
  lastSyncedAt: Date | null;
  connectedAt: Date;
  updatedAt: Date;
}

const iso = (value: Date | null) => (value ? value.toISOString() : null);

/** One row as `...SocialAccountFields`. */
export function accountJson(row: AccountRow) {
  return {
    id: row.id,
    platform: row.platform,
    provider: row.provider,
    platformUserId: row.platformUserId,
    username: row.username,
    name: row.name,
    profilePictureUrl: row.profilePictureUrl,
    biography: row.biography,
    website: row.website,
    followersCount: row.followersCount,
    followingCount: row.followingCount,
    mediaCount: row.mediaCount,
    accountType: row.accountType,
    connectionStatus: row.connectionStatus,
    statusReason: row.statusReason,
    priceTier: row.priceTier,
    price: Number(row.price),
    currency: row.currency,
    tokenExpiresAt: iso(row.tokenExpiresAt),
    needsReconnectBy: iso(row.needsReconnectBy),
    lastSyncedAt: iso(row.lastSyncedAt),
    connectedAt: iso(row.connectedAt),
    updatedAt: iso(row.updatedAt),
  };
}

/** The whole HTTP body for `query SocialAccounts { socialAccounts { ...SocialAccountFields } }` (Apollo ends it with a newline). */
export function socialAccountsBody(rows: AccountRow[]): string {
  return `${JSON.stringify({ data: { socialAccounts: rows.map(accountJson) } })}\n`;
}

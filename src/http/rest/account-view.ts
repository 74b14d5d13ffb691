import type { AccountSnapshot } from '../../services/accounts/account-snapshots';

/** An account as the existing REST API names its fields. `platform` 1 is Instagram there. */
export interface LegacyAccount {
  accountId: string;
  platform: 1;
  platformUserId: string;
  username: string;
  name: string | null;
  profilePictureUrl: string | null;
  biography: string | null;
  website: string | null;
  followersCount: number;
  followingCount: number;
  mediaCount: number;
  connectionStatus: string;
  priceTier: string;
  price: number;
}

export function toLegacyAccount(account: AccountSnapshot): LegacyAccount {
  return {
    accountId: account.id,
    platform: 1,
    platformUserId: account.platformUserId,
    username: account.username,
    name: account.name ?? null,
    profilePictureUrl: account.profilePictureUrl ?? null,
    biography: account.biography ?? null,
    website: account.website ?? null,
    followersCount: account.followersCount,
    followingCount: account.followingCount,
    mediaCount: account.mediaCount,
    connectionStatus: account.connectionStatus,
    priceTier: account.priceTier,
    price: account.price,
  };
}

export const LEGACY_ACCOUNT_FIELDS = [
  'accountId',
  'platform',
  'platformUserId',
  'username',
  'name',
  'profilePictureUrl',
  'biography',
  'website',
  'followersCount',
  'followingCount',
  'mediaCount',
  'connectionStatus',
  'priceTier',
  'price',
] as const satisfies ReadonlyArray<keyof LegacyAccount>;

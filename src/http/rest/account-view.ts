import type { AccountSnapshot } from '../../entities/account-snapshot';
import type { InstagramProfile } from '../../domain/instagram-profile';

/** An account as the existing REST API names its fields. `platform` 1 is Instagram there. */
export interface LegacyAccount extends Omit<InstagramProfile, 'accountType'> {
  accountId: string;
  platform: 1;
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

import { InstagramAccountType } from './social-account';

/** Profile fields we read on both hosts. The Facebook host has no account_type/user_id for IG users. */
export const IG_PROFILE_FIELDS = [
  'id',
  'username',
  'name',
  'profile_picture_url',
  'followers_count',
  'follows_count',
  'media_count',
  'biography',
  'website',
] as const;

export interface RawInstagramProfile {
  id: string;
  user_id?: string | number;
  username?: string;
  name?: string;
  account_type?: string;
  profile_picture_url?: string;
  followers_count?: number;
  follows_count?: number;
  media_count?: number;
  biography?: string;
  website?: string;
}

/** Our normalized view of an Instagram professional account's public figures. */
export interface InstagramProfile {
  platformUserId: string;
  username: string;
  name: string | null;
  profilePictureUrl: string | null;
  biography: string | null;
  website: string | null;
  followersCount: number;
  followingCount: number;
  mediaCount: number;
  accountType: InstagramAccountType | null;
}

export function normalizeProfile(raw: RawInstagramProfile, platformUserId: string): InstagramProfile {
  return {
    platformUserId,
    username: raw.username ?? '',
    name: raw.name || null,
    profilePictureUrl: raw.profile_picture_url || null,
    biography: raw.biography || null,
    website: raw.website || null,
    followersCount: safeCount(raw.followers_count),
    followingCount: safeCount(raw.follows_count),
    mediaCount: safeCount(raw.media_count),
    accountType: accountTypeOf(raw.account_type),
  };
}

/** MEDIA_CREATOR is what the API sends; some docs write CREATOR. PERSONAL is not supported (null). */
export function accountTypeOf(raw: string | undefined): InstagramAccountType | null {
  switch (raw?.toUpperCase()) {
    case 'BUSINESS':
      return InstagramAccountType.BUSINESS;
    case 'MEDIA_CREATOR':
    case 'CREATOR':
      return InstagramAccountType.CREATOR;
    default:
      return null;
  }
}

function safeCount(value: unknown): number {
  const n = Number(value);
  // GraphQL Int is 32-bit; no Instagram count comes near it, but never let a bad value break a list.
  return Number.isFinite(n) && n > 0 ? Math.min(Math.floor(n), 2_147_483_647) : 0;
}

import type { AccountSnapshot } from '../../entities/account-snapshot';
import type { InstagramProfile } from '../../domain/instagram-profile';
import type { AccountMetricsView } from '../../services/metrics/metrics-reader';

type Growth = Record<'days7' | 'days30' | 'days90', { followers: number | null; rate: number | null; since: string | null }>;

/** An account as the existing REST API names its fields. `platform` 1 is Instagram there. */
export interface LegacyAccount extends Omit<InstagramProfile, 'accountType'> {
  accountId: string;
  platform: 1;
  connectionStatus: string;
  priceTier: string;
  price: number;
  /** Optional (docs/creator-metrics.md): present once the figures exist. */
  priceBasis?: string;
  engagement?: NonNullable<AccountMetricsView['engagement']>;
  insights?: NonNullable<AccountMetricsView['insights']>;
  audience?: NonNullable<AccountMetricsView['audience']>;
  followerGrowth?: Growth;
}

/** The creator metrics an account view may carry (REST routes load them in one batch). */
export interface AccountExtras {
  metrics: AccountMetricsView;
  growth: Growth;
}

export function toLegacyAccount(account: AccountSnapshot, extras?: AccountExtras): LegacyAccount {
  const metrics = extras?.metrics;
  const hasGrowth = extras && Object.values(extras.growth).some((g) => g.followers !== null);
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
    price: metrics?.price?.price ?? account.price,
    ...(metrics?.engagement ? { priceBasis: metrics.price?.basis ?? 'FOLLOWERS', engagement: metrics.engagement } : {}),
    ...(metrics?.insights ? { insights: metrics.insights } : {}),
    ...(metrics?.audience ? { audience: metrics.audience } : {}),
    ...(hasGrowth ? { followerGrowth: extras.growth } : {}),
  };
}

/** Fields present only when the account has creator metrics. */
export const LEGACY_ACCOUNT_OPTIONAL_FIELDS = ['priceBasis', 'engagement', 'insights', 'audience', 'followerGrowth'] as const satisfies ReadonlyArray<
  keyof LegacyAccount
>;

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

import type { MediaProductType } from './media';

/**
 * Which insights metrics Meta accepts, by version and date, as docs/meta-insights-metrics.md
 * records them. A retired metric is refused from the version that retired it and, after the
 * date Meta gave, on every version: asking for one fails the whole request with code 100.
 */
export interface Retirement {
  /** First Graph API version that refuses it (major number). */
  fromVersion: number;
  /** From this date (epoch ms) every version refuses it. */
  allVersionsFrom: number;
}

const V21_CLICKS: Retirement = { fromVersion: 21, allVersionsFrom: Date.UTC(2025, 0, 8) };
const V22: Retirement = { fromVersion: 22, allVersionsFrom: Date.UTC(2025, 3, 21) };

/** Account (IG user) insights metrics retired in recent versions. */
export const RETIRED_ACCOUNT_METRICS: Record<string, Retirement> = {
  impressions: V22,
  email_contacts: V21_CLICKS,
  get_directions_clicks: V21_CLICKS,
  phone_call_clicks: V21_CLICKS,
  profile_views: V21_CLICKS,
  text_message_clicks: V21_CLICKS,
  website_clicks: V21_CLICKS,
};

/** Media insights metrics retired in recent versions (`video_views`: retired earlier, kept refused). */
export const RETIRED_MEDIA_METRICS: Record<string, Retirement> = {
  impressions: V22,
  plays: V22,
  clips_replays_count: V22,
  ig_reels_aggregated_all_plays_count: V22,
  video_views: { fromVersion: 0, allVersionsFrom: Date.UTC(2025, 0, 8) },
};

export interface AccountMetricRule {
  periods: string[];
  /** Must be asked with metric_type=total_value (Meta refuses it otherwise). */
  totalValueOnly?: boolean;
  /** Breakdowns it accepts (required for the demographics metrics). */
  breakdowns?: string[];
  breakdownRequired?: boolean;
  /** Not reported for accounts with fewer followers than this (an empty data set). */
  minFollowers?: number;
  /** Major version that introduced it. */
  sinceVersion?: number;
}

const TOTAL: AccountMetricRule = { periods: ['day'], totalValueOnly: true };
const DEMOGRAPHICS: AccountMetricRule = {
  periods: ['lifetime'],
  totalValueOnly: true,
  breakdowns: ['age', 'city', 'country', 'gender'],
  breakdownRequired: true,
  minFollowers: 100,
};

export const ACCOUNT_METRICS: Record<string, AccountMetricRule> = {
  reach: { periods: ['day'], breakdowns: ['media_product_type', 'follow_type'] },
  follower_count: { periods: ['day'], minFollowers: 100 },
  online_followers: { periods: ['lifetime'], minFollowers: 100 },
  views: { ...TOTAL, breakdowns: ['follower_type', 'media_product_type'], sinceVersion: 22 },
  accounts_engaged: TOTAL,
  total_interactions: { ...TOTAL, breakdowns: ['media_product_type'] },
  likes: TOTAL,
  comments: TOTAL,
  shares: TOTAL,
  saves: TOTAL,
  replies: TOTAL,
  profile_links_taps: TOTAL,
  follows_and_unfollows: TOTAL,
  follower_demographics: DEMOGRAPHICS,
  engaged_audience_demographics: DEMOGRAPHICS,
  reached_audience_demographics: DEMOGRAPHICS,
};

/** Media insights metrics per media product type (album children have none). */
export const MEDIA_METRICS: Record<string, MediaProductType[]> = {
  reach: ['FEED', 'REELS', 'STORY'],
  views: ['FEED', 'REELS', 'STORY'],
  likes: ['FEED', 'REELS'],
  comments: ['FEED', 'REELS'],
  saved: ['FEED', 'REELS'],
  shares: ['FEED', 'REELS', 'STORY'],
  total_interactions: ['FEED', 'REELS', 'STORY'],
  follows: ['FEED', 'STORY'],
  profile_visits: ['FEED', 'STORY'],
  profile_activity: ['FEED', 'STORY'],
  replies: ['STORY'],
  navigation: ['STORY'],
  ig_reels_avg_watch_time: ['REELS'],
  ig_reels_video_view_total_time: ['REELS'],
};
export const MEDIA_METRIC_SINCE_VERSION: Record<string, number> = { views: 22 };

/** Demographic metrics return at most this many groups (Meta: "the top 45 performers"). */
export const DEMOGRAPHICS_TOP = 45;
/** Our reading of Meta's privacy threshold: a group with fewer followers than this is left out. */
export const DEMOGRAPHICS_GROUP_MIN = 100;
/** since/until on day-period metrics may span at most 30 days. */
export const MAX_RANGE_SECONDS = 30 * 86_400;

export const majorOf = (version: string): number => Number(/^v(\d+)/.exec(version)?.[1] ?? 0);

export function isRetired(retirement: Retirement | undefined, version: string, now: number): boolean {
  return Boolean(retirement) && (majorOf(version) >= retirement!.fromVersion || now >= retirement!.allVersionsFrom);
}

/** The metrics Meta lists as valid in its "must be one of" error, for this version. */
export function accountMetricNames(version: string): string[] {
  return Object.entries(ACCOUNT_METRICS)
    .filter(([, rule]) => majorOf(version) >= (rule.sinceVersion ?? 0))
    .map(([name]) => name);
}

export function mediaMetricNames(version: string): string[] {
  return Object.keys(MEDIA_METRICS).filter((name) => majorOf(version) >= (MEDIA_METRIC_SINCE_VERSION[name] ?? 0));
}

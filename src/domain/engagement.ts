/**
 * Engagement from an account's recent posts (docs/creator-metrics.md). Pure: the posts come from
 * Meta's `/media` edge (and, when granted, media insights), the figures go to account_metrics.
 */

export type MediaKind = 'IMAGE' | 'CAROUSEL_ALBUM' | 'VIDEO' | 'REELS';

export interface MediaSample {
  id: string;
  kind: MediaKind;
  postedAt: Date;
  /** null when Meta left like_count out: such a post is left out of the likes average. */
  likes: number | null;
  comments: number | null;
  /** From media insights; null when not granted or Meta has no data for this post. */
  views: number | null;
  reach: number | null;
  saves: number | null;
  shares: number | null;
}

export interface EngagementSettings {
  /** At most this many posts, newest first. */
  maxPosts: number;
  /** Only posts newer than this many days. */
  windowDays: number;
}

export interface EngagementFigures {
  postsConsidered: number;
  windowDays: number;
  avgLikes: number | null;
  avgComments: number | null;
  avgViews: number | null;
  /** (average likes + average comments) / followers; null without posts or followers. */
  engagementRate: number | null;
  postsPerWeek: number | null;
  mediaMix: Record<MediaKind, number>;
  /** Posts whose like count Meta did not give. */
  likesHiddenPosts: number;
  avgReach: number | null;
  avgSaves: number | null;
  avgShares: number | null;
}

const DAY_MS = 86_400_000;

/** The posts that count: inside the window, newest first, at most maxPosts. */
export function recentPosts(media: MediaSample[], now: Date, settings: EngagementSettings): MediaSample[] {
  const from = now.getTime() - settings.windowDays * DAY_MS;
  return media
    .filter((m) => m.postedAt.getTime() >= from && m.postedAt.getTime() <= now.getTime())
    .sort((a, b) => b.postedAt.getTime() - a.postedAt.getTime())
    .slice(0, settings.maxPosts);
}

function average(values: Array<number | null>): number | null {
  const known = values.filter((v): v is number => v !== null && Number.isFinite(v));
  return known.length === 0 ? null : known.reduce((a, b) => a + b, 0) / known.length;
}

export function computeEngagement(media: MediaSample[], followers: number, now: Date, settings: EngagementSettings): EngagementFigures {
  const posts = recentPosts(media, now, settings);
  const avgLikes = average(posts.map((p) => p.likes));
  const avgComments = average(posts.map((p) => p.comments));
  const mediaMix: Record<MediaKind, number> = { IMAGE: 0, CAROUSEL_ALBUM: 0, VIDEO: 0, REELS: 0 };
  for (const p of posts) mediaMix[p.kind]++;
  const interactions = avgLikes === null && avgComments === null ? null : (avgLikes ?? 0) + (avgComments ?? 0);
  return {
    postsConsidered: posts.length,
    windowDays: settings.windowDays,
    avgLikes,
    avgComments,
    avgViews: average(posts.map((p) => p.views)),
    engagementRate: interactions !== null && followers > 0 ? interactions / followers : null,
    postsPerWeek: postsPerWeek(posts, now, settings),
    mediaMix,
    likesHiddenPosts: posts.filter((p) => p.likes === null).length,
    avgReach: average(posts.map((p) => p.reach)),
    avgSaves: average(posts.map((p) => p.saves)),
    avgShares: average(posts.map((p) => p.shares)),
  };
}

/**
 * Posts per week over the span they cover: the whole window when fewer than maxPosts fell in it,
 * else from the oldest counted post to now (an account posting daily is not averaged over 90 days).
 */
function postsPerWeek(posts: MediaSample[], now: Date, settings: EngagementSettings): number | null {
  if (posts.length === 0) return 0;
  const spanMs = posts.length < settings.maxPosts ? settings.windowDays * DAY_MS : Math.max(DAY_MS, now.getTime() - posts[posts.length - 1].postedAt.getTime());
  return (posts.length * 7 * DAY_MS) / spanMs;
}

/** How a Meta media record is classified: reels by product type, the rest by media type. */
export function mediaKindOf(mediaType: string | undefined, productType: string | undefined): MediaKind | null {
  if (productType === 'REELS') return 'REELS';
  if (productType === 'STORY' || productType === 'AD') return null;
  if (mediaType === 'IMAGE' || mediaType === 'CAROUSEL_ALBUM' || mediaType === 'VIDEO') return mediaType;
  return null;
}

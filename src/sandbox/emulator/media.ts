import { createHash } from 'node:crypto';

/**
 * An Instagram account's posts and audience as the emulator holds them (docs/meta-insights-metrics.md).
 * Generated on first use from the account id, so every run sees the same posts; tests replace
 * them through the control API (setMedia, setAudience).
 */
export type MediaType = 'IMAGE' | 'VIDEO' | 'CAROUSEL_ALBUM';
export type MediaProductType = 'FEED' | 'REELS' | 'STORY' | 'AD';

export interface EmulatedMedia {
  id: string;
  mediaType: MediaType;
  productType: MediaProductType;
  /** Epoch ms. */
  timestamp: number;
  likeCount: number;
  commentsCount: number;
  /** The owner hid the like count on Instagram (the owner's own reads still get it: docs). */
  likesHidden: boolean;
  /**
   * Not Meta behaviour for the owner's reads (Meta answers the real count, see the doc), but a
   * client must survive an absent field: tests set it to see `like_count` left out.
   */
  omitLikeCount?: boolean;
  /** Insights values; undefined = Meta has no data for it (an empty data set, never 0). */
  reach?: number;
  views?: number;
  saved?: number;
  shares?: number;
}

/** follower_demographics as Meta counts it: followers per group, before its thresholds. */
export interface EmulatedAudience {
  age: Record<string, number>;
  gender: Record<string, number>;
  country: Record<string, number>;
  city: Record<string, number>;
}

const DAY = 86_400_000;

/** A small deterministic PRNG (mulberry32) seeded from the account id. */
function randomFor(seed: string): () => number {
  let a = createHash('sha256').update(seed).digest().readUInt32BE(0);
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Up to 60 posts spread over the last ~8 months (a post every 2-6 days), newest first, as the
 * `/media` edge lists them: a mix of images, carousels, videos and reels; like counts near 1-5 %
 * of followers (reels more), comments a few percent of likes, one post in eight with likes hidden.
 */
/** What media and audience are generated from: the emulated Instagram account's id and counts (world.ts's IgAccount has them). */
export interface MediaOwner {
  id: string;
  followersCount: number;
  mediaCount: number;
}

export function generateMedia(ig: MediaOwner, now: number): EmulatedMedia[] {
  const random = randomFor(ig.id);
  const count = Math.min(ig.mediaCount, 60);
  const media: EmulatedMedia[] = [];
  let at = now - Math.floor(random() * 2 * DAY);
  for (let i = 0; i < count; i++) {
    const roll = random();
    const [mediaType, productType]: [MediaType, MediaProductType] =
      roll < 0.35 ? ['IMAGE', 'FEED'] : roll < 0.6 ? ['CAROUSEL_ALBUM', 'FEED'] : roll < 0.7 ? ['VIDEO', 'FEED'] : ['VIDEO', 'REELS'];
    const followers = Math.max(ig.followersCount, 1);
    const rate = (productType === 'REELS' ? 0.03 : 0.015) * (0.5 + random());
    const likeCount = Math.round(followers * rate);
    const reach = Math.round(followers * (productType === 'REELS' ? 0.6 : 0.3) * (0.6 + random() * 0.8));
    media.push({
      id: `${ig.id.slice(-8)}${String(18_000_000_000 + i * 7919 + Math.floor(random() * 7000)).padStart(11, '0')}`,
      mediaType,
      productType,
      timestamp: at,
      likeCount,
      commentsCount: Math.round(likeCount * (0.01 + random() * 0.04)),
      likesHidden: random() < 0.125,
      reach,
      views: Math.round(reach * (productType === 'REELS' ? 1.8 : 1.3)),
      saved: Math.round(likeCount * 0.05 * random()),
      shares: Math.round(likeCount * 0.03 * random()),
    });
    at -= Math.round((2 + random() * 4) * DAY);
  }
  return media;
}

/** A plausible audience for an account: shares of its followers by age, gender, country, city. */
export function generateAudience(ig: MediaOwner): EmulatedAudience {
  const n = ig.followersCount;
  const split = (shares: Record<string, number>) => Object.fromEntries(Object.entries(shares).map(([k, s]) => [k, Math.round(n * s)]));
  return {
    age: split({ '13-17': 0.02, '18-24': 0.31, '25-34': 0.38, '35-44': 0.17, '45-54': 0.07, '55-64': 0.03, '65+': 0.02 }),
    gender: split({ F: 0.58, M: 0.39, U: 0.03 }),
    country: split({ US: 0.34, BR: 0.12, GB: 0.09, DE: 0.07, FR: 0.05, IN: 0.05, IS: 0.0004 }),
    city: split({
      'New York, New York': 0.06,
      'London, England': 0.05,
      'São Paulo, São Paulo (state)': 0.04,
      'Berlin, Berlin': 0.02,
      'Reykjavík, Capital Region': 0.0004,
    }),
  };
}

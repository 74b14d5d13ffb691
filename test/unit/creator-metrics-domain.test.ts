import { computeEngagement, mediaKindOf, type MediaSample } from '../../src/domain/engagement';
import { growthOver } from '../../src/domain/growth';
import { DEFAULT_PRICE_POLICY, engagementPrice, parsePricePolicy } from '../../src/domain/price-policy';

const NOW = new Date(Date.UTC(2026, 11, 4, 12));
const DAY = 86_400_000;

function sample(daysAgo: number, patch: Partial<MediaSample> = {}): MediaSample {
  return {
    id: String(daysAgo),
    kind: 'IMAGE',
    postedAt: new Date(NOW.getTime() - daysAgo * DAY),
    likes: 100,
    comments: 10,
    views: null,
    reach: null,
    saves: null,
    shares: null,
    ...patch,
  };
}

describe('engagement', () => {
  it('counts the newest posts in the window only, and leaves unknown likes and views out instead of counting 0', () => {
    const media = [sample(1, { likes: null }), sample(2, { likes: 300, views: 1000 }), sample(3, { views: null }), sample(200, { likes: 1e6 })];
    const figures = computeEngagement(media, 1_000, NOW, { maxPosts: 12, windowDays: 90 });
    expect(figures.postsConsidered).toBe(3);
    expect(figures.avgLikes).toBe(200);
    expect(figures.avgViews).toBe(1000);
    expect(figures.likesHiddenPosts).toBe(1);
    expect(figures.engagementRate).toBeCloseTo(210 / 1_000);
    expect(figures.postsPerWeek).toBeCloseTo((3 * 7) / 90);
  });

  it('takes at most maxPosts, measuring frequency over the span they cover', () => {
    const media = Array.from({ length: 20 }, (_, i) => sample(i + 1));
    const figures = computeEngagement(media, 0, NOW, { maxPosts: 10, windowDays: 90 });
    expect(figures.postsConsidered).toBe(10);
    expect(figures.postsPerWeek).toBeCloseTo(7); // one a day over the 10 days they span
    expect(figures.engagementRate).toBeNull(); // no followers: no rate
  });

  it('classifies reels by product type and ignores stories and ads', () => {
    expect(mediaKindOf('VIDEO', 'REELS')).toBe('REELS');
    expect(mediaKindOf('VIDEO', 'FEED')).toBe('VIDEO');
    expect(mediaKindOf('CAROUSEL_ALBUM', 'FEED')).toBe('CAROUSEL_ALBUM');
    expect(mediaKindOf('IMAGE', 'STORY')).toBeNull();
    expect(mediaKindOf('IMAGE', 'AD')).toBeNull();
  });
});

describe('growth', () => {
  const days = [
    { day: '2026-11-01', followers: 900, following: 1, mediaCount: 1, engagementRate: null },
    { day: '2026-11-27', followers: 980, following: 1, mediaCount: 1, engagementRate: null },
  ];
  it('compares with the newest snapshot at least N days old, and says nothing without one', () => {
    expect(growthOver(days, 1_000, NOW, 7)).toEqual({ absolute: 20, relative: 20 / 980, since: '2026-11-27' });
    expect(growthOver(days, 1_000, NOW, 30)).toEqual({ absolute: 100, relative: 100 / 900, since: '2026-11-01' });
    expect(growthOver(days, 1_000, NOW, 90)).toEqual({ absolute: null, relative: null, since: null });
  });
});

describe('price policy', () => {
  const base = { currency: 'USD', tiers: [{ tier: 'N', minFollowers: 0, ratePer1000Followers: 10 }] };

  it('still reads policy files without an engagement section, which then price by followers only', () => {
    const policy = parsePricePolicy(base);
    expect(policy).toEqual({ currency: 'USD', tiers: base.tiers });
    expect(engagementPrice({ postsConsidered: 12, avgLikes: 100, avgComments: 5, avgReach: null }, DEFAULT_PRICE_POLICY)).toBeNull();
  });

  it('prices expected engagement (and reach) per post, with a minimum of posts', () => {
    const policy = parsePricePolicy({ ...base, engagement: { ratePerEngagement: 30, ratePer1000Reach: 500, minPosts: 3 } });
    if (typeof policy === 'string') throw new Error(policy);
    expect(engagementPrice({ postsConsidered: 3, avgLikes: 100, avgComments: 5, avgReach: 4_000 }, policy)).toBe(105 * 30 + 2_000);
    expect(engagementPrice({ postsConsidered: 2, avgLikes: 100, avgComments: 5, avgReach: null }, policy)).toBeNull();
  });

  it('says what is wrong with a bad engagement section', () => {
    expect(parsePricePolicy({ ...base, engagement: { ratePerEngagement: -1 } })).toContain('engagement.ratePerEngagement');
    expect(parsePricePolicy({ ...base, engagement: { ratePerEngagement: 1, minPosts: 0 } })).toContain('engagement.minPosts');
    expect(parsePricePolicy({ ...base, engagement: 'cheap' })).toContain('"engagement" must be an object');
  });
});

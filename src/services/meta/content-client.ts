import type { MetaConfig } from '../../config';
import { LoginProvider } from '../../domain/social-account';
import type { MetaHost } from './errors';
import type { MetaHttp } from './meta-http';

/** One post as the `/media` edge answers it (docs/meta-insights-metrics.md). */
export interface RawMedia {
  id: string;
  media_type?: string;
  media_product_type?: string;
  timestamp?: string;
  like_count?: number;
  comments_count?: number;
}

/** Whose content, on which host, with which token. */
export interface ContentTarget {
  provider: LoginProvider;
  /** The professional account id. */
  igUserId: string;
  token: string;
}

interface Paged<T> {
  data?: T[];
  paging?: { next?: string };
}

interface InsightsAnswer {
  data?: Array<{
    name: string;
    values?: Array<{ value?: unknown }>;
    total_value?: { value?: unknown; breakdowns?: Array<{ results?: Array<{ dimension_values?: string[]; value?: unknown }> }> };
  }>;
}

export const MEDIA_FIELDS = 'id,media_type,media_product_type,timestamp,like_count,comments_count';
/** Meta's default page size on this edge; also the most we ask per page. */
const PAGE_SIZE = 25;
/** Guard against a paging loop. */
const MAX_PAGES = 20;
/** Per-media metrics we read when insights are granted: all accepted for FEED and REELS since v22. */
export const MEDIA_INSIGHT_METRICS = ['reach', 'views', 'saved', 'shares'] as const;
export const DEMOGRAPHIC_BREAKDOWNS = ['age', 'gender', 'country', 'city'] as const;
export type DemographicBreakdown = (typeof DEMOGRAPHIC_BREAKDOWNS)[number];

/**
 * An Instagram account's posts and insights, on graph.facebook.com (Facebook Login: the IG user
 * id with the Page token) or graph.instagram.com (Business Login: `/me` with the account's token).
 * Every call names the Instagram account, so a rate limit Meta puts on it (#80002, its Business
 * Use Case usage) pauses that account only.
 */
export class InstagramContentClient {
  constructor(
    private readonly http: MetaHttp,
    private readonly config: MetaConfig,
  ) {}

  private where(target: ContentTarget): { host: MetaHost; node: string } {
    return target.provider === LoginProvider.FACEBOOK
      ? { host: 'facebookGraph', node: `/${encodeURIComponent(target.igUserId)}` }
      : { host: 'instagramGraph', node: '/me' };
  }

  /** Newest first, following `paging.next` until `maxPosts` posts or one older than `since`. */
  async recentMedia(target: ContentTarget, options: { maxPosts: number; since: Date }): Promise<RawMedia[]> {
    const { host, node } = this.where(target);
    const limits = { instagramAccountId: target.igUserId };
    const media: RawMedia[] = [];
    let page = await this.http.request<Paged<RawMedia>>({
      host,
      path: `${node}/media`,
      versioned: true,
      query: { fields: MEDIA_FIELDS, limit: Math.min(options.maxPosts, PAGE_SIZE) },
      accessToken: target.token,
      limits,
      operation: 'ig-media',
    });
    for (let pages = 1; ; pages++) {
      for (const item of page.data ?? []) {
        const at = Date.parse(item.timestamp ?? '');
        if (Number.isFinite(at) && at < options.since.getTime()) return media; // newest first: the rest are older
        media.push(item);
        if (media.length >= options.maxPosts) return media;
      }
      const next = page.paging?.next;
      if (!next || pages >= MAX_PAGES) return media;
      page = await this.http.requestAbsolute<Paged<RawMedia>>({ host, absoluteUrl: next, accessToken: target.token, limits, operation: 'ig-media' });
    }
  }

  /** Lifetime metrics of one post; a metric Meta has no data for is absent. */
  async mediaInsights(target: ContentTarget, mediaId: string, metrics: readonly string[]): Promise<Record<string, number>> {
    const { host } = this.where(target);
    const body = await this.http.request<InsightsAnswer>({
      host,
      path: `/${encodeURIComponent(mediaId)}/insights`,
      versioned: true,
      query: { metric: metrics.join(',') },
      accessToken: target.token,
      limits: { instagramAccountId: target.igUserId, objectId: mediaId },
      operation: 'ig-media-insights',
    });
    const values: Record<string, number> = {};
    for (const entry of body.data ?? []) {
      const value = Number(entry.values?.[0]?.value ?? entry.total_value?.value);
      if (Number.isFinite(value)) values[entry.name] = value;
    }
    return values;
  }

  /** Account totals (`metric_type=total_value`, period day) over since..until (Meta: at most 30 days). */
  async accountTotals(target: ContentTarget, metrics: readonly string[], since: Date, until: Date): Promise<Record<string, number>> {
    const { host, node } = this.where(target);
    const body = await this.http.request<InsightsAnswer>({
      host,
      path: `${node}/insights`,
      versioned: true,
      query: {
        metric: metrics.join(','),
        period: 'day',
        metric_type: 'total_value',
        since: Math.floor(since.getTime() / 1000),
        until: Math.floor(until.getTime() / 1000),
      },
      accessToken: target.token,
      limits: { instagramAccountId: target.igUserId },
      operation: 'ig-account-insights',
    });
    const values: Record<string, number> = {};
    for (const entry of body.data ?? []) {
      const value = Number(entry.total_value?.value);
      if (Number.isFinite(value)) values[entry.name] = value;
    }
    return values;
  }

  /** follower_demographics by one breakdown: group → followers. Empty under Meta's minimums. */
  async followerDemographics(target: ContentTarget, breakdown: DemographicBreakdown): Promise<Record<string, number>> {
    const { host, node } = this.where(target);
    const body = await this.http.request<InsightsAnswer>({
      host,
      path: `${node}/insights`,
      versioned: true,
      query: { metric: 'follower_demographics', period: 'lifetime', metric_type: 'total_value', timeframe: 'this_month', breakdown },
      accessToken: target.token,
      limits: { instagramAccountId: target.igUserId },
      operation: 'ig-follower-demographics',
    });
    const groups: Record<string, number> = {};
    for (const result of body.data?.[0]?.total_value?.breakdowns?.[0]?.results ?? []) {
      const key = result.dimension_values?.[0];
      const value = Number(result.value);
      if (key && Number.isFinite(value)) groups[key] = value;
    }
    return groups;
  }

  get graphVersion(): string {
    return this.config.graphVersion;
  }
}

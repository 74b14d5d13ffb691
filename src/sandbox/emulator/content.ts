import type { Faults } from './faults';
import { parseFieldsParam, project } from './fields';
import {
  ACCOUNT_METRICS,
  DEMOGRAPHICS_GROUP_MIN,
  DEMOGRAPHICS_TOP,
  MAX_RANGE_SECONDS,
  MEDIA_METRICS,
  RETIRED_ACCOUNT_METRICS,
  RETIRED_MEDIA_METRICS,
  accountMetricNames,
  isRetired,
  majorOf,
  mediaMetricNames,
} from './insights-rules';
import type { EmulatedMedia } from './media';
import { paged, type PagedCall } from './paging';
import { graphError, ok, type GraphResult } from './responses';
import type { IgAccount, World } from './world';

/** The fields the `/media` edge answers (docs/meta-insights-metrics.md); anything else is an unknown field. */
type MediaField =
  'id' | 'caption' | 'media_type' | 'media_product_type' | 'timestamp' | 'permalink' | 'like_count' | 'comments_count' | 'media_url' | 'username';
/** Our model of an account's Business Use Case budget on these calls (Meta's is 4800 × impressions a day). */
const CALLS_PER_HOUR_BUDGET = 200;

export interface ContentCall extends PagedCall {
  method: string;
}

/**
 * An Instagram account's content on either Graph host: the `/media` edge, account insights and
 * media insights. The caller has already resolved the token to the account and checked basic
 * access; `insightsScope` is the permission insights need on that host.
 */
export class InstagramContent {
  private readonly callTimes = new Map<string, number[]>();

  constructor(
    private readonly world: World,
    private readonly faults: Faults,
  ) {}

  /** `/{ig-user}/media`, `/{ig-user}/insights`. */
  account(ig: IgAccount, edge: string, call: ContentCall, scopes: string[], insightsScope: string, baseUrl: string): GraphResult {
    if (call.method !== 'GET') return graphError(400, 100, `(#100) Unsupported ${call.method} request.`);
    const result = edge === 'media' ? this.mediaEdge(ig, call, baseUrl) : this.accountInsights(ig, call, scopes, insightsScope);
    return this.withUsage(ig.id, result);
  }

  /** The account owning a media id, if any. */
  ownerOfMedia(mediaId: string): IgAccount | undefined {
    for (const ig of this.world.igAccounts.values()) if (this.world.mediaOf(ig.id).some((m) => m.id === mediaId)) return ig;
    return undefined;
  }

  /** `/{ig-media}/insights`. */
  mediaInsights(ig: IgAccount, mediaId: string, call: ContentCall, scopes: string[], insightsScope: string): GraphResult {
    const media = this.world.mediaOf(ig.id).find((m) => m.id === mediaId)!;
    if (!scopes.includes(insightsScope)) return this.withUsage(ig.id, noPermission());
    const names = metricList(call.params.metric);
    if (names.length === 0) return this.withUsage(ig.id, graphError(400, 100, '(#100) The parameter metric is required'));
    const valid = mediaMetricNames(call.version);
    const now = this.world.now();
    for (const [i, name] of names.entries()) {
      if (isRetired(RETIRED_MEDIA_METRICS[name], call.version, now) || !valid.includes(name)) {
        return this.withUsage(ig.id, graphError(400, 100, `(#100) metric[${i}] must be one of the following values: ${valid.join(', ')}`));
      }
    }
    const unsupported = names.filter((name) => !MEDIA_METRICS[name].includes(media.productType));
    if (unsupported.length > 0) {
      return this.withUsage(
        ig.id,
        graphError(400, 100, `(#100) The Media Insights API does not support the ${unsupported.join(', ')} metric for this media product type.`),
      );
    }
    const data = names.flatMap((name) => {
      const value = mediaValue(media, name);
      // No data for a metric: Meta leaves it out (an empty data set), it never invents a 0.
      return value === undefined ? [] : [{ name, period: 'lifetime', values: [{ value }], title: name, id: `${media.id}/insights/${name}/lifetime` }];
    });
    return this.withUsage(ig.id, ok({ data }));
  }

  private mediaEdge(ig: IgAccount, call: ContentCall, baseUrl: string): GraphResult {
    const parsed = parseFieldsParam(call.params.fields);
    if ('error' in parsed) return parsed.error;
    const fields = parsed.fields ?? [{ name: 'id' }];
    // Stories are not on this edge (they have their own); ads are not the owner's organic media.
    const media = this.world.mediaOf(ig.id).filter((m) => m.productType === 'FEED' || m.productType === 'REELS');
    return paged(media, (m) => project(mediaValues(ig, m), fields, 'IGMedia'), call, baseUrl);
  }

  private accountInsights(ig: IgAccount, call: ContentCall, scopes: string[], insightsScope: string): GraphResult {
    if (!scopes.includes(insightsScope)) return noPermission();
    const names = metricList(call.params.metric);
    if (names.length === 0) return graphError(400, 100, '(#100) The parameter metric is required');
    const version = call.version;
    const now = this.world.now();
    const valid = accountMetricNames(version);
    for (const [i, name] of names.entries()) {
      if (isRetired(RETIRED_ACCOUNT_METRICS[name], version, now)) {
        return majorOf(version) >= 22
          ? graphError(
              400,
              100,
              `Starting from version 22 and above, the ${name} metric is no longer supported for the queried user. Please refer to the documentation for a list of supported metrics.`,
            )
          : graphError(400, 100, `(#100) metric[${i}] must be one of the following values: ${valid.join(', ')}`);
      }
      if (!valid.includes(name)) return graphError(400, 100, `(#100) metric[${i}] must be one of the following values: ${valid.join(', ')}`);
    }
    const period = call.params.period;
    if (!period) return graphError(400, 100, '(#100) The parameter period is required');
    for (const name of names) {
      if (!ACCOUNT_METRICS[name].periods.includes(period)) return graphError(400, 100, `(#100) Incompatible period ${period} for metric ${name}`);
    }
    const totalValue = call.params.metric_type === 'total_value';
    const needTotal = names.filter((name) => ACCOUNT_METRICS[name].totalValueOnly);
    if (needTotal.length > 0 && !totalValue) {
      return graphError(400, 100, `(#100) The following metrics (${needTotal.join(', ')}) should be specified with parameter metric_type=total_value`);
    }
    const since = Number(call.params.since) || undefined;
    const until = Number(call.params.until) || undefined;
    if (since && until && until - since > MAX_RANGE_SECONDS) {
      return graphError(400, 100, '(#100) There cannot be more than 30 days (2592000 s) between since and until');
    }
    const breakdown = call.params.breakdown;
    const data: unknown[] = [];
    for (const name of names) {
      const rule = ACCOUNT_METRICS[name];
      if (rule.breakdownRequired && !breakdown) return graphError(400, 100, `(#100) The metric ${name} requires the breakdown parameter`);
      if (breakdown && !(rule.breakdowns ?? []).includes(breakdown)) return graphError(400, 100, `(#100) Invalid breakdown ${breakdown} for metric ${name}`);
      if (name.endsWith('demographics')) {
        const timeframe = call.params.timeframe ?? 'this_month';
        if (!['this_week', 'this_month'].includes(timeframe)) return graphError(400, 100, '(#100) timeframe must be one of: this_week, this_month');
      }
      // Meta answers an empty data set, not zeros, for accounts under the follower minimum.
      if (rule.minFollowers && ig.followersCount < rule.minFollowers) continue;
      const base = { name, period, title: name, id: `${ig.id}/insights/${name}/${period}` };
      if (name.endsWith('demographics')) data.push({ ...base, total_value: { breakdowns: [demographics({ ...this.world.audienceOf(ig.id) }, breakdown)] } });
      else if (totalValue) data.push({ ...base, total_value: { value: this.accountValue(ig, name, since, until) } });
      else data.push({ ...base, values: this.series(ig, name, since, until) });
    }
    return ok({ data });
  }

  /** A total over the range from the account's posts in it (reach and views approximate uniques by sums). */
  private accountValue(ig: IgAccount, name: string, since?: number, until?: number): number {
    const to = (until ?? Math.floor(this.world.now() / 1000)) * 1000;
    const from = (since ?? to / 1000 - 86_400) * 1000;
    const posts = this.world.mediaOf(ig.id).filter((m) => m.timestamp >= from && m.timestamp < to);
    const sum = (pick: (m: EmulatedMedia) => number | undefined) => posts.reduce((total, m) => total + (pick(m) ?? 0), 0);
    const days = Math.max(1, (to - from) / 86_400_000);
    switch (name) {
      case 'reach':
        return Math.round(sum((m) => m.reach) + ig.followersCount * 0.02 * days);
      case 'views':
        return Math.round(sum((m) => m.views) + ig.followersCount * 0.03 * days);
      case 'likes':
        return sum((m) => m.likeCount);
      case 'comments':
        return sum((m) => m.commentsCount);
      case 'saves':
        return sum((m) => m.saved);
      case 'shares':
        return sum((m) => m.shares);
      case 'total_interactions':
        return sum((m) => m.likeCount + m.commentsCount + (m.saved ?? 0) + (m.shares ?? 0));
      case 'accounts_engaged':
        return Math.round(sum((m) => m.likeCount) * 0.8);
      default:
        return 0;
    }
  }

  private series(ig: IgAccount, name: string, since?: number, until?: number): Array<{ value: number; end_time: string }> {
    const to = until ?? Math.floor(this.world.now() / 1000);
    const from = since ?? to - 2 * 86_400;
    const values: Array<{ value: number; end_time: string }> = [];
    for (let end = from + 86_400; end <= to; end += 86_400) {
      const value = name === 'follower_count' ? Math.round(ig.followersCount * 0.001) : this.accountValue(ig, name, end - 86_400, end);
      values.push({ value, end_time: new Date(end * 1000).toISOString().replace('.000Z', '+0000') });
    }
    return values;
  }

  /** Every answer on an account's content carries that account's Business Use Case usage, as Meta's do. */
  private withUsage(igId: string, result: GraphResult): GraphResult {
    if (this.faults.usage.business?.[igId]) return result; // a test set it: index.ts sends that one
    const now = this.world.now();
    const times = (this.callTimes.get(igId) ?? []).filter((t) => t > now - 3_600_000);
    times.push(now);
    this.callTimes.set(igId, times);
    const percent = Math.min(100, Math.round((times.length * 100) / CALLS_PER_HOUR_BUDGET));
    const usage = {
      type: 'instagram',
      call_count: percent,
      total_cputime: Math.round(percent / 2),
      total_time: Math.round(percent / 2),
      estimated_time_to_regain_access: 0,
    };
    return { ...result, headers: { ...result.headers, 'x-business-use-case-usage': JSON.stringify({ [igId]: [usage] }) } };
  }
}

function noPermission(): GraphResult {
  return graphError(403, 10, '(#10) Application does not have permission for this action');
}

function metricList(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
}

function mediaValues(ig: IgAccount, m: EmulatedMedia): Record<string, unknown> {
  return {
    id: m.id,
    caption: `Post ${m.id.slice(-4)}`,
    media_type: m.mediaType,
    media_product_type: m.productType,
    timestamp: new Date(m.timestamp).toISOString().replace('.000Z', '+0000'),
    permalink: `https://www.instagram.com/p/${Buffer.from(m.id).toString('base64url').slice(0, 11)}/`,
    like_count: m.omitLikeCount ? undefined : m.likeCount,
    comments_count: m.commentsCount,
    media_url: `https://scontent.cdninstagram.example/${m.id}.jpg`,
    username: ig.username,
  } satisfies Record<MediaField, unknown>;
}

function mediaValue(m: EmulatedMedia, name: string): number | undefined {
  const values: Record<string, number | undefined> = {
    reach: m.reach,
    views: m.views,
    likes: m.likeCount,
    comments: m.commentsCount,
    saved: m.saved,
    shares: m.shares,
    total_interactions: m.likeCount + m.commentsCount + (m.saved ?? 0) + (m.shares ?? 0),
  };
  return values[name] ?? (name in values ? undefined : 0);
}

function demographics(audience: Record<string, Record<string, number>>, breakdown: string) {
  const groups = Object.entries(audience[breakdown] ?? {})
    .filter(([, value]) => value >= DEMOGRAPHICS_GROUP_MIN)
    .sort((a, b) => b[1] - a[1])
    .slice(0, DEMOGRAPHICS_TOP);
  return { dimension_keys: [breakdown], results: groups.map(([key, value]) => ({ dimension_values: [key], value })) };
}

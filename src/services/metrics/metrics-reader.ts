import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../clock';
import { dayBefore, growthOver, type DaySnapshot } from '../../domain/growth';
import { daysOf, metricsOf, type MetricsRow } from '../../repositories/account-metrics.repository';
import { PriceBasis } from '../../domain/social-account';
import { engagementPrice, type PricePolicy } from '../../domain/price-policy';

/** The longest growth period shown; growth reads this many days of snapshots. */
const GROWTH_DAYS = 90;

export interface AccountMetricsView {
  engagement: EngagementView | null;
  insights: { days: number; reach: number | null; views: number | null; asOf: Date } | null;
  audience: { age: Group[]; gender: Group[]; country: Group[]; city: Group[]; asOf: Date } | null;
  price: { price: number; basis: PriceBasis } | null;
}

interface Group {
  key: string;
  followers: number;
}

interface EngagementView {
  postsConsidered: number;
  windowDays: number;
  averageLikes: number | null;
  averageComments: number | null;
  averageViews: number | null;
  engagementRate: number | null;
  postsPerWeek: number | null;
  mediaMix: { images: number; carousels: number; videos: number; reels: number };
  likesHiddenPosts: number;
  averageReach: number | null;
  averageSaves: number | null;
  averageShares: number | null;
  asOf: Date;
}

interface Batch<T> {
  pending: Map<string, Array<{ resolve: (value: T) => void; reject: (error: Error) => void }>>;
  done: Map<string, Promise<T>>;
  scheduled: boolean;
}

/**
 * Reads the stored creator metrics for the API, one query per operation however many accounts
 * it shows: loads asked for in one tick of one operation (`scope`) are batched, and answered
 * from that batch for the rest of the operation.
 */
export class MetricsReader {
  private readonly metricsBatches = new WeakMap<object, Batch<MetricsRow | undefined>>();
  private readonly dayBatches = new WeakMap<object, Batch<DaySnapshot[]>>();

  constructor(private readonly deps: { clock: Clock; pricePolicy: PricePolicy; historyRetentionDays: number }) {}

  /** Whether a price can come from engagement at all: only when the price policy has engagement rates. */
  get pricesFromEngagement(): boolean {
    return this.deps.pricePolicy.engagement !== undefined;
  }

  get historyRetentionDays(): number {
    return this.deps.historyRetentionDays;
  }

  async metrics(scope: object, em: EntityManager, accountId: string): Promise<AccountMetricsView> {
    const row = await this.load(this.metricsBatches, scope, accountId, async (ids) => {
      const rows = await metricsOf(em, ids);
      return new Map(rows.map((r) => [r.account_id, r]));
    });
    return this.view(row);
  }

  /** Snapshots of the last 90 days (for growth), oldest first. */
  async recentDays(scope: object, em: EntityManager, accountId: string): Promise<DaySnapshot[]> {
    return this.load(this.dayBatches, scope, accountId, async (ids) => {
      const rows = await daysOf(em, ids, dayBefore(this.deps.clock.now(), GROWTH_DAYS + 1));
      const byAccount = new Map<string, DaySnapshot[]>(ids.map((id) => [id, []]));
      for (const { accountId: id, ...day } of rows) byAccount.get(id)?.push(day);
      return byAccount;
    });
  }

  async growth(scope: object, em: EntityManager, account: { id: string; followersCount: number }) {
    const days = await this.recentDays(scope, em, account.id);
    const now = this.deps.clock.now();
    const figure = (n: number) => {
      const g = growthOver(days, account.followersCount, now, n);
      return { followers: g.absolute, rate: g.relative, since: g.since };
    };
    return { days7: figure(7), days30: figure(30), days90: figure(GROWTH_DAYS) };
  }

  /** One account's history, oldest first; `days` is checked by the caller. */
  async history(em: EntityManager, accountId: string, days: number): Promise<DaySnapshot[]> {
    const rows = await daysOf(em, [accountId], dayBefore(this.deps.clock.now(), days - 1));
    return rows.map(({ accountId: _id, ...day }) => day);
  }

  private view(row: MetricsRow | undefined): AccountMetricsView {
    if (!row) return { engagement: null, insights: null, audience: null, price: null };
    const mix = row.media_mix ?? {};
    const engagement: EngagementView | null = row.computed_at
      ? {
          postsConsidered: row.posts_considered,
          windowDays: row.window_days,
          averageLikes: row.avg_likes,
          averageComments: row.avg_comments,
          averageViews: row.avg_views,
          engagementRate: row.engagement_rate,
          postsPerWeek: row.posts_per_week,
          mediaMix: { images: mix.IMAGE ?? 0, carousels: mix.CAROUSEL_ALBUM ?? 0, videos: mix.VIDEO ?? 0, reels: mix.REELS ?? 0 },
          likesHiddenPosts: row.likes_hidden_posts,
          averageReach: row.avg_reach,
          averageSaves: row.avg_saves,
          averageShares: row.avg_shares,
          asOf: new Date(row.computed_at),
        }
      : null;
    const groups = (g: Record<string, number> | undefined): Group[] =>
      Object.entries(g ?? {})
        .map(([key, followers]) => ({ key, followers }))
        .sort((a, b) => b.followers - a.followers);
    const audience = row.audience && row.audience_as_of ? row.audience : null;
    const price = engagement
      ? engagementPrice(
          { postsConsidered: row.posts_considered, avgLikes: row.avg_likes, avgComments: row.avg_comments, avgReach: row.avg_reach },
          this.deps.pricePolicy,
        )
      : null;
    return {
      engagement,
      insights:
        row.insights_as_of && row.insights_days
          ? {
              days: row.insights_days,
              reach: row.reach_total === null ? null : Number(row.reach_total),
              views: row.views_total === null ? null : Number(row.views_total),
              asOf: new Date(row.insights_as_of),
            }
          : null,
      audience: audience
        ? {
            age: groups(audience.age),
            gender: groups(audience.gender),
            country: groups(audience.country),
            city: groups(audience.city),
            asOf: new Date(row.audience_as_of!),
          }
        : null,
      price: price === null ? null : { price, basis: PriceBasis.ENGAGEMENT },
    };
  }

  /** Batches loads of one scope made in the same tick into one query; later loads reuse the answer. */
  private load<T>(batches: WeakMap<object, Batch<T>>, scope: object, id: string, query: (ids: string[]) => Promise<Map<string, T>>): Promise<T> {
    let batch = batches.get(scope);
    if (!batch) batches.set(scope, (batch = { pending: new Map(), done: new Map(), scheduled: false }));
    const known = batch.done.get(id);
    if (known) return known;
    const b = batch;
    const promise = new Promise<T>((resolve, reject) => {
      b.pending.set(id, [...(b.pending.get(id) ?? []), { resolve, reject }]);
      if (b.scheduled) return;
      b.scheduled = true;
      setImmediate(() => {
        const ids = [...b.pending.keys()];
        const waiting = new Map(b.pending);
        b.pending.clear();
        b.scheduled = false;
        query(ids).then(
          (found) => waiting.forEach((waiters, key) => waiters.forEach((w) => w.resolve(found.get(key) as T))),
          (error: unknown) => {
            for (const key of ids) b.done.delete(key); // a later load may try again
            const failure = error instanceof Error ? error : new Error(String(error));
            waiting.forEach((waiters) => waiters.forEach((w) => w.reject(failure)));
          },
        );
      });
    });
    batch.done.set(id, promise);
    return promise;
  }
}

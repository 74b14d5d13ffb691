import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../clock';
import type { MetricsConfig } from '../../config';
import { computeEngagement, mediaKindOf, type EngagementFigures, type MediaSample } from '../../domain/engagement';
import { utcDay } from '../../domain/growth';
import { LoginProvider } from '../../domain/social-account';
import type { Logger } from '../../logger';
import { recordDay, saveMetrics, type Audience, type InsightsFigures, type MetricsDueAccount } from '../../repositories/account-metrics.repository';
import { DEMOGRAPHIC_BREAKDOWNS, MEDIA_INSIGHT_METRICS, type ContentTarget, type InstagramContentClient } from '../meta/content-client';
import { MetaAuthError, MetaBadRequestError, MetaPermissionError } from '../meta/errors';
import type { FacebookClient } from '../meta/facebook-client';
import type { TokenVault } from '../tokens/token-vault';

/** The insights permission of each login flow (docs/creator-metrics.md, Scopes). */
export const INSIGHTS_SCOPE: Record<LoginProvider, string> = {
  [LoginProvider.FACEBOOK]: 'instagram_manage_insights',
  [LoginProvider.INSTAGRAM]: 'instagram_business_manage_insights',
};

export interface CollectedMetrics {
  engagement: EngagementFigures;
  insights?: InsightsFigures;
  audience?: Audience;
}

const DAY_MS = 86_400_000;

/**
 * Reads one account's creator figures from Meta and stores them (docs/creator-metrics.md):
 * engagement from its recent posts (basic scopes), and, when METRICS_INSIGHTS is on and the grant
 * really holds the insights permission (debug_token for Facebook Login, the permissions Meta
 * returned for Business Login), per-post reach/views/saves/shares, account reach and views, and
 * follower demographics. Meta errors propagate; the caller decides what they mean.
 */
export class CreatorMetricsService {
  constructor(
    private readonly deps: {
      clock: Clock;
      logger: Logger;
      vault: TokenVault;
      facebook: FacebookClient;
      content: InstagramContentClient;
      config: MetricsConfig;
    },
  ) {}

  get config(): MetricsConfig {
    return this.deps.config;
  }

  /** The scopes to ask for at connect on top of the basic ones. */
  extraScopes(provider: LoginProvider): string[] {
    return this.deps.config.insights ? [INSIGHTS_SCOPE[provider]] : [];
  }

  async collect(em: EntityManager, account: MetricsDueAccount): Promise<CollectedMetrics> {
    const target = await this.targetOf(em, account);
    const now = this.deps.clock.now();
    const { recentPosts, windowDays } = this.deps.config;
    const raw = await this.deps.content.recentMedia(target, { maxPosts: recentPosts, since: new Date(now.getTime() - windowDays * DAY_MS) });
    const samples = raw.flatMap((m): MediaSample[] => {
      const kind = mediaKindOf(m.media_type, m.media_product_type);
      const postedAt = new Date(m.timestamp ?? '');
      if (!kind || Number.isNaN(postedAt.getTime())) return [];
      const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
      return [{ id: m.id, kind, postedAt, likes: count(m.like_count), comments: count(m.comments_count), views: null, reach: null, saves: null, shares: null }];
    });
    const collected: Partial<CollectedMetrics> = {};
    if (await this.insightsGranted(account, target)) {
      await this.addMediaInsights(target, samples);
      collected.insights = await this.accountInsights(target, now);
      collected.audience = await this.audience(target);
    }
    return { ...collected, engagement: computeEngagement(samples, account.followersCount, now, { maxPosts: recentPosts, windowDays }) };
  }

  /** Collects and stores; `owner` guards a worker's lease (null: a member's sync). Returns the figures stored. */
  async refresh(em: EntityManager, account: MetricsDueAccount, owner: string | null): Promise<CollectedMetrics | null> {
    const collected = await this.collect(em, account);
    const now = this.deps.clock.now();
    const nextRefreshAt = new Date(now.getTime() + this.deps.config.refreshHours * 3600_000);
    const saved = await saveMetrics(em, { owner, accountId: account.id, now, nextRefreshAt, ...collected });
    if (!saved) return null; // the lease was lost: another worker has the account now
    await this.recordSnapshot(em, account, collected.engagement.engagementRate);
    return collected;
  }

  /** Today's growth snapshot from the account's stored profile figures. */
  async recordSnapshot(
    em: EntityManager,
    account: Pick<MetricsDueAccount, 'id' | 'followersCount' | 'followingCount' | 'mediaCount'>,
    engagementRate: number | null,
  ): Promise<void> {
    const now = this.deps.clock.now();
    await recordDay(
      em,
      account.id,
      utcDay(now),
      { followers: account.followersCount, following: account.followingCount, mediaCount: account.mediaCount, engagementRate },
      now,
    );
  }

  private async targetOf(em: EntityManager, account: MetricsDueAccount): Promise<ContentTarget> {
    const tokens = await this.deps.vault.tokensFor(em, account.id);
    const token = account.provider === LoginProvider.FACEBOOK ? (tokens.accountToken ?? tokens.grantToken) : tokens.grantToken;
    if (!token) throw new MetaAuthError({ message: 'no stored token', code: 190 });
    return { provider: account.provider, igUserId: account.platformUserId, token };
  }

  /**
   * Only when configured, and only when the grant holds the permission now: Facebook Login asks
   * debug_token (a member can remove one permission in their settings); Business Login tokens
   * cannot be inspected there, so the permissions Meta returned at connect or refresh decide.
   */
  private async insightsGranted(account: MetricsDueAccount, target: ContentTarget): Promise<boolean> {
    if (!this.deps.config.insights) return false;
    const scope = INSIGHTS_SCOPE[account.provider];
    if (account.provider === LoginProvider.INSTAGRAM) return account.grantScopes.includes(scope);
    const debug = await this.deps.facebook.debugToken(target.token);
    return debug.is_valid && (debug.scopes ?? []).includes(scope);
  }

  private async addMediaInsights(target: ContentTarget, samples: MediaSample[]): Promise<void> {
    for (const sample of samples) {
      const values = await this.insightsOrNothing(() => this.deps.content.mediaInsights(target, sample.id, MEDIA_INSIGHT_METRICS), sample.id);
      if (!values) continue;
      sample.views = values.views ?? null;
      sample.reach = values.reach ?? null;
      sample.saves = values.saved ?? null;
      sample.shares = values.shares ?? null;
    }
  }

  private async accountInsights(target: ContentTarget, now: Date): Promise<InsightsFigures | undefined> {
    const days = this.deps.config.insightsDays;
    const totals = await this.insightsOrNothing(
      () => this.deps.content.accountTotals(target, ['reach', 'views'], new Date(now.getTime() - days * DAY_MS), now),
      'account',
    );
    return totals ? { days, reach: totals.reach ?? null, views: totals.views ?? null } : undefined;
  }

  private async audience(target: ContentTarget): Promise<Audience | undefined> {
    const audience: Audience = {};
    for (const breakdown of DEMOGRAPHIC_BREAKDOWNS) {
      const groups = await this.insightsOrNothing(() => this.deps.content.followerDemographics(target, breakdown), `demographics:${breakdown}`);
      if (groups && Object.keys(groups).length > 0) audience[breakdown] = groups;
    }
    return Object.keys(audience).length > 0 ? audience : undefined;
  }

  /**
   * An insights call Meta refuses for this object (code 100: no data for this post's type, a
   * metric it does not take) or for want of the insights permission (10/200) is skipped: insights
   * are extras, and a grant without them is still a working connection. Token errors and rate
   * limits propagate.
   */
  private async insightsOrNothing<T>(read: () => Promise<T>, what: string): Promise<T | undefined> {
    try {
      return await read();
    } catch (error) {
      if (!(error instanceof MetaBadRequestError) && !(error instanceof MetaPermissionError)) throw error;
      this.deps.logger.info({ what, code: error.code, kind: error.kind }, 'Meta refused an insights read; skipping it');
      return undefined;
    }
  }
}

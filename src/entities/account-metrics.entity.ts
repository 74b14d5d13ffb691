import { Entity, Index, ManyToOne, OneToOne, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { SocialAccount } from './social-account.entity';

/**
 * The latest creator figures of one account (docs/creator-metrics.md) and the metrics refresh's
 * own schedule and lease. Read and written with SQL (repositories/account-metrics.repository.ts);
 * the entity documents the table. Deleted with its account.
 */
@Entity({ tableName: 'account_metrics' })
@Index({ name: 'account_metrics_due_idx', properties: ['nextRefreshAt'] })
export class AccountMetrics {
  @OneToOne(() => SocialAccount, {
    primary: true,
    ref: true,
    fieldName: 'account_id',
    deleteRule: 'cascade',
    updateRule: 'no action',
    foreignKeyName: 'account_metrics_account_fk',
  })
  account!: Ref<SocialAccount>;

  /** When the engagement figures below were computed (null: never yet). */
  @Property({ type: 'timestamptz', nullable: true })
  computedAt?: Date | null;

  @Property({ type: 'integer' })
  postsConsidered: number = 0;

  @Property({ type: 'integer' })
  windowDays: number = 0;

  @Property({ type: 'double', nullable: true })
  avgLikes?: number | null;

  @Property({ type: 'double', nullable: true })
  avgComments?: number | null;

  @Property({ type: 'double', nullable: true })
  avgViews?: number | null;

  @Property({ type: 'double', nullable: true })
  engagementRate?: number | null;

  @Property({ type: 'double', nullable: true })
  postsPerWeek?: number | null;

  /** Posts per kind: IMAGE, CAROUSEL_ALBUM, VIDEO, REELS. */
  @Property({ type: 'json', nullable: true })
  mediaMix?: Record<string, number> | null;

  @Property({ type: 'integer' })
  likesHiddenPosts: number = 0;

  /** Per-post insights averages (insights scope only). */
  @Property({ type: 'double', nullable: true })
  avgReach?: number | null;

  @Property({ type: 'double', nullable: true })
  avgSaves?: number | null;

  @Property({ type: 'double', nullable: true })
  avgShares?: number | null;

  /** Account insights over the last `insightsDays` days (insights scope only). */
  @Property({ type: 'integer', nullable: true })
  insightsDays?: number | null;

  @Property({ type: 'bigint', nullable: true })
  reachTotal?: string | null;

  @Property({ type: 'bigint', nullable: true })
  viewsTotal?: string | null;

  @Property({ type: 'timestamptz', nullable: true })
  insightsAsOf?: Date | null;

  /** follower_demographics: breakdown → group → followers (aggregates, no individual's data). */
  @Property({ type: 'json', nullable: true })
  audience?: Record<string, Record<string, number>> | null;

  @Property({ type: 'timestamptz', nullable: true })
  audienceAsOf?: Date | null;

  // --- the refresh's bookkeeping (never exposed) ---

  @Property({ type: 'timestamptz' })
  nextRefreshAt!: Date;

  @Property({ type: 'timestamptz', nullable: true })
  leaseUntil?: Date | null;

  @Property({ type: 'text', nullable: true })
  leaseOwner?: string | null;

  @Property({ type: 'integer' })
  failureCount: number = 0;

  @Property({ type: 'text', nullable: true })
  lastError?: string | null;
}

/** One snapshot per account and UTC day: the growth history (kept METRICS_HISTORY_RETENTION_DAYS). */
@Entity({ tableName: 'account_metrics_day' })
@Index({ name: 'account_metrics_day_day_idx', properties: ['day'] })
export class AccountMetricsDay {
  @ManyToOne(() => SocialAccount, {
    primary: true,
    ref: true,
    fieldName: 'account_id',
    deleteRule: 'cascade',
    updateRule: 'no action',
    foreignKeyName: 'account_metrics_day_account_fk',
  })
  account!: Ref<SocialAccount>;

  @PrimaryKey({ type: 'date' })
  day!: string;

  @Property({ type: 'integer' })
  followers!: number;

  @Property({ type: 'integer' })
  following!: number;

  @Property({ type: 'integer' })
  mediaCount!: number;

  @Property({ type: 'double', nullable: true })
  engagementRate?: number | null;

  @Property({ type: 'timestamptz' })
  recordedAt!: Date;
}

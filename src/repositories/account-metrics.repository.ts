import type { EntityManager } from '@mikro-orm/postgresql';
import { pgUuidArray } from '../database/sql';
import type { EngagementFigures } from '../domain/engagement';
import type { DaySnapshot } from '../domain/growth';
import type { LoginProvider } from '../domain/social-account';

/**
 * account_metrics (the latest creator figures per account, and the metrics refresh's own
 * schedule and lease) and account_metrics_day (one snapshot per account and UTC day). Raw SQL:
 * claims are one statement for a batch, guarded by the lease owner, like the lifecycle worker's.
 */

/** What the metrics refresh needs about a claimed account. */
export interface MetricsDueAccount {
  id: string;
  provider: LoginProvider;
  platformUserId: string;
  followersCount: number;
  followingCount: number;
  mediaCount: number;
  failureCount: number;
  /** The grant's scopes as stored at connect or refresh (Business Login: Meta's `permissions`). */
  grantScopes: string[];
}

export interface InsightsFigures {
  days: number;
  reach: number | null;
  views: number | null;
}

export type Audience = Partial<Record<'age' | 'gender' | 'country' | 'city', Record<string, number>>>;

/** The stored figures of one account, as the API reads them. */
export interface MetricsRow {
  account_id: string;
  computed_at: Date | null;
  posts_considered: number;
  window_days: number;
  avg_likes: number | null;
  avg_comments: number | null;
  avg_views: number | null;
  engagement_rate: number | null;
  posts_per_week: number | null;
  media_mix: Record<string, number> | null;
  likes_hidden_posts: number;
  avg_reach: number | null;
  avg_saves: number | null;
  avg_shares: number | null;
  insights_days: number | null;
  reach_total: string | null;
  views_total: string | null;
  insights_as_of: Date | null;
  audience: Audience | null;
  audience_as_of: Date | null;
}

/**
 * Gives every CONNECTED account without a row one, due at a random moment of the next
 * `spreadSeconds` (refreshes spread over the day instead of all at connect time). At most `limit`
 * per call. With `updatedSince`, only accounts changed since then are looked at, through
 * social_account_updated_idx: a connect or a revive moves `updated_at`, so this finds the new ones
 * without an anti-join over every account (which grew with the table on every poll).
 */
export async function adoptAccounts(em: EntityManager, now: Date, spreadSeconds: number, limit: number, updatedSince?: Date): Promise<number> {
  const rows = await em.execute<Array<{ n: string }>>(
    `with adopted as (
       insert into account_metrics (account_id, next_refresh_at)
       select a.id, ?::timestamptz + random() * (? * interval '1 second') from social_account a
       where a.connection_status = 'CONNECTED' and not exists (select 1 from account_metrics m where m.account_id = a.id)
       ${updatedSince ? 'and a.updated_at >= ?' : ''}
       limit ?
       on conflict (account_id) do nothing
       returning 1)
     select count(*) as n from adopted`,
    updatedSince ? [now, spreadSeconds, updatedSince, limit] : [now, spreadSeconds, limit],
  );
  return Number(rows[0]?.n ?? 0);
}

/** Claims up to `limit` due CONNECTED accounts under a lease; other workers skip them. */
export async function claimDueMetrics(em: EntityManager, owner: string, now: Date, leaseUntil: Date, limit: number): Promise<MetricsDueAccount[]> {
  const rows = await em.execute<
    Array<{
      id: string;
      provider: LoginProvider;
      platform_user_id: string;
      followers_count: number;
      following_count: number;
      media_count: number;
      failure_count: number;
      scopes: string[] | null;
    }>
  >(
    `with claimed as (
       update account_metrics m set lease_owner = ?, lease_until = ?
       where m.account_id in (
         select m2.account_id from account_metrics m2 join social_account a on a.id = m2.account_id
         where m2.next_refresh_at <= ? and (m2.lease_until is null or m2.lease_until < ?) and a.connection_status = 'CONNECTED'
         order by m2.next_refresh_at limit ? for update of m2 skip locked)
       returning m.account_id, m.failure_count)
     select a.id, a.provider, a.platform_user_id, a.followers_count, a.following_count, a.media_count, c.failure_count, g.scopes
     from claimed c join social_account a on a.id = c.account_id left join meta_grant g on g.id = a.grant_id`,
    [owner, leaseUntil, now, now, limit],
  );
  return rows.map((r) => ({
    id: r.id,
    provider: r.provider,
    platformUserId: r.platform_user_id,
    followersCount: r.followers_count,
    followingCount: r.following_count,
    mediaCount: r.media_count,
    failureCount: r.failure_count,
    grantScopes: r.scopes ?? [],
  }));
}

/** Stores fresh figures; insights and audience only when given (older ones are kept otherwise). */
export async function saveMetrics(
  em: EntityManager,
  input: {
    owner: string | null;
    accountId: string;
    now: Date;
    nextRefreshAt: Date;
    engagement: EngagementFigures;
    insights?: InsightsFigures;
    audience?: Audience;
  },
): Promise<boolean> {
  const e = input.engagement;
  const i = input.insights;
  const rows = await em.execute<Array<{ account_id: string }>>(
    `insert into account_metrics as m (account_id, computed_at, posts_considered, window_days, avg_likes, avg_comments, avg_views, engagement_rate,
        posts_per_week, media_mix, likes_hidden_posts, avg_reach, avg_saves, avg_shares, insights_days, reach_total, views_total, insights_as_of,
        audience, audience_as_of, next_refresh_at, failure_count, last_error)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, 0, null)
     on conflict (account_id) do update set
       computed_at = excluded.computed_at, posts_considered = excluded.posts_considered, window_days = excluded.window_days,
       avg_likes = excluded.avg_likes, avg_comments = excluded.avg_comments, avg_views = excluded.avg_views,
       engagement_rate = excluded.engagement_rate, posts_per_week = excluded.posts_per_week, media_mix = excluded.media_mix,
       likes_hidden_posts = excluded.likes_hidden_posts, avg_reach = excluded.avg_reach, avg_saves = excluded.avg_saves,
       avg_shares = excluded.avg_shares,
       insights_days = coalesce(excluded.insights_days, m.insights_days), reach_total = coalesce(excluded.reach_total, m.reach_total),
       views_total = coalesce(excluded.views_total, m.views_total), insights_as_of = coalesce(excluded.insights_as_of, m.insights_as_of),
       audience = coalesce(excluded.audience, m.audience), audience_as_of = coalesce(excluded.audience_as_of, m.audience_as_of),
       next_refresh_at = excluded.next_refresh_at, failure_count = 0, last_error = null,
       lease_owner = null, lease_until = null
     where ?::text is null or m.lease_owner = ?
     returning m.account_id`,
    [
      input.accountId,
      input.now,
      e.postsConsidered,
      e.windowDays,
      e.avgLikes,
      e.avgComments,
      e.avgViews,
      e.engagementRate,
      e.postsPerWeek,
      JSON.stringify(e.mediaMix),
      e.likesHiddenPosts,
      e.avgReach,
      e.avgSaves,
      e.avgShares,
      i?.days ?? null,
      i?.reach ?? null,
      i?.views ?? null,
      i ? input.now : null,
      input.audience ? JSON.stringify(input.audience) : null,
      input.audience ? input.now : null,
      input.nextRefreshAt,
      input.owner,
      input.owner,
    ],
  );
  return rows.length > 0;
}

/**
 * A member synced the account: when its figures are older than `staleBefore` (or missing), the
 * metrics refresh takes it at its next sweep instead of waiting for its turn (no Meta call here).
 * Returns whether it was moved up.
 */
export async function refreshSoonIfStale(em: EntityManager, accountId: string, staleBefore: Date, now: Date): Promise<boolean> {
  const rows = await em.execute<Array<{ account_id: string }>>(
    `update account_metrics set next_refresh_at = ?
     where account_id = ? and next_refresh_at > ? and (computed_at is null or computed_at < ?) returning account_id`,
    [now, accountId, now, staleBefore],
  );
  return rows.length > 0;
}

/** A refresh that failed: try again at `at`, keeping the figures already stored. */
export async function postponeMetrics(em: EntityManager, owner: string, accountId: string, at: Date, failureCount: number, error: string): Promise<void> {
  await em.execute(
    `update account_metrics set next_refresh_at = ?, failure_count = ?, last_error = ?, lease_owner = null, lease_until = null
     where account_id = ? and lease_owner = ?`,
    [at, failureCount, error.slice(0, 500), accountId, owner],
  );
}

/** Today's snapshot of an account (the latest write of the day wins). */
export async function recordDay(em: EntityManager, accountId: string, day: string, figures: Omit<DaySnapshot, 'day'>, now: Date): Promise<void> {
  await em.execute(
    `insert into account_metrics_day (account_id, day, followers, following, media_count, engagement_rate, recorded_at)
     values (?, ?::date, ?, ?, ?, ?, ?)
     on conflict (account_id, day) do update set followers = excluded.followers, following = excluded.following,
       media_count = excluded.media_count, engagement_rate = coalesce(excluded.engagement_rate, account_metrics_day.engagement_rate),
       recorded_at = excluded.recorded_at`,
    [accountId, day, figures.followers, figures.following, figures.mediaCount, figures.engagementRate, now],
  );
}

export async function metricsOf(em: EntityManager, accountIds: string[]): Promise<MetricsRow[]> {
  if (accountIds.length === 0) return [];
  return em.execute<MetricsRow[]>(`select * from account_metrics where account_id = any(?::uuid[])`, [pgUuidArray(accountIds)]);
}

/** Snapshots of these accounts from `fromDay` on, oldest first. */
export async function daysOf(em: EntityManager, accountIds: string[], fromDay: string): Promise<Array<DaySnapshot & { accountId: string }>> {
  if (accountIds.length === 0) return [];
  const rows = await em.execute<
    Array<{ account_id: string; day: string; followers: number; following: number; media_count: number; engagement_rate: number | null }>
  >(
    `select account_id, to_char(day, 'YYYY-MM-DD') as day, followers, following, media_count, engagement_rate
     from account_metrics_day where account_id = any(?::uuid[]) and day >= ?::date order by account_id, day`,
    [pgUuidArray(accountIds), fromDay],
  );
  return rows.map((r) => ({
    accountId: r.account_id,
    day: r.day,
    followers: r.followers,
    following: r.following,
    mediaCount: r.media_count,
    engagementRate: r.engagement_rate,
  }));
}

/** Deletes up to `limit` snapshots older than `beforeDay`; returns how many. */
export async function deleteDaysBefore(em: EntityManager, beforeDay: string, limit: number): Promise<number> {
  const rows = await em.execute<Array<{ n: string }>>(
    `with gone as (delete from account_metrics_day where ctid in (select ctid from account_metrics_day where day < ?::date limit ?) returning 1)
     select count(*) as n from gone`,
    [beforeDay, limit],
  );
  return Number(rows[0]?.n ?? 0);
}

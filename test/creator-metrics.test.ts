import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccountMetricsDocument, ConnectInstagramDocument, OAuthUrlDocument, SyncSocialAccountDocument } from '../client/generated/graphql';
import { connect, facebookUser, instagramUser } from './helpers/flows';
import { onlyError, REDIRECT_URI, stateOf, TestApp } from './helpers/test-app';
import { appPerTest } from './helpers/worker';

/**
 * The creator metrics refresh (docs/creator-metrics.md) against PostgreSQL and the emulator:
 * engagement from recent posts with paging and hidden like counts, insights only where the grant
 * holds the permission, and Meta's limits and failures kept to the account they concern.
 */
const HOUR = 3600_000;
const DAY = 24 * HOUR;

let app: TestApp;
const start = appPerTest((started) => (app = started));
const sweep = () => app.services.metricsWorker.runOnce();
const metricsRow = (id: string) => app.sqlRow('select * from account_metrics where account_id = ?', [id]);
const callsTo = (fragment: string) => app.emulator.control.calls.filter((c) => c.path.includes(fragment));

type Post = Parameters<TestApp['emulator']['control']['setMedia']>[0]['media'][number];
function post(i: number, patch: Partial<Post> = {}): Post {
  return {
    id: `1790000000000${String(i).padStart(4, '0')}`,
    mediaType: 'IMAGE',
    productType: 'FEED',
    timestamp: app.clock.nowMs() - (i + 1) * DAY,
    likeCount: 100,
    commentsCount: 10,
    ...patch,
  };
}

/** Connects a Facebook Login account and makes its metrics due now (first refreshes spread over a day). */
async function facebookAccount(memberId: string, followersCount = 10_000, scopes?: string[]) {
  const fb = facebookUser(app, [{ instagram: { followersCount, mediaCount: 300 } }]);
  let accountId: string;
  if (scopes) {
    const url = (await app.gql(OAuthUrlDocument, { provider: 'FACEBOOK', redirectUri: REDIRECT_URI }, { memberId })).data!.oauthUrl;
    const state = stateOf(url);
    const { code } = app.emulator.control.authorize({ provider: 'facebook', userId: fb.userId, redirectUri: REDIRECT_URI, state, scopes });
    const linked = await app.gql(ConnectInstagramDocument, { code, state }, { memberId });
    accountId = linked.data!.connectInstagram[0].id;
  } else accountId = (await connect(app, memberId, 'FACEBOOK', fb.userId))[0].id;
  return { accountId, igId: fb.igIds[0], fbUserId: fb.userId };
}

async function makeDue() {
  await sweep(); // adopts the new accounts
  app.clock.advance(DAY + HOUR);
}

describe('engagement from recent media', () => {
  it('averages likes and comments of the last posts in the window, without hidden like counts, and stores them with the time', async () => {
    await start();
    const { accountId, igId } = await facebookAccount('member-engagement', 10_000);
    await makeDue();
    const at = app.clock.nowMs();
    app.emulator.control.setMedia({
      igId,
      media: [
        post(0, { likeCount: 300, commentsCount: 30, mediaType: 'VIDEO', productType: 'REELS' }),
        post(1, { likeCount: 100, commentsCount: 10, mediaType: 'CAROUSEL_ALBUM' }),
        post(2, { likeCount: 9_999, commentsCount: 20, likesHidden: true, omitLikeCount: true }),
        post(3, { likeCount: 200, commentsCount: 0 }),
        post(100, { likeCount: 50_000, commentsCount: 5_000 }), // outside the 90-day window
      ],
    });
    const report = await sweep();
    expect(report).toMatchObject({ refreshed: 1, rateLimited: 0, failed: 0, statusFailures: 0 });
    const row = await metricsRow(accountId);
    expect(row.posts_considered).toBe(4);
    expect(row.avg_likes).toBeCloseTo(200); // (300 + 100 + 200) / 3: the post without a like count is left out
    expect(row.avg_comments).toBeCloseTo(15);
    expect(row.likes_hidden_posts).toBe(1);
    expect(row.engagement_rate).toBeCloseTo(215 / 10_000);
    expect(row.avg_views).toBeNull(); // no insights permission: no post reports views
    expect(row.media_mix).toEqual({ IMAGE: 2, CAROUSEL_ALBUM: 1, VIDEO: 0, REELS: 1 });
    expect(row.posts_per_week).toBeCloseTo((4 * 7) / 90);
    expect(new Date(row.computed_at).getTime()).toBe(at);
    expect(new Date(row.next_refresh_at).getTime()).toBe(at + DAY);
    // A growth snapshot for today went with it.
    const day = await app.sqlRow('select followers, engagement_rate from account_metrics_day where account_id = ?', [accountId]);
    expect(day).toEqual({ followers: 10_000, engagement_rate: expect.closeTo(215 / 10_000) });
  });

  it('follows paging.next until it has the configured number of posts', async () => {
    await start({ METRICS_RECENT_POSTS: '40' });
    const { accountId, igId } = await facebookAccount('member-paging');
    await makeDue();
    app.emulator.control.setMedia({ igId, media: Array.from({ length: 60 }, (_, i) => post(i, { timestamp: app.clock.nowMs() - (i + 1) * HOUR })) });
    app.emulator.control.resetCalls();
    await sweep();
    expect(callsTo(`/${igId}/media`)).toHaveLength(2); // 25 + 25 per page; stops at 40
    const row = await metricsRow(accountId);
    expect(row.posts_considered).toBe(40);
    expect(row.posts_per_week).toBeCloseTo((40 * 7 * DAY) / (40 * HOUR)); // 40 posts over the 40 hours they span
  });

  it('reads a Business Login account on graph.instagram.com', async () => {
    await start();
    const ig = instagramUser(app, { followersCount: 4_000 });
    const [account] = await connect(app, 'member-ig', 'INSTAGRAM', ig.userId);
    await makeDue();
    app.emulator.control.setMedia({ igId: ig.userId, media: [post(0, { likeCount: 40, commentsCount: 4 })] });
    app.emulator.control.resetCalls();
    await sweep();
    expect(app.emulator.control.calls.filter((c) => c.host === 'instagram-graph' && c.path === '/v25.0/me/media')).toHaveLength(1);
    expect((await metricsRow(account.id)).engagement_rate).toBeCloseTo(44 / 4_000);
  });
});

describe('insights when granted', () => {
  it('asks for no insights when the grant lacks the permission, even with METRICS_INSIGHTS on', async () => {
    await start({ METRICS_INSIGHTS: '1' });
    const { accountId } = await facebookAccount('member-no-insights');
    await makeDue();
    app.emulator.control.resetCalls();
    const report = await sweep();
    expect(report.refreshed).toBe(1);
    expect(callsTo('/insights')).toHaveLength(0);
    expect(callsTo('/debug_token')).toHaveLength(1); // the grant's real scopes were read first
    expect((await metricsRow(accountId)).insights_as_of).toBeNull();
  });

  it('reads per-post views, reach, saves and shares, account reach and views, and the audience when granted', async () => {
    await start({ METRICS_INSIGHTS: '1' });
    const scopes = ['instagram_basic', 'pages_show_list', 'pages_read_engagement', 'instagram_manage_insights'];
    const { accountId, igId } = await facebookAccount('member-insights', 30_000, scopes);
    await makeDue();
    app.emulator.control.setMedia({
      igId,
      media: [
        post(0, { productType: 'REELS', mediaType: 'VIDEO', views: 9_000, reach: 5_000, saved: 40, shares: 20 }),
        post(1, { views: 3_000, reach: 2_000, saved: 10, shares: 0 }),
        post(2, { mediaType: 'CAROUSEL_ALBUM', reach: 1_000 }), // Meta has no views for this one
      ],
    });
    app.emulator.control.setAudience({
      igId,
      audience: { age: { '18-24': 9_000, '25-34': 12_000 }, gender: { F: 16_000, M: 13_000 }, country: { US: 11_000, BR: 50 }, city: {} },
    });
    const report = await sweep();
    expect(report).toMatchObject({ refreshed: 1, failed: 0 });
    const row = await metricsRow(accountId);
    expect(row.avg_views).toBeCloseTo(6_000); // the post without views is left out, not counted as 0
    expect(row.avg_reach).toBeCloseTo(8_000 / 3);
    expect(row.avg_saves).toBeCloseTo(25);
    expect(row.insights_days).toBe(28);
    expect(Number(row.reach_total)).toBeGreaterThan(0);
    expect(row.audience).toEqual({ age: { '18-24': 9_000, '25-34': 12_000 }, gender: { F: 16_000, M: 13_000 }, country: { US: 11_000 } });
  });
});

describe('insights on Business Login', () => {
  it('trusts the permissions Meta returned for the grant (no debug_token) and reads insights on graph.instagram.com', async () => {
    await start({ METRICS_INSIGHTS: '1' });
    const memberId = 'member-ig-insights';
    const ig = instagramUser(app, { followersCount: 12_000 });
    const url = (await app.gql(OAuthUrlDocument, { provider: 'INSTAGRAM', redirectUri: REDIRECT_URI }, { memberId })).data!.oauthUrl;
    expect(new URL(url).searchParams.get('scope')).toBe('instagram_business_basic,instagram_business_manage_insights');
    const state = stateOf(url);
    const scopes = ['instagram_business_basic', 'instagram_business_manage_insights'];
    const { code } = app.emulator.control.authorize({ provider: 'instagram', userId: ig.userId, redirectUri: REDIRECT_URI, state, scopes });
    const accountId = (await app.gql(ConnectInstagramDocument, { code, state }, { memberId })).data!.connectInstagram[0].id;
    await makeDue();
    app.emulator.control.setMedia({ igId: ig.userId, media: [post(0, { views: 800, reach: 500 }), post(1, { views: 1_200, reach: 700 })] });
    app.emulator.control.resetCalls();
    expect((await sweep()).refreshed).toBe(1);
    expect(callsTo('/debug_token')).toHaveLength(0);
    expect(app.emulator.control.calls.filter((c) => c.host === 'instagram-graph' && c.path.endsWith('/insights')).length).toBeGreaterThanOrEqual(4);
    const row = await metricsRow(accountId);
    expect(row.avg_views).toBeCloseTo(1_000);
    expect(row.audience).not.toBeNull();
  });
});

describe('failures stay with the account and the metrics', () => {
  it("a rate limit on one account's media pauses only that account's metrics; its status is untouched", async () => {
    await start();
    const limited = await facebookAccount('member-limited');
    const other = await facebookAccount('member-other');
    await makeDue();
    app.emulator.control.limitRate({ host: 'facebook', code: 80002, scopeId: limited.igId, minutes: 30 });
    const report = await sweep();
    expect(report).toMatchObject({ claimed: 2, refreshed: 1, rateLimited: 1, statusFailures: 0 });
    expect((await metricsRow(other.accountId)).computed_at).not.toBeNull();
    const paused = await metricsRow(limited.accountId);
    expect(paused.computed_at).toBeNull();
    expect(new Date(paused.next_refresh_at).getTime()).toBe(app.clock.nowMs() + 30 * 60_000);
    const status = await app.sqlRow('select connection_status from social_account where id = ?', [limited.accountId]);
    expect(status.connection_status).toBe('CONNECTED');
    // The pause is the account's alone: the other account's media is read again, this one is not called.
    app.emulator.control.resetCalls();
    await app.sql('update account_metrics set next_refresh_at = ? ', [app.clock.now()]);
    const again = await sweep();
    expect(again).toMatchObject({ refreshed: 1, rateLimited: 1 });
    expect(callsTo(`/${limited.igId}/`)).toHaveLength(0);
    expect(callsTo(`/${other.igId}/media`)).toHaveLength(1);
  });

  it('a token error on the media read changes the status through the usual path; a server error does not', async () => {
    await start();
    const broken = await facebookAccount('member-broken');
    const flaky = await facebookAccount('member-flaky');
    await makeDue();
    app.emulator.control.failNext({ host: 'facebook', pathIncludes: `/${broken.igId}/media`, count: 1, kind: 'auth', code: 190, subcode: 460 });
    app.emulator.control.failNext({ host: 'facebook', pathIncludes: `/${flaky.igId}/media`, count: 5, kind: 'server_error' });
    const report = await sweep();
    expect(report).toMatchObject({ statusFailures: 1, failed: 1 });
    const status = async (id: string) => (await app.sqlRow('select connection_status from social_account where id = ?', [id])).connection_status;
    expect(await status(broken.accountId)).toBe('EXPIRED');
    expect(await status(flaky.accountId)).toBe('CONNECTED');
    const row = await metricsRow(flaky.accountId);
    expect(row.failure_count).toBe(1);
    expect(new Date(row.next_refresh_at).getTime()).toBeGreaterThan(app.clock.nowMs());
  });
});

describe('growth history', () => {
  it("a member's sync records today's snapshot; old snapshots go after METRICS_HISTORY_RETENTION_DAYS", async () => {
    await start({ METRICS_HISTORY_RETENTION_DAYS: '100' });
    const memberId = 'member-history';
    const { accountId, igId } = await facebookAccount(memberId, 5_000);
    app.emulator.control.updateProfile(igId, { followersCount: 5_300 });
    const synced = await app.gql(SyncSocialAccountDocument, { id: accountId }, { memberId });
    expect(synced.data?.syncSocialAccount.followersCount).toBe(5_300);
    const today = new Date(app.clock.nowMs()).toISOString().slice(0, 10);
    const rows = await app.sql(`select to_char(day, 'YYYY-MM-DD') as day, followers from account_metrics_day where account_id = ?`, [accountId]);
    expect(rows).toEqual([{ day: today, followers: 5_300 }]);

    await app.sql(
      `insert into account_metrics_day (account_id, day, followers, following, media_count, recorded_at)
       select ?, (?::date - n), 4000, 1, 1, now() from generate_series(99, 102) n`,
      [accountId, today],
    );
    const report = await sweep();
    expect(report.prunedDays).toBe(2); // 101 and 102 days old; 99 and 100 stay
    expect(await app.sql('select 1 from account_metrics_day where account_id = ?', [accountId])).toHaveLength(3);

    // Stale (never computed) metrics are taken at the next sweep after a member's sync, not up to a day later.
    expect(report).toMatchObject({ adopted: 1, refreshed: 0 }); // adopted: due some time within the next day
    await app.gql(SyncSocialAccountDocument, { id: accountId }, { memberId });
    expect((await sweep()).refreshed).toBe(1);
  });
});

describe('GraphQL', () => {
  it('shows engagement, growth, history and the engagement price with its basis; history is bounded', async () => {
    const policy = join(mkdtempSync(join(tmpdir(), 'policy-')), 'policy.json');
    writeFileSync(
      policy,
      JSON.stringify({
        currency: 'USD',
        tiers: [
          { tier: 'B', minFollowers: 10_000, ratePer1000Followers: 800 },
          { tier: 'N', minFollowers: 0, ratePer1000Followers: 0 },
        ],
        engagement: { ratePerEngagement: 40, minPosts: 2 },
      }),
    );
    await start({ PRICE_POLICY_FILE: policy });
    const memberId = 'member-graphql';
    const { accountId, igId } = await facebookAccount(memberId, 20_000);
    const before = (await app.gql(AccountMetricsDocument, { id: accountId, days: 30 }, { memberId })).data!.socialAccount!;
    expect(before).toMatchObject({ engagement: null, priceBasis: 'FOLLOWERS', price: 16_000, followerPrice: 16_000, priceTier: 'B' });

    await makeDue();
    // 100 days of history: 19 000 followers 90 days ago, 19 800 30 days ago, 19 950 7 days ago.
    await app.sql(
      `insert into account_metrics_day (account_id, day, followers, following, media_count, recorded_at)
       select ?, (?::date - n), case when n >= 90 then 19000 when n >= 30 then 19800 when n >= 7 then 19950 else 20000 end, 100, 300, now()
       from generate_series(1, 100) n`,
      [accountId, new Date(app.clock.nowMs()).toISOString().slice(0, 10)],
    );
    app.emulator.control.setMedia({ igId, media: [post(0, { likeCount: 500, commentsCount: 20 }), post(1, { likeCount: 300, commentsCount: 0 })] });
    await sweep();

    const after = (await app.gql(AccountMetricsDocument, { id: accountId, days: 30 }, { memberId })).data!.socialAccount!;
    expect(after.engagement).toMatchObject({ postsConsidered: 2, averageLikes: 400, averageComments: 10, engagementRate: 410 / 20_000 });
    expect(after).toMatchObject({ priceBasis: 'ENGAGEMENT', price: 410 * 40, followerPrice: 16_000, priceTier: 'B' });
    expect(after.followerGrowth.days7).toMatchObject({ followers: 50, rate: 50 / 19_950 });
    expect(after.followerGrowth.days30).toMatchObject({ followers: 200 });
    expect(after.followerGrowth.days90).toMatchObject({ followers: 1_000, rate: 1_000 / 19_000 });
    expect(after.metricsHistory).toHaveLength(30); // 29 inserted days and today's snapshot
    expect(after.metricsHistory[29]).toMatchObject({ followers: 20_000, engagementRate: 410 / 20_000 });
    expect(after.insights).toBeNull();
    expect(after.audience).toBeNull();

    // The REST facade's account gains the same figures as optional fields.
    const rest = await fetch(`${app.url}/ai/instagram/accounts`, { headers: { authorization: `Bearer ${app.tokenFor(memberId)}` } });
    const [restAccount] = ((await rest.json()) as { data: Array<Record<string, any>> }).data;
    expect(restAccount).toMatchObject({ price: 410 * 40, priceBasis: 'ENGAGEMENT', engagement: { postsConsidered: 2, averageLikes: 400 } });
    expect(restAccount.followerGrowth.days90).toMatchObject({ followers: 1_000 });
    expect(restAccount).not.toHaveProperty('audience');

    for (const days of [0, 401]) {
      const refused = await app.gql(AccountMetricsDocument, { id: accountId, days }, { memberId });
      expect(onlyError(refused).extensions.code).toBe('BAD_USER_INPUT');
    }
  });
});

import { createHmac } from 'node:crypto';
import { ManualClock } from '../src/clock';
import { startMetaEmulator, type MetaEmulator } from '../src/sandbox/emulator';
import { instagramCodeExchangeForm, REDIRECT_URI, TEST_APPS } from './helpers/test-app';

/**
 * The emulator's media and insights (docs/meta-insights-metrics.md): the `/media` edge with
 * Graph paging on both hosts, insights refused without the permission, retired metrics refused
 * as Meta refuses them, follower_demographics with its breakdowns and thresholds, and the
 * account's Business Use Case usage header on every such answer.
 */
const clock = new ManualClock(Date.UTC(2026, 10, 24));
let meta: MetaEmulator;
beforeAll(async () => {
  meta = await startMetaEmulator({ facebookApp: TEST_APPS.facebook, instagramApp: TEST_APPS.instagram, now: () => clock.nowMs() });
});
afterAll(() => meta?.close());

const proof = (token: string) => createHmac('sha256', TEST_APPS.facebook.secret).update(token).digest('hex');

async function get(url: string | URL, params: Record<string, string> = {}) {
  const target = new URL(url);
  for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
  const response = await fetch(target);
  return { status: response.status, body: (await response.json()) as any, headers: response.headers };
}

/** A Page token of a Facebook user whose Page has an IG account, with these scopes granted. */
async function facebookPageToken(scopes: string[], followersCount = 20_000) {
  const user = meta.control.addFacebookUser({ pages: [{ instagram: { followersCount, mediaCount: 80 } }] });
  const igId = user.pages[0].instagram!.id;
  const { code } = meta.control.authorize({ provider: 'facebook', userId: user.id, redirectUri: REDIRECT_URI, scopes });
  const exchanged = await get(`${meta.urls.facebookGraph}/v25.0/oauth/access_token`, {
    client_id: TEST_APPS.facebook.id,
    client_secret: TEST_APPS.facebook.secret,
    redirect_uri: REDIRECT_URI,
    code,
  });
  const userToken = exchanged.body.access_token as string;
  const pages = await get(`${meta.urls.facebookGraph}/v25.0/me/accounts`, { access_token: userToken, appsecret_proof: proof(userToken) });
  const token = pages.body.data[0].access_token as string;
  const fb = (path: string, params: Record<string, string> = {}, version = 'v25.0') =>
    get(`${meta.urls.facebookGraph}/${version}${path}`, { access_token: token, appsecret_proof: proof(token), ...params });
  return { igId, token, fb };
}

async function instagramToken(scopes: string[]) {
  const { userId } = meta.control.addInstagramUser({ followersCount: 8_000, mediaCount: 50 });
  const { code } = meta.control.authorize({ provider: 'instagram', userId, redirectUri: REDIRECT_URI, scopes });
  const response = await fetch(`${meta.urls.instagramApi}/oauth/access_token`, { method: 'POST', body: instagramCodeExchangeForm(code) });
  const token = ((await response.json()) as any).data[0].access_token as string;
  const ig = (path: string, params: Record<string, string> = {}) => get(`${meta.urls.instagramGraph}/v25.0${path}`, { access_token: token, ...params });
  return { userId, ig };
}

const BASIC_FB = ['instagram_basic', 'pages_show_list', 'pages_read_engagement'];
const INSIGHTS_FB = [...BASIC_FB, 'instagram_manage_insights'];

describe('the /media edge', () => {
  it('pages newest first with cursors and an absolute next URL on graph.facebook.com, leaving stories out', async () => {
    const { igId, fb } = await facebookPageToken(BASIC_FB);
    const first = await fb(`/${igId}/media`, { fields: 'id,media_type,media_product_type,timestamp,like_count,comments_count', limit: '10' });
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(10);
    expect(first.body.paging.cursors.after).toEqual(expect.any(String));
    const next = new URL(first.body.paging.next);
    expect(next.searchParams.get('appsecret_proof')).toBeNull(); // Meta's next URLs carry the token, not the proof
    const second = await get(next, { appsecret_proof: next.searchParams.has('access_token') ? proof(next.searchParams.get('access_token')!) : '' });
    expect(second.body.data).toHaveLength(10);
    const all = [...first.body.data, ...second.body.data];
    const times = all.map((m: any) => Date.parse(m.timestamp));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(new Set(all.map((m: any) => m.media_product_type))).toEqual(new Set(['FEED', 'REELS']));
    expect(all.every((m: any) => ['IMAGE', 'VIDEO', 'CAROUSEL_ALBUM'].includes(m.media_type))).toBe(true);
    // Posts spread over months, with realistic counts.
    expect(times[0] - times[times.length - 1]).toBeGreaterThan(30 * 86_400_000);
    expect(all.every((m: any) => Number.isInteger(m.like_count) && Number.isInteger(m.comments_count))).toBe(true);
  });

  it('answers an unknown field as Graph does, and on graph.instagram.com through /me/media', async () => {
    const { igId, fb } = await facebookPageToken(BASIC_FB);
    const unknown = await fb(`/${igId}/media`, { fields: 'id,view_count' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toBe('(#100) Tried accessing nonexisting field (view_count) on node type (IGMedia)');

    const { ig } = await instagramToken(['instagram_business_basic']);
    const page = await ig('/me/media', { fields: 'id,media_type,timestamp,like_count' });
    expect(page.status).toBe(200);
    expect(page.body.data).toHaveLength(25); // Meta's default page size
    expect(page.body.paging.next).toContain('/graph.instagram.com/v25.0/me/media');
  });

  it("carries the account's Business Use Case usage on media and insights answers", async () => {
    const { igId, fb } = await facebookPageToken(INSIGHTS_FB);
    const answer = await fb(`/${igId}/media`);
    const usage = JSON.parse(answer.headers.get('x-business-use-case-usage')!);
    expect(Object.keys(usage)).toEqual([igId]);
    expect(usage[igId][0]).toMatchObject({ type: 'instagram', call_count: expect.any(Number), estimated_time_to_regain_access: 0 });
  });
});

describe('insights', () => {
  it('refuses account and media insights without the insights permission (#10)', async () => {
    const { igId, fb } = await facebookPageToken(BASIC_FB);
    const account = await fb(`/${igId}/insights`, { metric: 'reach', period: 'day' });
    expect(account.status).toBe(403);
    expect(account.body.error.code).toBe(10);
    const mediaId = meta.control.mediaOf(igId)[0].id;
    const media = await fb(`/${mediaId}/insights`, { metric: 'reach' });
    expect(media.body.error.code).toBe(10);
  });

  it('refuses a retired metric with code 100, failing the whole request', async () => {
    const { igId, fb } = await facebookPageToken(INSIGHTS_FB);
    const account = await fb(`/${igId}/insights`, { metric: 'reach,impressions', period: 'day' });
    expect(account.status).toBe(400);
    expect(account.body.error).toMatchObject({ code: 100, type: 'OAuthException' });
    expect(account.body.error.message).toContain('the impressions metric is no longer supported');
    const clicks = await fb(`/${igId}/insights`, { metric: 'profile_views', period: 'day' });
    expect(clicks.body.error.code).toBe(100);

    const mediaId = meta.control.mediaOf(igId).find((m) => m.productType === 'REELS')!.id;
    for (const retired of ['plays', 'impressions', 'clips_replays_count', 'ig_reels_aggregated_all_plays_count', 'video_views']) {
      const media = await fb(`/${mediaId}/insights`, { metric: `reach,${retired}` });
      expect(media.status).toBe(400);
      expect(media.body.error.message).toMatch(/^\(#100\) metric\[1\] must be one of the following values: .*views/);
    }
    // views arrived in v22: older versions do not know it.
    const old = await fb(`/${mediaId}/insights`, { metric: 'views' }, 'v21.0');
    expect(old.body.error.code).toBe(100);
    const ok = await fb(`/${mediaId}/insights`, { metric: 'reach,views,saved,shares' });
    expect(ok.status).toBe(200);
    expect(ok.body.data.map((d: any) => d.name)).toEqual(['reach', 'views', 'saved', 'shares']);
  });

  it('wants metric_type=total_value where Meta does, and at most 30 days between since and until', async () => {
    const { igId, fb } = await facebookPageToken(INSIGHTS_FB);
    const noType = await fb(`/${igId}/insights`, { metric: 'views', period: 'day' });
    expect(noType.body.error.message).toBe('(#100) The following metrics (views) should be specified with parameter metric_type=total_value');
    const now = Math.floor(clock.nowMs() / 1000);
    const tooLong = await fb(`/${igId}/insights`, {
      metric: 'reach',
      period: 'day',
      metric_type: 'total_value',
      since: String(now - 31 * 86_400),
      until: String(now),
    });
    expect(tooLong.body.error.code).toBe(100);
    const totals = await fb(`/${igId}/insights`, {
      metric: 'reach,views',
      period: 'day',
      metric_type: 'total_value',
      since: String(now - 28 * 86_400),
      until: String(now),
    });
    expect(totals.status).toBe(200);
    expect(totals.body.data.map((d: any) => [d.name, typeof d.total_value.value])).toEqual([
      ['reach', 'number'],
      ['views', 'number'],
    ]);
  });

  it('answers follower_demographics by breakdown, top groups only, nothing under 100 followers', async () => {
    const { igId, fb } = await facebookPageToken(INSIGHTS_FB);
    meta.control.setAudience({ igId, audience: { age: {}, gender: { F: 12_000, M: 7_900, U: 60 }, country: {}, city: {} } });
    const ask = (params: Record<string, string>) =>
      fb(`/${igId}/insights`, { metric: 'follower_demographics', period: 'lifetime', metric_type: 'total_value', ...params });
    const noBreakdown = await ask({});
    expect(noBreakdown.body.error.code).toBe(100);
    const gender = await ask({ breakdown: 'gender', timeframe: 'this_month' });
    expect(gender.body.data[0].total_value.breakdowns[0]).toEqual({
      dimension_keys: ['gender'],
      results: [
        { dimension_values: ['F'], value: 12_000 },
        { dimension_values: ['M'], value: 7_900 },
      ], // U (60) is under the threshold
    });
    const small = await facebookPageToken(INSIGHTS_FB, 80);
    const none = await small.fb(`/${small.igId}/insights`, {
      metric: 'follower_demographics',
      period: 'lifetime',
      metric_type: 'total_value',
      breakdown: 'age',
    });
    expect(none.body).toEqual({ data: [] });
  });

  it('needs instagram_business_manage_insights on graph.instagram.com', async () => {
    const without = await instagramToken(['instagram_business_basic']);
    expect((await without.ig('/me/insights', { metric: 'reach', period: 'day' })).body.error.code).toBe(10);
    const withInsights = await instagramToken(['instagram_business_basic', 'instagram_business_manage_insights']);
    const answer = await withInsights.ig('/me/insights', { metric: 'reach', period: 'day', metric_type: 'total_value' });
    expect(answer.status).toBe(200);
    expect(answer.body.data[0].name).toBe('reach');
  });
});

import { createHmac } from 'node:crypto';
import { ManualClock } from '../src/clock';
import { SEED, startMetaEmulator, type MetaEmulator } from '../src/sandbox/emulator';
import { instagramCodeExchangeForm, REDIRECT_URI, TEST_APPS } from './helpers/test-app';

/**
 * The emulator is what every other test trusts to behave like Meta, so its Meta-specific rules
 * (single-use codes, appsecret_proof, paging, batch nulls, refresh windows) are tested directly.
 */
const clock = new ManualClock(Date.UTC(2026, 10, 24));
let meta: MetaEmulator;
beforeAll(async () => {
  meta = await startMetaEmulator({ facebookApp: TEST_APPS.facebook, instagramApp: TEST_APPS.instagram, now: () => clock.nowMs(), seed: true });
});
afterAll(() => meta?.close());

const proof = (token: string) => createHmac('sha256', TEST_APPS.facebook.secret).update(token).digest('hex');

async function fbGet(path: string, params: Record<string, string>) {
  const url = new URL(`${meta.urls.facebookGraph}/v25.0${path}`);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as any, headers: response.headers };
}

async function facebookUserToken(userId: string, pageIds?: string[]) {
  const { code } = meta.control.authorize({ provider: 'facebook', userId, redirectUri: REDIRECT_URI, pageIds });
  const exchanged = await fbGet('/oauth/access_token', {
    client_id: TEST_APPS.facebook.id,
    client_secret: TEST_APPS.facebook.secret,
    redirect_uri: REDIRECT_URI,
    code,
  });
  return exchanged.body.access_token as string;
}

describe('Meta emulator: Facebook', () => {
  it('makes codes single use, bound to the redirect URI, and short lived (36009, 36008, 36007)', async () => {
    const exchange = (code: string, redirectUri = REDIRECT_URI) =>
      fbGet('/oauth/access_token', { client_id: TEST_APPS.facebook.id, client_secret: TEST_APPS.facebook.secret, redirect_uri: redirectUri, code });
    const { code } = meta.control.authorize({ provider: 'facebook', userId: SEED.facebookUserId, redirectUri: REDIRECT_URI });
    expect((await exchange(code)).body).toMatchObject({ token_type: 'bearer', expires_in: expect.any(Number) });
    expect((await exchange(code)).body.error).toMatchObject({ code: 100, error_subcode: 36009 });

    const other = meta.control.authorize({ provider: 'facebook', userId: SEED.facebookUserId, redirectUri: REDIRECT_URI }).code;
    expect((await exchange(other, `${REDIRECT_URI}/`)).body.error).toMatchObject({ error_subcode: 36008 });

    const late = meta.control.authorize({ provider: 'facebook', userId: SEED.facebookUserId, redirectUri: REDIRECT_URI }).code;
    clock.advance(11 * 60_000);
    expect((await exchange(late)).body.error).toMatchObject({ error_subcode: 36007 });
  });

  it('requires a correct appsecret_proof with user tokens', async () => {
    const token = await facebookUserToken(SEED.facebookUserId);
    expect((await fbGet('/me', { access_token: token })).body.error.message).toMatch(/require an appsecret_proof/);
    expect((await fbGet('/me', { access_token: token, appsecret_proof: proof('other') })).body.error.message).toMatch(/Invalid appsecret_proof/);
    expect((await fbGet('/me', { access_token: token, appsecret_proof: proof(token) })).body).toEqual({ id: SEED.facebookUserId, name: 'Sandbox Creator' });
  });

  it('pages /me/accounts with an absolute next URL and hides Business-Portfolio-only Pages there', async () => {
    const user = meta.control.addFacebookUser({ pages: Array.from({ length: 3 }, () => ({ instagram: {} })) });
    const token = await facebookUserToken(user.id);
    const first = await fbGet('/me/accounts', {
      access_token: token,
      appsecret_proof: proof(token),
      limit: '2',
      fields: 'id,instagram_business_account{id,username}',
    });
    expect(first.body.data).toHaveLength(2);
    expect(first.body.data[0].instagram_business_account.username).toBe(user.pages[0].instagram!.username);
    const next = new URL(first.body.paging.next);
    next.searchParams.set('appsecret_proof', proof(token));
    const second = (await (await fetch(next)).json()) as any;
    expect(second.data.map((p: { id: string }) => p.id)).toEqual([user.pages[2].id]);
    expect(second.paging.next).toBeUndefined();

    const seeded = await facebookUserToken(SEED.facebookUserId);
    const names = (await fbGet('/me/accounts', { access_token: seeded, appsecret_proof: proof(seeded) })).body.data.map((p: { name: string }) => p.name);
    expect(names).not.toContain('Sandbox Agency Client');
  });

  it('answers debug_token with HTTP 200 for dead tokens, and DELETE permissions kills user and page tokens with 458', async () => {
    const token = await facebookUserToken(SEED.facebookUserId);
    const app = `${TEST_APPS.facebook.id}|${TEST_APPS.facebook.secret}`;
    expect((await fbGet('/debug_token', { input_token: token, access_token: app })).body.data).toMatchObject({ is_valid: true, user_id: SEED.facebookUserId });
    const pages = await fbGet('/me/accounts', { access_token: token, appsecret_proof: proof(token), fields: 'id,access_token' });
    const pageToken = pages.body.data[0].access_token as string;
    const response = await fetch(`${meta.urls.facebookGraph}/v25.0/${SEED.facebookUserId}/permissions?access_token=${token}&appsecret_proof=${proof(token)}`, {
      method: 'DELETE',
    });
    expect(await response.json()).toEqual({ success: true });
    const debugged = await fbGet('/debug_token', { input_token: token, access_token: app });
    expect(debugged.status).toBe(200);
    expect(debugged.body.data).toMatchObject({ is_valid: false, error: { code: 190, subcode: 458 } });
    expect((await fbGet('/me', { access_token: pageToken, appsecret_proof: proof(pageToken) })).body.error).toMatchObject({ code: 190, error_subcode: 458 });
  });

  it('answers a batch entry by entry, with null for entries it did not process', async () => {
    const user = meta.control.addFacebookUser({ pages: [{ instagram: { followersCount: 11 } }, { instagram: { followersCount: 22 } }] });
    const token = await facebookUserToken(user.id);
    meta.control.dropBatchEntries(1);
    const body = new URLSearchParams({
      access_token: token,
      appsecret_proof: proof(token),
      batch: JSON.stringify(user.pages.map((p) => ({ method: 'GET', relative_url: `v25.0/${p.instagram!.id}?fields=followers_count` }))),
    });
    const answers = (await (await fetch(`${meta.urls.facebookGraph}/`, { method: 'POST', body })).json()) as Array<{ code: number; body: string } | null>;
    expect(answers[0]).toBeNull();
    expect(answers[1]!.code).toBe(200);
    expect(JSON.parse(answers[1]!.body)).toEqual({ followers_count: 22, id: user.pages[1].instagram!.id });
  });

  it('renders the dialog and redirects Allow with a code and Cancel with user_denied', async () => {
    const dialog = `${meta.urls.facebookWww}/v25.0/dialog/oauth?client_id=${TEST_APPS.facebook.id}&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&state=s1&scope=instagram_basic&response_type=code`;
    const html = await (await fetch(dialog)).text();
    expect(html).toContain('Sandbox Creator');
    const decide = (decision: string) =>
      fetch(dialog.split('?')[0], {
        method: 'POST',
        redirect: 'manual',
        body: new URLSearchParams({
          client_id: TEST_APPS.facebook.id,
          redirect_uri: REDIRECT_URI,
          state: 's1',
          scope: 'instagram_basic',
          user: SEED.facebookUserId,
          decision,
        }),
      });
    const allowed = new URL((await decide('allow')).headers.get('location')!);
    expect(allowed.searchParams.get('state')).toBe('s1');
    expect(allowed.searchParams.get('code')).toBeTruthy();
    const cancelled = new URL((await decide('cancel')).headers.get('location')!);
    expect(cancelled.searchParams.get('error_reason')).toBe('user_denied');
    const unknownApp = await fetch(dialog.replace(TEST_APPS.facebook.id, '1'));
    expect(unknownApp.status).toBe(400);
  });
});

describe('Meta emulator: Instagram', () => {
  async function longLivedToken(userId: string) {
    const { code } = meta.control.authorize({ provider: 'instagram', userId, redirectUri: REDIRECT_URI });
    const form = instagramCodeExchangeForm(code);
    const raw = await (await fetch(`${meta.urls.instagramApi}/oauth/access_token`, { method: 'POST', body: form })).text();
    const short = JSON.parse(raw).access_token as string;
    const long = await fetch(
      `${meta.urls.instagramGraph}/access_token?grant_type=ig_exchange_token&client_secret=${TEST_APPS.instagram.secret}&access_token=${short}`,
    );
    return { raw, token: ((await long.json()) as { access_token: string }).access_token };
  }

  it('sends user_id as a bare number beyond 2^53 in the flat shape, and refuses a reused code with a flat error', async () => {
    const { raw } = await longLivedToken(SEED.instagramCreatorId);
    expect(raw).toContain(`"user_id":${SEED.instagramCreatorId}`);
    const big = meta.control.addInstagramUser({ userId: '17841499999999999999', tokenResponseShape: 'flat' });
    expect((await longLivedToken(big.userId)).raw).toContain('"user_id":17841499999999999999,');

    const { code } = meta.control.authorize({ provider: 'instagram', userId: big.userId, redirectUri: REDIRECT_URI });
    const form = instagramCodeExchangeForm(code);
    await fetch(`${meta.urls.instagramApi}/oauth/access_token`, { method: 'POST', body: form });
    const again = await fetch(`${meta.urls.instagramApi}/oauth/access_token`, { method: 'POST', body: form });
    expect(await again.json()).toEqual({ error_type: 'OAuthException', code: 400, error_message: 'Matching code was not found or was already used' });
  });

  it('refreshes a long-lived token only once it is 24 hours old and not expired', async () => {
    const { token } = await longLivedToken(SEED.instagramCreatorId);
    const refresh = async (t: string) =>
      (await fetch(`${meta.urls.instagramGraph}/refresh_access_token?grant_type=ig_refresh_token&access_token=${t}`)).json() as Promise<any>;
    expect((await refresh(token)).error.message).toMatch(/24 hours/);
    clock.advance(25 * 3600_000);
    const refreshed = await refresh(token);
    expect(refreshed.expires_in).toBe(5_183_944);
    expect(refreshed.access_token).not.toBe(token);
    clock.advance(61 * 24 * 3600_000);
    expect((await refresh(token)).error).toMatchObject({ code: 190, error_subcode: 463 });
  });

  it('answers a signed, expiring CDN-shaped profile_picture_url that it serves itself, as Meta does', async () => {
    const { token } = await longLivedToken(SEED.instagramCreatorId);
    const me = async () =>
      (
        (await (await fetch(`${meta.urls.instagramGraph}/v25.0/me?fields=username,profile_picture_url&access_token=${token}`)).json()) as {
          profile_picture_url: string;
        }
      ).profile_picture_url;
    const url = await me();
    expect(url).toMatch(
      new RegExp(`^${meta.url}/scontent\\.cdninstagram\\.com/v/t51\\.2885-19/${SEED.instagramCreatorId}_n\\.svg\\?.*&oh=00_[\\w-]+&oe=[0-9A-F]+$`),
    );
    expect(await me()).toBe(url); // stable between reads on the same day
    const picture = await fetch(url);
    expect(picture.status).toBe(200);
    expect(picture.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(await picture.text()).toMatch(/^<svg [^>]*width="150" height="150"/);

    const tampered = new URL(url);
    tampered.searchParams.set('oe', 'FFFFFFFF');
    expect(await fetch(tampered).then(async (r) => [r.status, await r.text()])).toEqual([403, 'URL signature mismatch']);
    expect((await fetch(url.replace(`${SEED.instagramCreatorId}_n`, '17841400000000999_n'))).status).toBe(404);

    clock.advance(5 * 24 * 3600_000);
    expect(await fetch(url).then(async (r) => [r.status, await r.text()])).toEqual([403, 'URL signature expired']);
    const fresh = await me();
    expect(fresh).not.toBe(url);
    expect((await fetch(fresh)).status).toBe(200);
  });

  it('is scriptable over HTTP for other processes', async () => {
    const created = (await (
      await fetch(`${meta.url}/_control/addInstagramUser`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'over_http' }),
      })
    ).json()) as any;
    expect(created.result.username).toBe('over_http');
    const unknown = await fetch(`${meta.url}/_control/eval`, { method: 'POST' });
    expect(unknown.status).toBe(404);
  });
});

describe('Meta emulator: rate limits, scoped as Meta scopes them', () => {
  const control = (method: string, arg: unknown) =>
    fetch(`${meta.url}/_control/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(arg) });
  afterEach(() => meta.control.reset());

  it('limits one Instagram account (80002) with a low X-App-Usage and a BUC header naming only it, until its minutes pass', async () => {
    const user = meta.control.addFacebookUser({ pages: [{ instagram: {} }, { instagram: {} }] });
    const [limited, free] = user.pages.map((p) => p.instagram!.id);
    const token = await facebookUserToken(user.id);
    expect((await control('limitRate', { host: 'facebook', code: 80002, scopeId: limited, minutes: 3 })).status).toBe(200);

    const hit = await fbGet(`/${limited}`, { access_token: token, appsecret_proof: proof(token), fields: 'id' });
    expect(hit.body.error.code).toBe(80002);
    expect(JSON.parse(hit.headers.get('x-app-usage')!).call_count).toBeLessThan(10);
    expect(JSON.parse(hit.headers.get('x-business-use-case-usage')!)).toEqual({
      [limited]: [expect.objectContaining({ type: 'instagram', call_count: 100, estimated_time_to_regain_access: 3 })],
    });
    expect((await fbGet(`/${free}`, { access_token: token, appsecret_proof: proof(token), fields: 'id' })).status).toBe(200);

    // Inside a batch the limited entry fails on its own, with its headers; the other answers.
    const body = new URLSearchParams({
      access_token: token,
      appsecret_proof: proof(token),
      batch: JSON.stringify([limited, free].map((id) => ({ method: 'GET', relative_url: `v25.0/${id}?fields=id` }))),
    });
    const answers = (await (await fetch(`${meta.urls.facebookGraph}/`, { method: 'POST', body })).json()) as Array<{
      code: number;
      body: string;
      headers: Array<{ name: string }>;
    }>;
    expect(JSON.parse(answers[0].body).error.code).toBe(80002);
    expect(answers[0].headers.map((h) => h.name)).toContain('x-business-use-case-usage');
    expect(answers[1].code).toBe(200);

    clock.advance(3 * 60_000);
    expect((await fbGet(`/${limited}`, { access_token: token, appsecret_proof: proof(token), fields: 'id' })).status).toBe(200);
  });

  it('limits the whole app with code 4 and a high X-App-Usage, and answers 429 with Retry-After', async () => {
    const user = meta.control.addFacebookUser({ pages: [{ instagram: {} }] });
    const token = await facebookUserToken(user.id);
    await control('limitRate', { host: 'facebook', code: 4, minutes: 1 });
    const app = await fbGet('/me', { access_token: token, appsecret_proof: proof(token) });
    expect(app.body.error.code).toBe(4);
    expect(JSON.parse(app.headers.get('x-app-usage')!).call_count).toBe(100);
    await control('liftRateLimits', {});

    await control('throttle', { host: 'facebook', pathIncludes: '/me', count: 1, retryAfterSeconds: 42 });
    const throttled = await fbGet('/me', { access_token: token, appsecret_proof: proof(token) });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('42');
    expect((await fbGet('/me', { access_token: token, appsecret_proof: proof(token) })).status).toBe(200);
  });
});

import { OAuthUrlDocument, SocialAccountsDocument, SyncSocialAccountDocument } from '../client/generated/graphql';
import { connect, facebookUser } from './helpers/flows';
import { StatusSubscriber, waitFor } from './helpers/subscriptions';
import { onlyError, REDIRECT_URI, TestApp } from './helpers/test-app';

/** Small budgets and a short window, the same on both instances (they share one database). */
const LIMITS = {
  RATE_LIMIT_WINDOW_SECONDS: '4',
  RATE_LIMIT_OPERATIONS: '8',
  RATE_LIMIT_OAUTH_URLS: '2',
  RATE_LIMIT_META_MUTATIONS: '2',
};

let a: TestApp;
let b: TestApp;
beforeAll(async () => {
  a = await TestApp.start({ env: LIMITS });
  b = await TestApp.start({ env: LIMITS, share: a });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

const read = (app: TestApp, memberId: string) => app.gql(SocialAccountsDocument, {}, { memberId });

function expectMemberLimited(error: { extensions: Record<string, unknown> }, budget: string) {
  expect(error.extensions).toMatchObject({ code: 'RATE_LIMITED', scope: 'member', budget });
  expect(error.extensions.retryAfterSeconds).toBeGreaterThanOrEqual(1);
  expect(error.extensions.retryAfterSeconds).toBeLessThanOrEqual(60);
}

describe('per-member rate limits (rate-limiter-flexible on PostgreSQL)', () => {
  it('counts operations across both instances, refuses over budget on HTTP, REST and WebSocket, and lets the member back after the window', async () => {
    const memberId = 'budget-ops';
    for (let i = 0; i < 8; i++) expect((await read(i % 2 ? b : a, memberId)).errors).toBeUndefined();

    // The ninth, on either instance: refused before any resolver, HTTP 429 with Retry-After.
    const response = await fetch(`${b.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${b.tokenFor(memberId)}` },
      body: JSON.stringify({ query: '{ socialAccounts { id } }' }),
    });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = (await response.json()) as { data?: unknown; errors: Array<{ extensions: Record<string, unknown> }> };
    expect(body.data).toBeUndefined();
    expectMemberLimited(body.errors[0], 'operations');
    expectMemberLimited(onlyError(await read(a, memberId)), 'operations');

    // The REST facade spends the same budget.
    const rest = await fetch(`${a.url}/ai/instagram/accounts`, { headers: { authorization: `Bearer ${a.tokenFor(memberId)}` } });
    expect(rest.status).toBe(429);
    expect(rest.headers.get('retry-after')).toBeTruthy();
    const envelope = (await rest.json()) as { code: string; details: Record<string, unknown> };
    expect(envelope.code).toBe('RATE_LIMITED');
    expect(envelope.details).toMatchObject({ scope: 'member', budget: 'operations' });

    // And so does the WebSocket subscribe.
    const subscriber = new StatusSubscriber(b, `Bearer ${b.tokenFor(memberId)}`);
    try {
      await waitFor(() => subscriber.errors.length > 0, 'the subscribe to be refused');
      expect(subscriber.errors[0]).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'RATE_LIMITED', scope: 'member' }) })]);
    } finally {
      await subscriber.close();
    }

    // Another member is not affected, right after.
    expect((await read(b, 'budget-ops-neighbour')).errors).toBeUndefined();
    expect(await a.metric('limit_refusals_total', { limit: 'member_operations' })).toBeGreaterThan(0);
    expect(await b.metric('limit_refusals_total', { limit: 'member_operations' })).toBeGreaterThan(0);
    // Logged once per member and window per instance, however many refusals.
    expect(b.logs.filter((l) => l.includes('"limit":"member_operations"') && l.includes(`"memberId":"${memberId}"`))).toHaveLength(1);

    // Once the window ends, the member's next request goes through.
    await waitFor(async () => (await read(a, memberId)).errors === undefined, 'the window to end', 8_000);
  });

  it('gives oauthUrl a budget of its own: aliased links count one each, and a refused operation inserts no state', async () => {
    const memberId = 'budget-oauth';
    expect((await a.gql(OAuthUrlDocument, { provider: 'FACEBOOK', redirectUri: REDIRECT_URI }, { memberId })).errors).toBeUndefined();
    expect((await b.gql(OAuthUrlDocument, { provider: 'INSTAGRAM', redirectUri: REDIRECT_URI }, { memberId })).errors).toBeUndefined();
    expectMemberLimited(onlyError(await a.gql(OAuthUrlDocument, { provider: 'FACEBOOK', redirectUri: REDIRECT_URI }, { memberId })), 'oauthUrls');
    // Reads still pass: a separate budget.
    expect((await read(b, memberId)).errors).toBeUndefined();

    const fresh = 'budget-oauth-aliases';
    const aliased = await a.post({ query: '{ x: oauthUrl y: oauthUrl z: oauthUrl }' }, { memberId: fresh });
    expectMemberLimited(onlyError(aliased), 'oauthUrls');
    expect(await a.sql('select 1 from oauth_state where member_id = ?', [fresh])).toHaveLength(0);
    expect(await a.metric('limit_refusals_total', { limit: 'member_oauth_urls' })).toBeGreaterThan(0);
  });

  it('gives Meta-calling mutations a budget of their own, shared with REST: over it, no call reaches Meta', async () => {
    const memberId = 'budget-meta';
    const user = facebookUser(a, [{ instagram: { followersCount: 5_000 } }]);
    const [account] = await connect(a, memberId, 'FACEBOOK', user.userId, { pageIds: user.pageIds }); // connectInstagram: 1
    expect((await b.gql(SyncSocialAccountDocument, { id: account.id }, { memberId })).errors).toBeUndefined(); // 2
    a.emulator.control.resetCalls();
    expectMemberLimited(onlyError(await a.gql(SyncSocialAccountDocument, { id: account.id }, { memberId })), 'metaMutations');
    const rest = await fetch(`${b.url}/ai/instagram/accounts/${account.id}/sync`, {
      method: 'POST',
      headers: { authorization: `Bearer ${b.tokenFor(memberId)}` },
    });
    expect(rest.status).toBe(429);
    expect(((await rest.json()) as { details: Record<string, unknown> }).details).toMatchObject({ scope: 'member', budget: 'metaMutations' });
    expect(a.emulator.control.calls).toHaveLength(0);
    // Reads are a different budget.
    expect((await read(a, memberId)).errors).toBeUndefined();
  });

  it('says scope "meta" when Meta is the one limiting', async () => {
    const memberId = 'budget-meta-scope';
    const user = facebookUser(a, [{ instagram: {} }]);
    const [account] = await connect(a, memberId, 'FACEBOOK', user.userId, { pageIds: user.pageIds });
    a.emulator.control.failNext({ host: 'facebook', pathIncludes: user.igIds[0], count: 1, kind: 'rate_limit', code: 80002 });
    const error = onlyError(await a.gql(SyncSocialAccountDocument, { id: account.id }, { memberId }));
    expect(error.extensions).toMatchObject({ code: 'RATE_LIMITED', scope: 'meta' });
    expect(error.extensions.retryAfterSeconds).toBeGreaterThan(0);
  });
});

describe('the local share of the operations budget', () => {
  let c: TestApp;
  let d: TestApp;
  beforeAll(async () => {
    const env = { RATE_LIMIT_WINDOW_SECONDS: '60', RATE_LIMIT_OPERATIONS: '40' }; // 10 %: 4 per instance in memory
    c = await TestApp.start({ env });
    d = await TestApp.start({ env, share: c });
  });
  afterAll(async () => {
    await d?.close();
    await c?.close();
  });

  it('counts a member’s first operations in memory, then every one in PostgreSQL, and holds the budget across instances within the local shares', async () => {
    const memberId = 'budget-local-share';
    const stored = async () => (await c.sql<{ points: number }>(`select points from member_rate_limit where key = ?`, [`ops:${memberId}`]))[0]?.points;
    for (let i = 0; i < 4; i++) expect((await read(c, memberId)).errors).toBeUndefined();
    expect(await stored()).toBeUndefined(); // no write for the first 4 on this instance
    expect((await read(c, memberId)).errors).toBeUndefined();
    expect(await stored()).toBe(5); // past the share: the local ones are added too

    let accepted = 5;
    for (let i = 0; i < 60; i++) {
      const response = await read(i % 2 ? c : d, memberId);
      if (response.errors) {
        expectMemberLimited(onlyError(response) as { extensions: Record<string, unknown> }, 'operations');
        break;
      }
      accepted++;
    }
    // The shared budget, plus at most the other instance's local share.
    expect(accepted).toBeGreaterThanOrEqual(40);
    expect(accepted).toBeLessThanOrEqual(44);
    expect((await read(d, memberId)).errors).toBeDefined();
  });
});

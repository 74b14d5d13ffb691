import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LEGACY_ACCOUNT_FIELDS, LEGACY_ACCOUNT_OPTIONAL_FIELDS } from '../src/http/rest/account-view';
import { REST_OPENAPI } from '../src/http/rest/openapi';
import { restRoutes } from '../src/http/rest/rest-routes';
import { allow, facebookUser, instagramUser } from './helpers/flows';
import { appForThisFile, stateOf } from './helpers/test-app';

const app = appForThisFile();
const bodies: string[] = [];

interface Answer {
  status: number;
  headers: Headers;
  body: { status: number; message: string; data: any; code?: string; details?: Record<string, unknown> };
}

/** One REST call as an old client makes it, with the member's JWT (or `token: null` for none). */
async function rest(
  method: string,
  route: string,
  options: { memberId?: string; token?: string | null; body?: string; contentType?: string } = {},
): Promise<Answer> {
  const token = options.token !== undefined ? options.token : app.tokenFor(options.memberId ?? 'member-rest');
  const response = await fetch(`${app.url}/ai/instagram${route}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(options.body ? { 'content-type': options.contentType ?? 'application/json' } : {}) },
    body: options.body,
  });
  const text = await response.text();
  bodies.push(text);
  return { status: response.status, headers: response.headers, body: JSON.parse(text) };
}

async function connectFacebook(memberId: string, pages = 2) {
  const fb = facebookUser(
    app,
    Array.from({ length: pages }, () => ({ instagram: { followersCount: 150_000 } })),
  );
  const url = (await rest('GET', `/oauth/url?memberId=${memberId}`, { memberId })).body.data.url;
  const state = stateOf(url);
  const code = allow(app, 'FACEBOOK', fb.userId, state);
  const answer = await rest('POST', `/oauth/connect?code=${encodeURIComponent(code)}&state=${state}`, { memberId });
  return { fb, answer, code };
}

describe('REST compatibility API (/ai/instagram)', () => {
  it('connects through the old routes and answers in the old envelope and field names', async () => {
    const { answer, fb } = await connectFacebook('member-rest-connect');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: 200, message: '2 Instagram account(s) connected.' });
    expect(answer.body.data).toHaveLength(2);
    for (const account of answer.body.data) {
      expect(Object.keys(account).sort()).toEqual([...LEGACY_ACCOUNT_FIELDS].sort());
      expect(account).toMatchObject({ platform: 1, connectionStatus: 'CONNECTED', priceTier: 'A', price: 150_000, followersCount: 150_000 });
      expect(fb.igIds).toContain(account.platformUserId);
    }
    const list = await rest('GET', '/accounts', { memberId: 'member-rest-connect' });
    expect(list.body.data.map((a: { accountId: string }) => a.accountId).sort()).toEqual(
      answer.body.data.map((a: { accountId: string }) => a.accountId).sort(),
    );
  });

  it('takes code and state in a JSON or form body too, and maps the cancel path to OAUTH_DENIED', async () => {
    const ig = instagramUser(app);
    const url = (await rest('GET', '/oauth/url?provider=INSTAGRAM', { memberId: 'member-rest-body' })).body.data.url;
    expect(new URL(url).pathname).toMatch(/oauth\/authorize$/);
    const state = stateOf(url);
    const code = allow(app, 'INSTAGRAM', ig.userId, state);
    const viaJson = await rest('POST', '/oauth/connect', { memberId: 'member-rest-body', body: JSON.stringify({ code: `${code}#_`, state }) });
    expect(viaJson.body.data[0]).toMatchObject({ platformUserId: ig.userId, connectionStatus: 'CONNECTED' });

    const cancelState = stateOf((await rest('GET', '/oauth/url', { memberId: 'member-rest-body' })).body.data.url);
    const cancelled = await rest('POST', '/oauth/connect', {
      memberId: 'member-rest-body',
      body: new URLSearchParams({ code: '', state: cancelState, error: 'access_denied', error_reason: 'user_denied' }).toString(),
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(cancelled.status).toBe(400);
    expect(cancelled.body).toMatchObject({ status: 400, code: 'OAUTH_DENIED', data: null, details: { reason: 'user_denied' } });
  });

  it('answers each error class with its status and the GraphQL code', async () => {
    const { code, answer } = await connectFacebook('member-rest-errors', 1);
    const [account] = answer.body.data;
    const state = stateOf((await rest('GET', '/oauth/url', { memberId: 'member-rest-errors' })).body.data.url);
    const reused = await rest('POST', `/oauth/connect?code=${encodeURIComponent(code)}&state=${state}`, { memberId: 'member-rest-errors' });
    expect(reused.status).toBe(400);
    expect(reused.body).toMatchObject({ code: 'OAUTH_CODE_REJECTED', details: { metaSubcode: 36009 } });

    expect((await rest('POST', '/oauth/connect?code=x', { memberId: 'member-rest-errors' })).body).toMatchObject({ status: 400, code: 'BAD_USER_INPUT' });
    expect((await rest('GET', '/accounts?statuses=GONE', { memberId: 'member-rest-errors' })).body).toMatchObject({ status: 400, code: 'BAD_USER_INPUT' });
    expect((await rest('GET', '/oauth/url?provider=TWITTER', { memberId: 'member-rest-errors' })).status).toBe(400);
    expect((await rest('POST', '/accounts/not-a-uuid/sync', { memberId: 'member-rest-errors' })).body.code).toBe('BAD_USER_INPUT');
    expect((await rest('DELETE', `/accounts/${account.accountId}`, { memberId: 'someone-else' })).body).toMatchObject({ status: 404, code: 'NOT_FOUND' });

    const igId = account.platformUserId;
    app.emulator.control.failNext({ host: 'facebook', pathIncludes: igId, count: 1, kind: 'rate_limit', code: 80002 });
    const limited = await rest('POST', `/accounts/${account.accountId}/sync`, { memberId: 'member-rest-errors' });
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('RATE_LIMITED');
    expect(limited.body.details?.retryAfterSeconds).toBeGreaterThan(0);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);

    const ig = instagramUser(app);
    const igState = stateOf((await rest('GET', '/oauth/url?provider=INSTAGRAM', { memberId: 'member-rest-errors' })).body.data.url);
    const [igAccount] = (
      await rest('POST', `/oauth/connect?code=${allow(app, 'INSTAGRAM', ig.userId, igState)}&state=${igState}`, { memberId: 'member-rest-errors' })
    ).body.data;
    app.emulator.control.failNext({ host: 'instagram', pathIncludes: '/me', count: 10, kind: 'server_error' });
    const down = await rest('POST', `/accounts/${igAccount.accountId}/sync`, { memberId: 'member-rest-errors' });
    app.emulator.control.failNext({ host: 'instagram', pathIncludes: '/me', count: 0, kind: 'server_error' });
    expect(down.status).toBe(503);
    expect(down.body.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(
      (await rest('GET', '/accounts', { memberId: 'member-rest-errors' })).body.data.every(
        (a: { connectionStatus: string }) => a.connectionStatus === 'CONNECTED',
      ),
    ).toBe(true);
  });

  it('syncs and disconnects an account', async () => {
    const { answer, fb } = await connectFacebook('member-rest-sync', 1);
    const [account] = answer.body.data;
    app.emulator.control.updateProfile(fb.igIds[0], { followersCount: 2_000_000, mediaCount: 5 });
    const synced = await rest('POST', `/accounts/${account.accountId}/sync`, { memberId: 'member-rest-sync' });
    expect(synced.body).toMatchObject({ status: 200, data: { followersCount: 2_000_000, mediaCount: 5, priceTier: 'S' } });
    const gone = await rest('DELETE', `/accounts/${account.accountId}?memberId=member-rest-sync`, { memberId: 'member-rest-sync' });
    expect(gone.body).toMatchObject({ status: 200, data: { accountId: account.accountId, connectionStatus: 'DISCONNECTED' } });
    expect((await rest('GET', '/accounts', { memberId: 'member-rest-sync' })).body.data).toEqual([]);
    expect((await rest('GET', '/accounts?statuses=DISCONNECTED', { memberId: 'member-rest-sync' })).body.data).toHaveLength(1);
  });

  it('requires the JWT, and a memberId must be its subject', async () => {
    for (const token of [null, 'not-a-jwt']) {
      const answer = await rest('GET', '/accounts', { token });
      expect(answer.status).toBe(401);
      expect(answer.body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', data: null });
    }
    const forbidden = await rest('GET', '/oauth/url?memberId=member-b', { memberId: 'member-a' });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect((await rest('GET', '/accounts?memberId=member-a', { memberId: 'member-a' })).status).toBe(200);
  });

  it('answers malformed, oversized and unknown requests with envelopes, never HTML', async () => {
    const malformed = await rest('POST', '/oauth/connect', { body: '{"code":', memberId: 'member-rest-bad' });
    expect(malformed.body).toMatchObject({ status: 400, code: 'BAD_USER_INPUT', message: 'The request body is not valid JSON: Unexpected end of JSON input.' });
    const oversized = await rest('POST', '/oauth/connect', { body: JSON.stringify({ code: 'x'.repeat(20_000), state: 's' }), memberId: 'member-rest-bad' });
    expect(oversized.status).toBe(413);
    expect(oversized.body.status).toBe(413);
    const unknown = await rest('GET', '/nothing-here', { memberId: 'member-rest-bad' });
    expect(unknown.body).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });

  it('never returns a token', () => {
    const everything = bodies.join('\n');
    const tokens = [
      ...app.emulator.control.describe().facebookUsers.map((u) => u.id),
      ...app.emulator.control.describe().instagramUsers.map((u) => u.userId),
    ].flatMap((id) => app.emulator.control.tokensOf(id));
    expect(tokens.length).toBeGreaterThan(5);
    for (const token of tokens) expect(everything).not.toContain(token);
  });
});

describe('OpenAPI document', () => {
  it('is committed as rest-openapi.json (run `npm run schema` when this fails) and served', async () => {
    const committed = JSON.parse(readFileSync(path.join(__dirname, '..', 'rest-openapi.json'), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(REST_OPENAPI)));
    expect(await (await fetch(`${app.url}/ai/instagram/openapi.json`)).json()).toEqual(committed);
    expect(committed.openapi).toBe('3.1.0');
  });

  it('documents exactly the mounted routes, and the account schema has the fields the API returns', () => {
    const mounted = restRoutes(app.services)
      .stack.filter((layer) => layer.route)
      .flatMap((layer) => {
        const route = layer.route as unknown as { path: string; methods: Record<string, boolean> };
        return Object.keys(route.methods).map((method) => `${method.toUpperCase()} ${route.path.replace(/:(\w+)/g, '{$1}')}`);
      })
      .filter((route) => route !== 'GET /openapi.json')
      .sort();
    const documented = Object.entries(REST_OPENAPI.paths)
      .flatMap(([route, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${route}`))
      .sort();
    expect(documented).toEqual(mounted);
    expect(Object.keys(REST_OPENAPI.components.schemas.Account.properties).sort()).toEqual(
      [...LEGACY_ACCOUNT_FIELDS, ...LEGACY_ACCOUNT_OPTIONAL_FIELDS].sort(),
    );
  });
});

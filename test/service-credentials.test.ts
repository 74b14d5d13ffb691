import jwt from 'jsonwebtoken';
import { connect, facebookUser, instagramUser } from './helpers/flows';
import { StatusSubscriber } from './helpers/subscriptions';
import { onlyError, TEST_JWT_SECRET, TestApp, type GraphQLResponse } from './helpers/test-app';

/** Service tokens (the platform's backend): scopes, member tokens refused, REST with memberId, budgets apart, audit logs. */
jest.setTimeout(60_000);

const SERVICE_AUDIENCE = 'platform-backend';
const RETURN_URL = 'https://platform.example/instagram/return';
let app: TestApp;

beforeAll(async () => {
  app = await TestApp.start({
    env: {
      JWT_SERVICE_AUDIENCE: SERVICE_AUDIENCE,
      CONNECT_LINK_RETURN_URLS: RETURN_URL,
      RATE_LIMIT_OPERATIONS: '100000',
      SERVICE_RATE_LIMIT_OPERATIONS: '100000',
    },
  });
});
afterAll(() => app?.close());

const serviceToken = (scopes: string[], clientId = 'backend-1', claim: 'scope' | 'scp' = 'scope') =>
  jwt.sign({ [claim]: claim === 'scope' ? scopes.join(' ') : scopes, client_id: clientId }, TEST_JWT_SECRET, {
    algorithm: 'HS256',
    subject: clientId,
    audience: SERVICE_AUDIENCE,
    expiresIn: 600,
  });
const memberToken = (memberId: string) => app.tokenFor(memberId);

const call = <T = any>(query: string, token: string, variables: Record<string, unknown> = {}) =>
  app.post<T>({ query, variables }, { token }) as Promise<GraphQLResponse<T>>;

const SERVICE_OPERATIONS: Array<[string, string, string, (ids: { memberId: string }) => Record<string, unknown>]> = [
  ['memberSocialAccounts', 'accounts:read', 'query($m: ID!) { memberSocialAccounts(memberId: $m) { id } }', ({ memberId }) => ({ m: memberId })],
  ['accountsAcrossMembers', 'accounts:read', '{ accountsAcrossMembers(first: 5) { nodes { memberId } } }', () => ({})],
  [
    'createConnectLink',
    'connect-links:create',
    'mutation($m: ID!, $r: String!) { createConnectLink(memberId: $m, returnUrl: $r) { id url } }',
    ({ memberId }) => ({ m: memberId, r: RETURN_URL }),
  ],
  ['revokeConnectLink', 'connect-links:create', 'mutation { revokeConnectLink(id: "00000000-0000-4000-8000-000000000000") }', () => ({})],
  // Another member than the one the others read (erasing one with nothing is allowed: idempotent).
  [
    'eraseMember',
    'members:erase',
    'mutation($m: ID!) { eraseMember(memberId: $m) { accounts grants statusEvents } }',
    ({ memberId }) => ({ m: `${memberId}-gone` }),
  ],
];

describe('scopes', () => {
  let memberId: string;
  beforeAll(async () => {
    memberId = `m-scope-${Date.now()}`;
    const user = facebookUser(app, [{ instagram: { followersCount: 25_000 } }]);
    await connect(app, memberId, 'FACEBOOK', user.userId, { pageIds: user.pageIds });
  });

  it.each(SERVICE_OPERATIONS)('%s is allowed with %s and refused without it (FORBIDDEN, SCOPE_MISSING)', async (name, scope, query, variables) => {
    const allowed = await call(query, serviceToken([scope]), variables({ memberId }));
    if (name === 'revokeConnectLink')
      expect(onlyError(allowed).extensions.code).toBe('NOT_FOUND'); // allowed through, no such link
    else expect(allowed.errors).toBeUndefined();
    const others = ['accounts:read', 'connect-links:create', 'members:erase'].filter((s) => s !== scope);
    const refused = onlyError(await call(query, serviceToken(others), variables({ memberId })));
    expect(refused.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'SCOPE_MISSING', scope });
  });

  it('reads scopes from scp as well (a list)', async () => {
    const response = await call('query($m: ID!) { memberSocialAccounts(memberId: $m) { username } }', serviceToken(['accounts:read'], 'backend-scp', 'scp'), {
      m: memberId,
    });
    expect(response.data.memberSocialAccounts).toHaveLength(1);
  });

  it.each(SERVICE_OPERATIONS)('a member token trying %s is refused (FORBIDDEN, SERVICE_ONLY)', async (_name, _scope, query, variables) => {
    const refused = onlyError(await call(query, memberToken(memberId), variables({ memberId })));
    expect(refused.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'SERVICE_ONLY' });
  });

  it.each([
    '{ socialAccounts { id } }',
    '{ socialAccount(id: "00000000-0000-4000-8000-000000000000") { id } }',
    '{ oauthUrl }',
    'mutation { connectInstagram(code: "c", state: "s") { id } }',
    'mutation { syncSocialAccount(id: "00000000-0000-4000-8000-000000000000") { id } }',
    'mutation { disconnectSocialAccount(id: "00000000-0000-4000-8000-000000000000") { id } }',
  ])('a service token never passes as a member: %s is FORBIDDEN (SERVICE_TOKEN_NOT_A_MEMBER)', async (query) => {
    const refused = onlyError(await call(query, serviceToken(['accounts:read', 'connect-links:create', 'members:erase'])));
    expect(refused.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'SERVICE_TOKEN_NOT_A_MEMBER' });
  });

  it('a service token cannot open a subscription (closed 4403, like a bad token), a member token can', async () => {
    const refused = new StatusSubscriber(app, `Bearer ${serviceToken(['accounts:read', 'connect-links:create'])}`);
    expect(await refused.closed).toBe(4403);
    const member = new StatusSubscriber(app, `Bearer ${memberToken(memberId)}`);
    try {
      await member.ready(app, 1);
    } finally {
      await member.close();
    }
  });

  it('logs every service action with the service and the member it acted for', async () => {
    await call('query($m: ID!) { memberSocialAccounts(memberId: $m) { id } }', serviceToken(['accounts:read'], 'backend-audit'), { m: memberId });
    const line = app.logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'service action' && l.service === 'backend-audit');
    expect(line).toMatchObject({ service: 'backend-audit', scope: 'accounts:read', action: 'memberSocialAccounts', memberId });
  });
});

describe('the REST facade with a service token', () => {
  let memberId: string;
  beforeAll(async () => {
    memberId = `m-rest-${Date.now()}`;
    const user = instagramUser(app, { followersCount: 3_000 });
    await connect(app, memberId, 'INSTAGRAM', user.userId);
  });

  const rest = (path: string, token: string, method = 'GET') =>
    fetch(`${app.url}/ai/instagram${path}`, { method, headers: { authorization: `Bearer ${token}` } }).then(async (r) => ({
      status: r.status,
      body: (await r.json()) as any,
    }));

  it('takes memberId from the query string (accounts:read)', async () => {
    const { status, body } = await rest(`/accounts?memberId=${memberId}`, serviceToken(['accounts:read']));
    expect(status).toBe(200);
    expect(body.data).toHaveLength(1);
    const line = app.logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'service action' && l.action === 'REST GET /ai/instagram/accounts');
    expect(line).toMatchObject({ service: 'backend-1', memberId });
  });

  it('requires memberId and the scope, and refuses routes that act for the signed-in member', async () => {
    expect((await rest('/accounts', serviceToken(['accounts:read']))).body).toMatchObject({ status: 400, code: 'BAD_USER_INPUT' });
    expect((await rest(`/accounts?memberId=${memberId}`, serviceToken(['connect-links:create']))).body).toMatchObject({
      status: 403,
      code: 'FORBIDDEN',
      details: { reason: 'SCOPE_MISSING' },
    });
    const disconnect = await rest(`/accounts/00000000-0000-4000-8000-000000000000?memberId=${memberId}`, serviceToken(['accounts:read']), 'DELETE');
    expect(disconnect.body).toMatchObject({ status: 403, details: { reason: 'SERVICE_TOKEN_NOT_A_MEMBER' } });
  });

  it("with a member token keeps ignoring another member's memberId (refused, as before)", async () => {
    const { body } = await rest(`/accounts?memberId=${memberId}`, app.tokenFor('someone-else'));
    expect(body).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect((await rest(`/accounts?memberId=${memberId}`, app.tokenFor(memberId))).body.data).toHaveLength(1);
  });
});

describe('accountsAcrossMembers', () => {
  const QUERY = `query($f: AccountsAcrossMembersFilter, $first: Int!, $after: String) {
    accountsAcrossMembers(filter: $f, first: $first, after: $after) { nodes { memberId account { id username followersCount priceTier provider connectionStatus } } endCursor hasNextPage } }`;
  const read = (variables: Record<string, unknown>) => call(QUERY, serviceToken(['accounts:read']), { first: 100, ...variables });
  const prefix = `dir-${Date.now()}`;
  const since = new Date();

  beforeAll(async () => {
    for (const [i, followers] of [500, 5_000, 50_000, 500_000, 2_000_000].entries()) {
      const user = instagramUser(app, { followersCount: followers });
      await connect(app, `${prefix}-${i}`, 'INSTAGRAM', user.userId);
    }
    const fb = facebookUser(app, [{ instagram: { followersCount: 40_000 } }]);
    await connect(app, `${prefix}-fb`, 'FACEBOOK', fb.userId, { pageIds: fb.pageIds });
  });

  it('walks every account changed since a moment, in pages, each once', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page++) {
      const response: GraphQLResponse<any> = await read({ f: { updatedSince: since.toISOString() }, first: 2, after });
      const { nodes, endCursor, hasNextPage } = response.data.accountsAcrossMembers;
      seen.push(...nodes.filter((n: any) => n.memberId.startsWith(prefix)).map((n: any) => n.account.id));
      after = endCursor;
      if (!hasNextPage) break;
    }
    expect(seen).toHaveLength(6);
    expect(new Set(seen).size).toBe(6);
  });

  it('filters by status, provider, tier, follower range and member', async () => {
    const ours = (r: GraphQLResponse<any>) => r.data.accountsAcrossMembers.nodes.filter((n: any) => n.memberId.startsWith(prefix));
    const range = ours(await read({ f: { followersMin: 4_000, followersMax: 60_000, updatedSince: since.toISOString() } }));
    expect(range.map((n: any) => n.account.followersCount).sort((a: number, b: number) => a - b)).toEqual([5_000, 40_000, 50_000]);
    expect(ours(await read({ f: { provider: 'FACEBOOK', updatedSince: since.toISOString() } })).map((n: any) => n.memberId)).toEqual([`${prefix}-fb`]);
    expect(ours(await read({ f: { tiers: ['S'], updatedSince: since.toISOString() } })).map((n: any) => n.account.followersCount)).toEqual([2_000_000]);
    expect(ours(await read({ f: { statuses: ['EXPIRED'], updatedSince: since.toISOString() } }))).toEqual([]);
    expect(ours(await read({ f: { memberId: `${prefix}-1` } })).map((n: any) => n.account.followersCount)).toEqual([5_000]);
  });

  it('is bounded: at most 100 per page, and a forged cursor is BAD_USER_INPUT', async () => {
    expect(onlyError(await read({ first: 101 })).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    expect(onlyError(await read({ after: 'bm90LWEtY3Vyc29y' })).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});

describe('budgets', () => {
  it("a service's requests never spend a member's budget, even when the service's client id equals the member id", async () => {
    const limited = await TestApp.start({
      share: app,
      env: { JWT_SERVICE_AUDIENCE: SERVICE_AUDIENCE, RATE_LIMIT_OPERATIONS: '4', SERVICE_RATE_LIMIT_OPERATIONS: '3' },
    });
    try {
      const shared = `same-id-${Date.now()}`;
      const token = serviceToken(['accounts:read'], shared);
      const query = 'query($m: ID!) { memberSocialAccounts(memberId: $m) { id } }';
      for (let i = 0; i < 3; i++) expect((await limited.post({ query, variables: { m: shared } }, { token })).errors).toBeUndefined();
      const refused = onlyError(await limited.post({ query, variables: { m: shared } }, { token }));
      expect(refused.extensions).toMatchObject({ code: 'RATE_LIMITED', scope: 'service' });
      // The member of the same id still has all four operations of its own.
      for (let i = 0; i < 4; i++) expect((await limited.post({ query: '{ socialAccounts { id } }' }, { memberId: shared })).errors).toBeUndefined();
      expect(onlyError(await limited.post({ query: '{ socialAccounts { id } }' }, { memberId: shared })).extensions).toMatchObject({ scope: 'member' });
    } finally {
      await limited.close();
    }
  });
});

describe('members:erase', () => {
  it("erases every account of the member, is idempotent, and leaves other members' accounts alone", async () => {
    const leaving = `m-erase-${Date.now()}`;
    const staying = `${leaving}-stays`;
    await connect(app, leaving, 'INSTAGRAM', instagramUser(app).userId);
    await connect(app, staying, 'INSTAGRAM', instagramUser(app).userId);
    const erase = 'mutation($m: ID!) { eraseMember(memberId: $m) { accounts grants statusEvents webhookEvents } }';
    const first = await call<{ eraseMember: Record<string, number> }>(erase, serviceToken(['members:erase']), { m: leaving });
    expect(first.errors).toBeUndefined();
    expect(first.data!.eraseMember).toMatchObject({ accounts: 1, grants: 1 });
    expect(first.data!.eraseMember.statusEvents).toBeGreaterThan(0);
    const again = await call<{ eraseMember: Record<string, number> }>(erase, serviceToken(['members:erase']), { m: leaving });
    expect(again.data!.eraseMember).toMatchObject({ accounts: 0, grants: 0, statusEvents: 0 });
    expect(await app.sql('select id from social_account where member_id = ?', [leaving])).toEqual([]);
    expect(await app.sql('select id from social_account where member_id = ?', [staying])).toHaveLength(1);
    expect(app.logs.some((line) => line.includes('"action":"eraseMember"') && line.includes(leaving))).toBe(true);
    const tooLong = await call(erase, serviceToken(['members:erase']), { m: 'x'.repeat(256) });
    expect(onlyError(tooLong).extensions.code).toBe('BAD_USER_INPUT');
  });
});

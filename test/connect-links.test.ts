import jwt from 'jsonwebtoken';
import { connect, facebookUser, instagramUser } from './helpers/flows';
import { onlyError, TEST_JWT_SECRET, TestApp } from './helpers/test-app';

/** Connect links over HTTP (no browser): outcomes on returnUrl, reconnect links, hashed storage, the page's headers. */
jest.setTimeout(60_000);

const SERVICE_AUDIENCE = 'platform-backend';
const RETURN_URL = 'https://platform.example/return';
let app: TestApp;

beforeAll(async () => {
  app = await TestApp.start({ env: { JWT_SERVICE_AUDIENCE: SERVICE_AUDIENCE, CONNECT_LINK_RETURN_URLS: RETURN_URL } });
});
afterAll(() => app?.close());

const token = jwt.sign({ scope: 'connect-links:create' }, TEST_JWT_SECRET, {
  algorithm: 'HS256',
  subject: 'backend',
  audience: SERVICE_AUDIENCE,
  expiresIn: 600,
});

async function createLink(variables: Record<string, unknown>) {
  const response = await app.post<any>(
    {
      query:
        'mutation($m: ID!, $r: String!, $p: LoginProvider, $a: ID) { createConnectLink(memberId: $m, returnUrl: $r, provider: $p, accountId: $a) { id url expiresAt } }',
      variables: { r: `${RETURN_URL}?campaign=7`, ...variables },
    },
    { token },
  );
  if (!response.data) throw new Error(JSON.stringify(response.errors));
  return response.data.createConnectLink as { id: string; url: string; expiresAt: string };
}

/** Our link's path on this app (PUBLIC_URL is the default, not the test's port). */
const local = (url: string) => `${app.url}${new URL(url).pathname}`;

/** Opens the page, presses the button: the dialog URL our POST redirects to. */
async function startDialog(linkUrl: string, provider = 'FACEBOOK'): Promise<URL> {
  const page = await fetch(local(linkUrl));
  expect(page.status).toBe(200);
  const posted = await fetch(local(linkUrl), { method: 'POST', body: new URLSearchParams({ provider }), redirect: 'manual' });
  expect(posted.status).toBe(303);
  return new URL(posted.headers.get('location')!);
}

async function callback(dialog: URL, code: string): Promise<URL> {
  const response = await fetch(`${app.url}/connect/callback?code=${encodeURIComponent(code)}&state=${dialog.searchParams.get('state')}`, {
    redirect: 'manual',
  });
  expect(response.status).toBe(303);
  return new URL(response.headers.get('location')!);
}

describe('connect links', () => {
  it('serves a script-free page under a strict CSP, and stores only the hash of the token', async () => {
    const link = await createLink({ m: 'cl-member-1' });
    const response = await fetch(local(link.url));
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await response.text()).not.toContain('<script');
    const tokenText = new URL(link.url).pathname.split('/').pop()!;
    expect(Buffer.from(tokenText, 'base64url')).toHaveLength(32);
    const rows = await app.sql('select * from "connect_link" where "id" = ?', [link.id]);
    expect(JSON.stringify(rows)).not.toContain(tokenText);
  });

  it('sends the coded error to returnUrl (NO_INSTAGRAM_ACCOUNT with its reason), keeps the platform parameters, and the link stays usable', async () => {
    const link = await createLink({ m: 'cl-member-2' });
    const noInstagram = facebookUser(app, [{ instagram: null }]);
    const dialog = await startDialog(link.url);
    expect(dialog.searchParams.get('redirect_uri')).toBe('http://localhost:4000/connect/callback');
    const { code } = app.emulator.control.authorize({
      provider: 'facebook',
      userId: noInstagram.userId,
      redirectUri: dialog.searchParams.get('redirect_uri')!,
      state: dialog.searchParams.get('state')!,
      pageIds: noInstagram.pageIds,
    });
    const back = await callback(dialog, code);
    expect(Object.fromEntries(back.searchParams)).toMatchObject({
      campaign: '7',
      status: 'error',
      code: 'NO_INSTAGRAM_ACCOUNT',
      reason: 'NO_LINKED_INSTAGRAM',
      connectLinkId: link.id,
    });
    // Not completed: the creator can fix the Page link and try again with the same link.
    expect((await fetch(local(link.url))).status).toBe(200);
  });

  it('a reconnect link for one account uses its provider and revives it in place', async () => {
    const user = instagramUser(app, { followersCount: 1200 });
    const [account] = await connect(app, 'cl-member-3', 'INSTAGRAM', user.userId);
    await app.post({ query: `mutation { disconnectSocialAccount(id: "${account.id}") { id } }` }, { memberId: 'cl-member-3' });
    const link = await createLink({ m: 'cl-member-3', a: account.id });
    const page = await (await fetch(local(link.url))).text();
    expect(page).toContain('Reconnect your Instagram account');
    expect(page).toContain('Continue with Instagram');
    expect(page).not.toContain('Continue with Facebook');
    const dialog = await startDialog(link.url, 'FACEBOOK'); // the link's provider wins
    expect(dialog.pathname).toMatch(/oauth\/authorize/);
    const { code } = app.emulator.control.authorize({
      provider: 'instagram',
      userId: user.userId,
      redirectUri: dialog.searchParams.get('redirect_uri')!,
      state: dialog.searchParams.get('state')!,
    });
    const back = await callback(dialog, code);
    expect(back.searchParams.get('status')).toBe('connected');
    expect(back.searchParams.get('accountIds')).toBe(account.id);
    expect((await app.sqlRow('select "connection_status" from "social_account" where "id" = ?', [account.id])).connection_status).toBe('CONNECTED');
    // The state cannot be replayed into a second completion.
    const replay = await fetch(`${app.url}/connect/callback?code=${code}&state=${dialog.searchParams.get('state')}`, { redirect: 'manual' });
    expect(replay.status).toBe(400);
  });

  it("refuses an account that is not the member's, and an unknown token", async () => {
    const refused = await app.post<any>(
      {
        query:
          'mutation { createConnectLink(memberId: "cl-x", returnUrl: "https://platform.example/return", accountId: "00000000-0000-4000-8000-000000000000") { id } }',
      },
      { token },
    );
    expect(onlyError(refused).extensions.code).toBe('NOT_FOUND');
    expect((await fetch(`${app.url}/connect/${'A'.repeat(43)}`)).status).toBe(404);
  });
});

describe('reconnect links in webhooks (WEBHOOK_RECONNECT_LINKS)', () => {
  const bodiesOf = async (instance: TestApp, accountId: string) =>
    (await instance.sql<{ type: string; body: string }>('select "type", "body" from "webhook_event" where "account_id" = ? order by "seq"', [accountId])).map(
      (row) => ({ type: row.type, body: JSON.parse(row.body) }),
    );
  const webhookEnv = { STATUS_WEBHOOK_URL: 'http://127.0.0.1:9/hook', STATUS_WEBHOOK_SECRET: `whsec_${Buffer.alloc(32, 1).toString('base64')}` };

  it.each([
    ['on', '1'],
    ['off (the default)', ''],
  ])('account.expired carries a fresh reconnect link only when the switch is %s', async (_name, flag) => {
    const instance = await TestApp.start({
      share: app,
      env: { ...webhookEnv, CONNECT_LINK_RETURN_URLS: RETURN_URL, JWT_SERVICE_AUDIENCE: SERVICE_AUDIENCE, ...(flag ? { WEBHOOK_RECONNECT_LINKS: flag } : {}) },
    });
    try {
      const user = instagramUser(instance, {});
      const [account] = await connect(instance, `cl-webhook-${flag || 'off'}`, 'INSTAGRAM', user.userId);
      await instance.services.accounts.changeStatus(instance.handles.orm.em.fork(), account.id, 'EXPIRED' as never, 'The token expired.');
      const expired = (await bodiesOf(instance, account.id)).find((e) => e.type === 'account.expired')!;
      if (!flag) {
        expect(expired.body.data.reconnectLink).toBeUndefined();
        return;
      }
      const { url, expiresAt } = expired.body.data.reconnectLink;
      expect(new Date(expiresAt).getTime()).toBeGreaterThan(Date.now());
      const page = await (await fetch(`${instance.url}${new URL(url).pathname}`)).text();
      expect(page).toContain('Reconnect your Instagram account');
      const row = await instance.sqlRow('select "account_id", "member_id", "created_by" from "connect_link" where "account_id" = ?', [account.id]);
      expect(row).toEqual({ account_id: account.id, member_id: `cl-webhook-${flag}`, created_by: 'webhook' });
    } finally {
      await instance.close();
    }
  });
});

describe('housekeeping', () => {
  it('deletes links 30 days past their expiry and keeps younger ones', async () => {
    const old = await createLink({ m: 'cl-old' });
    const recent = await createLink({ m: 'cl-recent' });
    await app.sql(`update "connect_link" set "expires_at" = ? where "id" = ?`, [new Date(app.clock.now().getTime() - 31 * 86_400_000), old.id]);
    await app.sql(`update "connect_link" set "expires_at" = ? where "id" = ?`, [new Date(app.clock.now().getTime() - 29 * 86_400_000), recent.id]);
    const report = await app.services.housekeeping.runOnce();
    expect(report.connectLinks).toBeGreaterThanOrEqual(1);
    const left = (await app.sql<{ id: string }>('select "id" from "connect_link" where "id" in (?, ?)', [old.id, recent.id])).map((r) => r.id);
    expect(left).toEqual([recent.id]);
  });
});

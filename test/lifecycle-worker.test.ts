import { tmpdir } from 'node:os';
import path from 'node:path';
import { SyncSocialAccountDocument } from '../client/generated/graphql';
import { bootstrap } from '../src/bootstrap';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { DueAccountRepository } from '../src/repositories/due-account.repository';
import { connect, facebookUser, instagramUser } from './helpers/flows';
import { waitFor } from './helpers/subscriptions';
import { instagramCodeExchangeForm, onlyError, REDIRECT_URI, TEST_APPS, TestApp } from './helpers/test-app';
import { appPerTest, insertInstagramAccounts, LONG_LIVED_TOKEN_MS } from './helpers/worker';

/**
 * The token lifecycle worker against PostgreSQL and the emulator. Each test gets its own app (and
 * database) because the worker sweeps every due account and the tests move one shared clock far.
 */
const HOUR = 3600_000;
const DAY = 24 * HOUR;

let app: TestApp;
const start = appPerTest((started) => (app = started));
const sweep = () => app.services.worker.runOnce();
const row = (id: string) =>
  app.sqlRow(
    `select a.connection_status, a.status_reason, a.failure_count, a.next_check_at, a.token_expires_at, a.needs_reconnect_by,
            a.followers_count, a.lease_owner, g.token_encrypted as grant_token, g.token_expires_at as grant_expires_at
       from social_account a left join meta_grant g on g.id = a.grant_id where a.id = ?`,
    [id],
  );
const refreshCalls = () => app.emulator.control.calls.filter((c) => c.path.includes('refresh_access_token'));
const events = async (id: string) =>
  app.sql<{ status: string; reason: string }>('select status, reason from connection_event where account_id = ? order by changed_at', [id]);

describe('Instagram token refresh', () => {
  it('refreshes inside the refresh window, not before, and stores the new expiry', async () => {
    await start();
    const ig = instagramUser(app);
    const [account] = await connect(app, 'member-refresh', 'INSTAGRAM', ig.userId);
    const before = await row(account.id);

    app.clock.advance(49 * DAY); // due for its daily sync, 11 days before expiry: outside the 10-day window
    await sweep();
    expect(refreshCalls()).toHaveLength(0);
    expect((await row(account.id)).connection_status).toBe('CONNECTED');

    app.clock.advance(2 * DAY);
    const report = await sweep();
    expect(report.refreshed).toBe(1);
    expect(refreshCalls()).toHaveLength(1);
    const after = await row(account.id);
    expect(after.grant_token).not.toBe(before.grant_token);
    expect(new Date(after.token_expires_at).getTime()).toBe(app.clock.nowMs() + LONG_LIVED_TOKEN_MS);
    expect(app.emulator.control.tokensOf(ig.userId)).toHaveLength(3); // short, long, refreshed
    // The stored token is the new one: a sync works with it.
    expect((await app.gql(SyncSocialAccountDocument, { id: account.id }, { memberId: 'member-refresh' })).data?.syncSocialAccount.connectionStatus).toBe(
      'CONNECTED',
    );
  });

  it('never refreshes a token younger than 24 hours, even inside a wide window', async () => {
    await start({ TOKEN_REFRESH_WINDOW_DAYS: '59' });
    const ig = instagramUser(app);
    const [account] = await connect(app, 'member-young', 'INSTAGRAM', ig.userId);
    app.clock.advance(2 * HOUR);
    await app.sql('update social_account set next_check_at = ? where id = ?', [app.clock.now(), account.id]);
    await sweep();
    expect(refreshCalls()).toHaveLength(0);
    expect(new Date((await row(account.id)).next_check_at).getTime()).toBeGreaterThanOrEqual(app.clock.nowMs() + 21 * HOUR);
    app.clock.advance(23 * HOUR);
    expect((await sweep()).refreshed).toBe(1);
  });

  it('keeps the old token when a refresh fails and retries about a day later', async () => {
    await start();
    const ig = instagramUser(app);
    const [account] = await connect(app, 'member-retry', 'INSTAGRAM', ig.userId);
    app.clock.advance(51 * DAY);
    const before = await row(account.id);
    app.emulator.control.failNext({ host: 'instagram', pathIncludes: 'refresh_access_token', count: 10, kind: 'server_error' });
    const failed = await sweep();
    expect(failed.refreshFailed).toBe(1);
    const after = await row(account.id);
    expect(after.grant_token).toBe(before.grant_token);
    expect(after.connection_status).toBe('CONNECTED');
    const retryIn = new Date(after.next_check_at).getTime() - app.clock.nowMs();
    expect(retryIn).toBeGreaterThan(20 * HOUR);
    expect(retryIn).toBeLessThanOrEqual(26 * HOUR);

    app.emulator.control.failNext({ host: 'instagram', pathIncludes: 'refresh_access_token', count: 0, kind: 'server_error' });
    app.clock.advance(retryIn);
    expect((await sweep()).refreshed).toBe(1);
    expect((await row(account.id)).grant_token).not.toBe(before.grant_token);
  });

  it('marks an account EXPIRED with a reason and an event once its token is past expiry', async () => {
    await start();
    const ig = instagramUser(app);
    const [account] = await connect(app, 'member-lapsed', 'INSTAGRAM', ig.userId);
    app.clock.advance(61 * DAY); // the worker was down the whole time
    const report = await sweep();
    expect(report.statusChanges).toBe(1);
    const after = await row(account.id);
    expect(after.connection_status).toBe('EXPIRED');
    expect(after.status_reason).toMatch(/expired on \d{4}-\d{2}-\d{2}; reconnect/);
    expect((await events(account.id)).map((e) => e.status)).toEqual(['CONNECTED', 'EXPIRED']);
    expect(refreshCalls()).toHaveLength(0);
    // EXPIRED accounts are not worked on again.
    app.clock.advance(DAY);
    expect((await sweep()).claimed).toBe(0);
  });
});

describe('Facebook grants', () => {
  it('maps an invalid debug_token to EXPIRED with the cause, for every account of the grant', async () => {
    await start();
    const fb = facebookUser(app, [{ instagram: {} }, { instagram: {} }]);
    const accounts = await connect(app, 'member-fb-dead', 'FACEBOOK', fb.userId);
    app.emulator.control.invalidateUser(fb.userId, 460);
    app.emulator.control.resetCalls();
    app.clock.advance(25 * HOUR);
    await sweep();
    for (const account of accounts) {
      const after = await row(account.id);
      expect(after.connection_status).toBe('EXPIRED');
      expect(after.status_reason).toMatch(/password was changed/);
    }
    expect(app.emulator.control.calls.filter((c) => c.path.endsWith('/debug_token'))).toHaveLength(1);
  });

  it('warns while CONNECTED when data access is about to end, then expires the connection', async () => {
    await start();
    const fb = facebookUser(app, [{ instagram: {} }]);
    const [account] = await connect(app, 'member-fb-warn', 'FACEBOOK', fb.userId);
    app.emulator.control.makeTokensPermanent(fb.userId); // only data access (90 days) limits it now
    app.clock.advance(84 * DAY);
    await sweep();
    const warned = await row(account.id);
    expect(warned.connection_status).toBe('CONNECTED');
    expect(warned.status_reason).toMatch(/ends on \d{4}-\d{2}-\d{2}; reconnect before then/);
    const dataAccessEnd = new Date(warned.needs_reconnect_by).getTime();
    expect(dataAccessEnd).toBeGreaterThan(app.clock.nowMs());
    expect(dataAccessEnd - app.clock.nowMs()).toBeLessThan(7 * DAY);
    expect(await events(account.id)).toHaveLength(1); // a warning is not a status change

    app.clock.set(dataAccessEnd + HOUR);
    await sweep();
    const expired = await row(account.id);
    expect(expired.connection_status).toBe('EXPIRED');
    expect(expired.status_reason).toMatch(/data access .* ended/);
  });

  it('syncs Facebook-flow profiles through Graph batches, retrying entries Meta did not process', async () => {
    await start();
    const fb = facebookUser(
      app,
      Array.from({ length: 3 }, () => ({ instagram: { followersCount: 10 } })),
    );
    const accounts = await connect(app, 'member-fb-batch', 'FACEBOOK', fb.userId);
    for (const igId of fb.igIds) app.emulator.control.updateProfile(igId, { followersCount: 777 });
    app.emulator.control.resetCalls();
    app.emulator.control.dropBatchEntries(1);
    app.clock.advance(25 * HOUR);
    expect((await sweep()).synced).toBe(3);
    for (const account of accounts) expect((await row(account.id)).followers_count).toBe(777);
    const graphCalls = app.emulator.control.calls.filter((c) => c.host === 'facebook-graph' && !c.batch);
    expect(graphCalls.filter((c) => c.path.endsWith(fb.igIds[0]))).toHaveLength(0); // never one call per account
    expect(graphCalls.filter((c) => c.method === 'POST')).toHaveLength(2); // the batch, then the dropped entry again
  });
});

describe('damping', () => {
  it('rides out a storm of server errors without a status change, backing off, and recovers', async () => {
    await start();
    const ig = instagramUser(app);
    const fb = facebookUser(app, [{ instagram: {} }]);
    const [igAccount] = await connect(app, 'member-storm', 'INSTAGRAM', ig.userId);
    const [fbAccount] = await connect(app, 'member-storm', 'FACEBOOK', fb.userId);
    app.emulator.control.failNext({ host: 'any', count: 100_000, kind: 'server_error' });
    app.clock.advance(25 * HOUR);
    const gaps: number[] = [];
    for (let round = 0; round < 4; round++) {
      await sweep();
      const after = await row(igAccount.id);
      expect(after.connection_status).toBe('CONNECTED');
      expect(after.failure_count).toBe(round + 1);
      gaps.push(new Date(after.next_check_at).getTime() - app.clock.nowMs());
      app.clock.set(new Date(after.next_check_at).getTime());
    }
    expect(gaps[3]).toBeGreaterThan(gaps[0] * 4);
    expect((await row(fbAccount.id)).connection_status).toBe('CONNECTED');

    app.emulator.control.failNext({ host: 'any', count: 0, kind: 'server_error' });
    app.clock.advance(DAY);
    await sweep();
    for (const id of [igAccount.id, fbAccount.id]) expect(await row(id)).toMatchObject({ connection_status: 'CONNECTED', failure_count: 0 });
  });

  it('turns an account that keeps failing for FAILURE_DAYS_BEFORE_ERROR into ERROR with the last reason', async () => {
    await start({ FAILURE_DAYS_BEFORE_ERROR: '1', FAILURE_BACKOFF_CEILING_HOURS: '6' });
    const ig = instagramUser(app);
    const [account] = await connect(app, 'member-failing', 'INSTAGRAM', ig.userId);
    app.emulator.control.failNext({ host: 'instagram', pathIncludes: '/me', count: 100_000, kind: 'transient' });
    app.clock.advance(25 * HOUR);
    for (let i = 0; i < 12 && (await row(account.id)).connection_status === 'CONNECTED'; i++) {
      await sweep();
      app.clock.set(new Date((await row(account.id)).next_check_at).getTime());
    }
    const after = await row(account.id);
    expect(after.connection_status).toBe('ERROR');
    expect(after.status_reason).toMatch(/failing for this account since \d{4}-\d{2}-\d{2}\. Last error: .*transient/);
    app.emulator.control.failNext({ host: 'instagram', pathIncludes: '/me', count: 0, kind: 'transient' });
    await sweep();
    expect((await row(account.id)).connection_status).toBe('CONNECTED');
  });

  it('pauses calls at 95 % usage: GraphQL answers RATE_LIMITED with a retry time and Meta is not called', async () => {
    await start();
    const fb = facebookUser(app, [{ instagram: {} }]);
    const [account] = await connect(app, 'member-usage', 'FACEBOOK', fb.userId);
    app.emulator.control.setUsage({ app: { call_count: 95, total_time: 40, total_cputime: 30 } });
    await app.gql(SyncSocialAccountDocument, { id: account.id }, { memberId: 'member-usage' }); // this call sees the header
    app.emulator.control.resetCalls();
    const error = onlyError(await app.gql(SyncSocialAccountDocument, { id: account.id }, { memberId: 'member-usage' }));
    expect(error.extensions.code).toBe('RATE_LIMITED');
    expect(error.extensions.retryAfterSeconds).toBeGreaterThan(0);
    await app.sql('update social_account set next_check_at = ? where id = ?', [app.clock.now(), account.id]);
    const report = await sweep();
    expect(report.deferred).toBe(1);
    expect(app.emulator.control.calls.filter((c) => c.host === 'facebook-graph')).toHaveLength(0);
    expect((await row(account.id)).connection_status).toBe('CONNECTED');
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toMatch(/meta_rate_limit_pauses_total\{scope="app"\} [1-9]/);
  });
});

describe('workers sharing one database', () => {
  /** Accounts whose long-lived Instagram tokens are 55 days old: all due for a refresh now. */
  async function seedDueAccounts(count: number): Promise<Array<{ id: string; userId: string }>> {
    const now = app.clock.nowMs();
    const seeded: Array<{ id: string; userId: string; grantId: string; token: string }> = [];
    for (let i = 0; i < count; i++) {
      const { userId } = instagramUser(app);
      const { code } = app.emulator.control.authorize({ provider: 'instagram', userId, redirectUri: REDIRECT_URI });
      const form = instagramCodeExchangeForm(code);
      const short = (
        (await (await fetch(`${app.emulator.urls.instagramApi}/oauth/access_token`, { method: 'POST', body: form })).json()) as {
          data: Array<{ access_token: string }>;
        }
      ).data[0].access_token;
      const long = (await (
        await fetch(
          `${app.emulator.urls.instagramGraph}/access_token?grant_type=ig_exchange_token&client_secret=${TEST_APPS.instagram.secret}&access_token=${short}`,
        )
      ).json()) as { access_token: string };
      seeded.push({ id: crypto.randomUUID(), userId, grantId: crypto.randomUUID(), token: long.access_token });
    }
    app.clock.advance(55 * DAY);
    await insertInstagramAccounts(app, { memberId: 'member-bulk', usernamePrefix: 'bulk_', issuedAt: new Date(now), now: app.clock.now(), accounts: seeded });
    return seeded;
  }

  it('two workers refresh each of 1,000 due accounts exactly once', async () => {
    await start({ WORKER_BATCH_SIZE: '25' });
    const other = await TestApp.start({ share: app, env: { WORKER_BATCH_SIZE: '25' } });
    try {
      const seeded = await seedDueAccounts(1000);
      app.emulator.control.resetCalls();
      const [a, b] = await Promise.all([app.services.worker.runOnce(), other.services.worker.runOnce()]);
      expect(a.refreshed + b.refreshed).toBe(1000);
      expect(a.refreshed).toBeGreaterThan(0);
      expect(b.refreshed).toBeGreaterThan(0);
      expect(refreshCalls()).toHaveLength(1000);
      expect(seeded.every((s) => app.emulator.control.tokensOf(s.userId).length === 3)).toBe(true);
      const [{ n }] = await app.sql('select count(*)::int as n from social_account where lease_owner is not null');
      expect(n).toBe(0);
    } finally {
      await other.close();
    }
  }, 120_000); // a correctness test over 1,000 rows: generous on a loaded 2-core machine, never a speed target

  it("retakes a crashed worker's claims once their lease runs out, losing nothing", async () => {
    await start({ WORKER_LEASE_SECONDS: '120' });
    const seeded = await seedDueAccounts(30);
    // A worker claims 10 accounts and dies before handling them.
    const claimed = await new DueAccountRepository(app.handles.orm.em.fork() as never).claim(
      'crashed-worker',
      app.clock.now(),
      new Date(app.clock.nowMs() + 120_000),
      10,
    );
    expect(claimed).toHaveLength(10);
    expect((await sweep()).refreshed).toBe(20);
    app.clock.advance(121_000);
    expect((await sweep()).refreshed).toBe(10);
    expect(seeded.every((s) => app.emulator.control.tokensOf(s.userId).length === 3)).toBe(true);
  });
});

describe('running the worker', () => {
  it('runs in the API process unless DISABLE_WORKER is set, and reports on /metrics', async () => {
    await start({ DISABLE_WORKER: 'false', WORKER_POLL_INTERVAL_MS: '20' });
    const ig = instagramUser(app, { followersCount: 100 });
    const [account] = await connect(app, 'member-inproc', 'INSTAGRAM', ig.userId);
    app.emulator.control.updateProfile(ig.userId, { followersCount: 5_000 });
    app.clock.advance(25 * HOUR);
    await waitFor(async () => (await row(account.id)).followers_count === 5_000, 'the in-process worker to sync');
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toMatch(/token_refreshes_total\{kind="profile_sync",outcome="ok"\} [1-9]/);
    expect(metrics).toMatch(/social_accounts\{status="CONNECTED"\} 1/);
    expect(metrics).toMatch(/meta_calls_total\{host="instagramGraph",outcome="ok"\} [1-9]/);
  });

  it('runs alone as `npm run worker` does: operational routes only, and never against a private sandbox', async () => {
    await start();
    const config = { ...app.handles.config, worker: { ...app.handles.config.worker, pollIntervalMs: 20 } };
    const worker = await bootstrap(config, { role: 'worker', port: 0, clock: app.clock, logger: createLogger('silent') });
    try {
      expect((await fetch(`${worker.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${worker.url}/graphql`, { method: 'POST' })).status).toBe(404);
      const ig = instagramUser(app, { followersCount: 100 });
      const [account] = await connect(app, 'member-alone', 'INSTAGRAM', ig.userId);
      app.emulator.control.updateProfile(ig.userId, { followersCount: 6_000 });
      app.clock.advance(25 * HOUR);
      await waitFor(async () => (await row(account.id)).followers_count === 6_000, 'the separate worker to sync');
    } finally {
      await worker.close();
    }
    // A DATA_DIR where no `npm start` runs (a developer's own may be running in .data).
    const sandbox = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: app.databaseUrl,
      WORKER_POLL_INTERVAL_MS: '20',
      DATA_DIR: path.join(tmpdir(), 'igc-no-sandbox'),
    });
    await expect(bootstrap(sandbox, { role: 'worker', port: 0, logger: createLogger('silent') })).rejects.toThrow(/needs Meta credentials/);
  });
});

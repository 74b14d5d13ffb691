import { SyncSocialAccountDocument } from '../client/generated/graphql';
import { connect, facebookUser, instagramUser } from './helpers/flows';
import { onlyError, type TestApp } from './helpers/test-app';
import { appPerTest } from './helpers/worker';

/**
 * What Meta says about grants, and what the worker and a member's sync make of it: our own app
 * token refused (issue 13 item 4), a Page the grant no longer reaches (item 5), one expiry rule
 * for Facebook accounts (item 6), and user-fixable expiries re-checked (item 9). Each test has its
 * own app and database: the worker sweeps every due account and the tests move the clock far.
 */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

let app: TestApp;
const start = appPerTest((started) => (app = started));
const sweep = () => app.services.worker.runOnce();
const row = (id: string) =>
  app.sqlRow(
    `select connection_status, status_reason, failure_count, version, next_check_at, last_synced_at, needs_reconnect_by, recheck_until
       from social_account where id = ?`,
    [id],
  );
const events = async (id: string) =>
  app.sql<{ status: string; reason: string | null; changed_at: Date }>(
    'select status, reason, changed_at from connection_event where account_id = ? order by changed_at, id',
    [id],
  );
const debugTokenCalls = () => app.emulator.control.calls.filter((c) => c.path.endsWith('/debug_token')).length;
const metrics = async () => (await fetch(`${app.url}/metrics`)).text();

describe('our app token refused on debug_token (item 4)', () => {
  it('counts the refusals of one sweep as one probe: the next is a minute away, logged once, however many grants were checked', async () => {
    await start();
    const accounts = [];
    for (const member of ['member-app-token-1', 'member-app-token-2', 'member-app-token-3']) {
      const fb = facebookUser(app, [{ instagram: {} }]);
      accounts.push(...(await connect(app, member, 'FACEBOOK', fb.userId)));
    }
    app.emulator.control.rotateAppSecret('facebook');
    app.clock.advance(25 * HOUR);
    await sweep();
    expect(debugTokenCalls()).toBeGreaterThanOrEqual(3); // each grant asked Meta, and each was refused
    for (const account of accounts) {
      expect(new Date((await row(account.id)).next_check_at).getTime()).toBeLessThanOrEqual(app.clock.nowMs() + MINUTE);
    }
    expect(app.logs.filter((line) => JSON.parse(line).level >= 50 && line.includes('refused our app token'))).toHaveLength(1);
  });

  it('changes no account, logs an error, shows meta_app_credentials_ok 0, and keeps checking until Meta accepts it again', async () => {
    await start();
    const fb = facebookUser(app, [{ instagram: {} }, { instagram: {} }]);
    const accounts = await connect(app, 'member-app-token', 'FACEBOOK', fb.userId);
    const before = await Promise.all(accounts.map((a) => row(a.id)));

    app.emulator.control.rotateAppSecret('facebook');
    app.clock.advance(25 * HOUR);
    await sweep();
    for (const [i, account] of accounts.entries()) {
      const after = await row(account.id);
      // Status, reason, failure count and version untouched: only the next check time moved.
      expect(after).toMatchObject({ connection_status: 'CONNECTED', status_reason: before[i].status_reason, failure_count: 0, version: before[i].version });
      expect(new Date(after.next_check_at).getTime()).toBeGreaterThan(app.clock.nowMs());
      expect(new Date(after.next_check_at).getTime()).toBeLessThanOrEqual(app.clock.nowMs() + 15 * MINUTE);
      expect(await events(account.id)).toHaveLength(1);
    }
    expect(await metrics()).toMatch(/meta_app_credentials_ok\{app="facebook"\} 0/);
    const errorLines = app.logs.filter((line) => JSON.parse(line).level >= 50 && line.includes('refused our app token'));
    expect(errorLines.length).toBeGreaterThan(0);

    // It keeps probing (after a minute, then less often), still without touching the accounts.
    const probes = debugTokenCalls();
    for (let i = 0; i < 3; i++) {
      app.clock.set(new Date((await row(accounts[0].id)).next_check_at).getTime());
      await sweep();
    }
    expect(debugTokenCalls()).toBe(probes + 3);
    for (const account of accounts) expect((await row(account.id)).connection_status).toBe('CONNECTED');

    // The operator deploys the right secret: the next probe works, the grant is checked and synced.
    app.emulator.control.restoreAppSecret('facebook');
    app.clock.set(new Date((await row(accounts[0].id)).next_check_at).getTime());
    const report = await sweep();
    expect(report.grantChecks).toBe(1);
    expect(report.synced).toBe(2);
    expect(await metrics()).toMatch(/meta_app_credentials_ok\{app="facebook"\} 1/);
    for (const account of accounts) {
      expect((await row(account.id)).connection_status).toBe('CONNECTED');
      expect(await events(account.id)).toHaveLength(1);
    }
  });
});

describe('a Page the grant no longer reaches (item 5)', () => {
  it('is ERROR naming the Page: at a reconnect that leaves it out, at a sync, and in the worker, at once', async () => {
    await start();
    const names = ['Alpha Studio', 'Beta Studio', 'Gamma Studio', 'Delta Studio'];
    const fb = facebookUser(
      app,
      names.map((name) => ({ name, instagram: {} })),
    );
    const accounts = await connect(app, 'member-pages', 'FACEBOOK', fb.userId);
    const byPage = Object.fromEntries(names.map((name, i) => [name, accounts.find((a) => a.platformUserId === fb.igIds[i])!]));
    // Another member linked the same Facebook user: what this member does must not touch theirs.
    const [otherBeta] = (await connect(app, 'member-agency', 'FACEBOOK', fb.userId)).filter((a) => a.platformUserId === fb.igIds[1]);

    // 1. Reconnect leaving Beta out: Beta becomes ERROR at once, with how to fix it.
    const pageIds = fb.pageIds.filter((_, i) => i !== 1);
    app.clock.advance(MINUTE); // events of one moment have no order
    await connect(app, 'member-pages', 'FACEBOOK', fb.userId, { pageIds });
    const beta = await row(byPage['Beta Studio'].id);
    expect(beta.connection_status).toBe('ERROR');
    expect(beta.status_reason).toMatch(/"Beta Studio".*no longer shared.*select "Beta Studio"/);
    expect((await events(byPage['Beta Studio'].id)).map((e) => e.status)).toEqual(['CONNECTED', 'ERROR']);
    expect((await row(byPage['Alpha Studio'].id)).connection_status).toBe('CONNECTED');
    expect((await row(otherBeta.id)).connection_status).toBe('CONNECTED');

    // 2. The app's access to Gamma is removed on Facebook: a sync says so, naming the Page.
    app.emulator.control.removePageAccess({ userId: fb.userId, pageId: fb.pageIds[2] });
    const error = onlyError(await app.gql(SyncSocialAccountDocument, { id: byPage['Gamma Studio'].id }, { memberId: 'member-pages' }));
    expect(error.extensions.code).toBe('PERMISSION_MISSING');
    expect(error.message).toMatch(/"Gamma Studio"/);
    const gamma = await row(byPage['Gamma Studio'].id);
    expect(gamma.connection_status).toBe('ERROR');
    expect(gamma.status_reason).toBe(error.message);

    // 3. Delta's access removed too: the worker's grant check sees it in target_ids, no backoff.
    app.emulator.control.removePageAccess({ userId: fb.userId, pageId: fb.pageIds[3] });
    app.clock.advance(25 * HOUR);
    await sweep();
    const delta = await row(byPage['Delta Studio'].id);
    expect(delta.connection_status).toBe('ERROR');
    expect(delta.status_reason).toMatch(/"Delta Studio".*select "Delta Studio"/);
    expect(delta.failure_count).toBe(0);
    expect((await row(byPage['Alpha Studio'].id)).connection_status).toBe('CONNECTED');
  });
});

describe('one expiry rule for Facebook accounts (item 6)', () => {
  it('120 days of daily sweeps and member syncs: one EXPIRED when data access ends, no flips', async () => {
    await start();
    const fb = facebookUser(app, [{ instagram: {} }]);
    const [account] = await connect(app, 'member-120', 'FACEBOOK', fb.userId);
    const connectedAt = app.clock.nowMs();
    const statuses: string[] = [];
    for (let dayNumber = 1; dayNumber <= 120; dayNumber++) {
      app.clock.advance(DAY);
      await sweep();
      statuses.push((await row(account.id)).connection_status);
      const synced = await app.gql(SyncSocialAccountDocument, { id: account.id }, { memberId: 'member-120' });
      statuses.push(synced.data?.syncSocialAccount.connectionStatus ?? String(synced.errors?.[0]?.extensions?.code));
    }
    const history = await events(account.id);
    expect(history.map((e) => e.status)).toEqual(['CONNECTED', 'EXPIRED']);
    expect(history[1].reason).toMatch(/data access .* ended/);
    // The user token's 60 days do not end a Page token; Meta's 90 days of data access do.
    const expiredAfterDays = (new Date(history[1].changed_at).getTime() - connectedAt) / DAY;
    expect(expiredAfterDays).toBeGreaterThanOrEqual(90);
    expect(expiredAfterDays).toBeLessThan(92);
    const firstExpired = statuses.indexOf('EXPIRED');
    expect(statuses.slice(firstExpired).every((s) => s === 'EXPIRED')).toBe(true);
  }, 180_000); // 240 sweeps and syncs: slow on a loaded machine, not a timing assertion
});

describe('user-fixable expiries (item 9)', () => {
  it('re-checks a checkpoint expiry and returns it to CONNECTED with an event once the user cleared it', async () => {
    await start();
    const ig = instagramUser(app);
    const [account] = await connect(app, 'member-checkpoint', 'INSTAGRAM', ig.userId);
    app.emulator.control.invalidateUser(ig.userId, 459);
    app.clock.advance(25 * HOUR);
    await sweep();
    expect((await row(account.id)).connection_status).toBe('EXPIRED');

    // Still in the checkpoint: re-checked after an hour, then later, still EXPIRED.
    app.clock.set(new Date((await row(account.id)).next_check_at).getTime());
    expect((await sweep()).claimed).toBe(1);
    const waiting = await row(account.id);
    expect(waiting.connection_status).toBe('EXPIRED');
    expect(new Date(waiting.next_check_at).getTime() - app.clock.nowMs()).toBe(2 * HOUR);

    app.emulator.control.clearCheckpoint(ig.userId);
    app.clock.set(new Date(waiting.next_check_at).getTime());
    await sweep();
    const back = await row(account.id);
    expect(back).toMatchObject({ connection_status: 'CONNECTED', status_reason: null, recheck_until: null });
    expect((await events(account.id)).map((e) => e.status)).toEqual(['CONNECTED', 'EXPIRED', 'CONNECTED']);
  });

  it('stops re-checking an unconfirmed user after the bounded window, backing off to daily', async () => {
    await start();
    const fb = facebookUser(app, [{ instagram: {} }]);
    const [account] = await connect(app, 'member-unconfirmed', 'FACEBOOK', fb.userId);
    app.emulator.control.invalidateUser(fb.userId, 464);
    app.clock.advance(25 * HOUR);
    await sweep();
    const expired = await row(account.id);
    expect(expired.connection_status).toBe('EXPIRED');
    expect(expired.status_reason).toMatch(/not confirmed/);
    const expiredAt = app.clock.nowMs();

    const gaps: number[] = [];
    for (let i = 0; i < 40; i++) {
      const current = await row(account.id);
      if (!current.next_check_at) break;
      const at = new Date(current.next_check_at).getTime();
      gaps.push(at - app.clock.nowMs());
      app.clock.set(at);
      await sweep();
    }
    const final = await row(account.id);
    expect(final).toMatchObject({ connection_status: 'EXPIRED', next_check_at: null, recheck_until: null });
    expect(gaps[0]).toBe(HOUR);
    expect(Math.max(...gaps)).toBe(DAY);
    expect(app.clock.nowMs() - expiredAt).toBeLessThanOrEqual(14 * DAY);
    expect(gaps.length).toBeLessThan(25);
    expect((await events(account.id)).map((e) => e.status)).toEqual(['CONNECTED', 'EXPIRED']);
    app.clock.advance(30 * DAY);
    expect((await sweep()).claimed).toBe(0);
  });
});

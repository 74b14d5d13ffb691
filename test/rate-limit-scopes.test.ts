import { SyncSocialAccountDocument } from '../client/generated/graphql';
import { connect, facebookUser, instagramUser } from './helpers/flows';
import { waitFor } from './helpers/subscriptions';
import { appForThisFile, onlyError, TestApp } from './helpers/test-app';

/**
 * Meta's rate limits pause exactly the scope Meta names (issue 13, item 2), through GraphQL and
 * the worker, against PostgreSQL and the emulator. Each test uses its own Meta users and accounts;
 * afterEach lifts the emulator's limits and moves the shared clock past every pause.
 */
const app = appForThisFile();

afterEach(() => {
  app.emulator.control.reset();
  app.clock.advance(2 * 3600_000);
});

const sync = (target: TestApp, memberId: string, id: string) => target.gql(SyncSocialAccountDocument, { id }, { memberId });
const graphCalls = (host: 'instagram-graph' | 'facebook-graph') => app.emulator.control.calls.filter((c) => c.host === host).length;
const pauses = () =>
  app.sql<{ scope: string; kind: string; reason: string }>('select scope, kind, reason from meta_rate_limit_pause where paused_until > ? order by scope', [
    app.clock.now(),
  ]);
const metricCount = async (kind: string) => {
  const text = await (await fetch(`${app.url}/metrics`)).text();
  return Number(new RegExp(`meta_rate_limit_pauses_total\\{scope="${kind}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
};

describe('an object limit pauses that object only', () => {
  it('#80002 on Instagram account A pauses A; another member syncs account B and a third connects', async () => {
    const a = instagramUser(app);
    const b = instagramUser(app);
    const [accountA] = await connect(app, 'member-rl-a', 'INSTAGRAM', a.userId);
    const [accountB] = await connect(app, 'member-rl-b', 'INSTAGRAM', b.userId);
    app.emulator.control.limitRate({ host: 'instagram', code: 80002, scopeId: a.userId, minutes: 5 });

    const limited = onlyError(await sync(app, 'member-rl-a', accountA.id));
    expect(limited.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 300 });
    expect((await sync(app, 'member-rl-b', accountB.id)).data?.syncSocialAccount.connectionStatus).toBe('CONNECTED');
    const c = instagramUser(app);
    expect(await connect(app, 'member-rl-c', 'INSTAGRAM', c.userId)).toHaveLength(1);

    // A itself fails fast, without asking Meta again.
    app.emulator.control.resetCalls();
    expect(onlyError(await sync(app, 'member-rl-a', accountA.id)).extensions.code).toBe('RATE_LIMITED');
    expect(graphCalls('instagram-graph')).toBe(0);
    expect((await pauses()).map((p) => p.kind)).not.toContain('app');
    expect(await pauses()).toContainEqual(expect.objectContaining({ scope: `instagram_account:${a.userId}`, reason: 'code 80002' }));
  });

  it("#17 pauses that Meta user's grant: another member's Facebook account still syncs", async () => {
    const limitedUser = facebookUser(app, [{ instagram: {} }]);
    const other = facebookUser(app, [{ instagram: {} }]);
    const [otherAccount] = await connect(app, 'member-17-other', 'FACEBOOK', other.userId);
    app.emulator.control.limitRate({ host: 'facebook', code: 17, scopeId: limitedUser.userId, minutes: 1 });
    const before = await metricCount('user');

    await expect(connect(app, 'member-17', 'FACEBOOK', limitedUser.userId)).rejects.toThrow(/RATE_LIMITED/);
    expect((await sync(app, 'member-17-other', otherAccount.id)).data?.syncSocialAccount.connectionStatus).toBe('CONNECTED');
    expect(await metricCount('user')).toBe(before + 1);
    expect((await pauses()).map((p) => p.kind)).toEqual(['user']);
  });

  it("#32 pauses that Page: the same member's account on another Page still syncs", async () => {
    const fb = facebookUser(app, [{ instagram: {} }, { instagram: {} }]);
    const accounts = await connect(app, 'member-32', 'FACEBOOK', fb.userId);
    const onPage = (igId: string) => accounts.find((x) => x.platformUserId === igId)!;
    app.emulator.control.limitRate({ host: 'facebook', code: 32, scopeId: fb.pageIds[0], minutes: 1 });

    expect(onlyError(await sync(app, 'member-32', onPage(fb.igIds[0]).id)).extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 60 });
    expect((await sync(app, 'member-32', onPage(fb.igIds[1]).id)).data?.syncSocialAccount.connectionStatus).toBe('CONNECTED');
    const kinds = (await pauses()).map((p) => p.scope);
    expect(kinds).toContain(`page:${fb.pageIds[0]}`);
    expect(kinds.every((scope) => scope.startsWith('page:'))).toBe(true);
  });

  it('#613 pauses the object called, nothing else', async () => {
    const fb = facebookUser(app, [{ instagram: {} }, { instagram: {} }]);
    const accounts = await connect(app, 'member-613', 'FACEBOOK', fb.userId);
    const [limited, free] = fb.igIds.map((igId) => accounts.find((x) => x.platformUserId === igId)!);
    app.emulator.control.limitRate({ host: 'facebook', code: 613, scopeId: fb.igIds[0], minutes: 1 });

    expect(onlyError(await sync(app, 'member-613', limited.id)).extensions.code).toBe('RATE_LIMITED');
    expect((await sync(app, 'member-613', free.id)).data?.syncSocialAccount.connectionStatus).toBe('CONNECTED');
    expect((await pauses()).map((p) => p.scope)).toEqual([`object:${fb.igIds[0]}`]);
    expect(await metricCount('object')).toBeGreaterThan(0);
  });
});

describe('the app limit', () => {
  it('code 4 with a high X-App-Usage pauses the Facebook app, not the Instagram app', async () => {
    const fb1 = facebookUser(app, [{ instagram: {} }]);
    const fb2 = facebookUser(app, [{ instagram: {} }]);
    const ig = instagramUser(app);
    const [first] = await connect(app, 'member-app-1', 'FACEBOOK', fb1.userId);
    const [second] = await connect(app, 'member-app-2', 'FACEBOOK', fb2.userId);
    const [viaInstagram] = await connect(app, 'member-app-3', 'INSTAGRAM', ig.userId);
    app.emulator.control.limitRate({ host: 'facebook', code: 4, minutes: 1 });

    expect(onlyError(await sync(app, 'member-app-1', first.id)).extensions.code).toBe('RATE_LIMITED');
    app.emulator.control.resetCalls();
    expect(onlyError(await sync(app, 'member-app-2', second.id)).extensions.code).toBe('RATE_LIMITED');
    expect(graphCalls('facebook-graph')).toBe(0);
    expect((await sync(app, 'member-app-3', viaInstagram.id)).data?.syncSocialAccount.connectionStatus).toBe('CONNECTED');
    expect((await pauses()).map((p) => p.scope)).toEqual(['app:facebook']);
    expect(await metricCount('app')).toBeGreaterThan(0);
  });
});

describe('how long a pause lasts', () => {
  it('takes retryAfterSeconds from estimated_time_to_regain_access, which Meta gives in minutes', async () => {
    const ig = instagramUser(app);
    const [account] = await connect(app, 'member-regain', 'INSTAGRAM', ig.userId);
    app.emulator.control.limitRate({ host: 'instagram', code: 80002, scopeId: ig.userId, minutes: 7 });
    expect(onlyError(await sync(app, 'member-regain', account.id)).extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 420 });
  });

  it('treats HTTP 429 with Retry-After as a rate limit: one call to Meta, not retried, and the wait honoured', async () => {
    const ig = instagramUser(app);
    const [account] = await connect(app, 'member-429', 'INSTAGRAM', ig.userId);
    app.emulator.control.resetCalls();
    app.emulator.control.throttle({ host: 'instagram', pathIncludes: '/me', count: 10, retryAfterSeconds: 90 });

    expect(onlyError(await sync(app, 'member-429', account.id)).extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 90 });
    expect(graphCalls('instagram-graph')).toBe(1);
    expect(onlyError(await sync(app, 'member-429', account.id)).extensions.code).toBe('RATE_LIMITED');
    expect(graphCalls('instagram-graph')).toBe(1);
  });

  it('ends a pause when the (manual) clock passes it', async () => {
    const ig = instagramUser(app);
    const [account] = await connect(app, 'member-expiry', 'INSTAGRAM', ig.userId);
    app.emulator.control.limitRate({ host: 'instagram', code: 80002, scopeId: ig.userId, minutes: 2 });
    expect(onlyError(await sync(app, 'member-expiry', account.id)).extensions.retryAfterSeconds).toBe(120);
    app.emulator.control.liftRateLimits();

    app.clock.advance(119_000);
    app.emulator.control.resetCalls();
    expect(onlyError(await sync(app, 'member-expiry', account.id)).extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 1 });
    expect(graphCalls('instagram-graph')).toBe(0);
    app.clock.advance(1_000);
    expect((await sync(app, 'member-expiry', account.id)).data?.syncSocialAccount.connectionStatus).toBe('CONNECTED');
  });
});

describe('batch entries', () => {
  it("a rate limit inside one entry of the worker's Graph batch pauses that Instagram account only", async () => {
    const fb = facebookUser(app, [{ instagram: {} }, { instagram: {} }]);
    const accounts = await connect(app, 'member-batch', 'FACEBOOK', fb.userId);
    const [limited, free] = fb.igIds.map((igId) => accounts.find((x) => x.platformUserId === igId)!);
    app.clock.advance(25 * 3600_000); // both due for their daily sync
    app.emulator.control.failNext({ host: 'facebook', pathIncludes: fb.igIds[0], count: 1, kind: 'rate_limit', code: 80002, regainMinutes: 10 });
    app.emulator.control.resetCalls();

    const report = await app.services.worker.runOnce();
    expect(app.emulator.control.calls.filter((c) => c.batch && fb.igIds.some((id) => c.path.includes(id)))).toHaveLength(2);
    expect(report.synced).toBeGreaterThanOrEqual(1);
    const [limitedRow] = await app.sql('select failure_count, next_check_at from social_account where id = ?', [limited.id]);
    const [freeRow] = await app.sql('select failure_count, last_synced_at from social_account where id = ?', [free.id]);
    expect(limitedRow.failure_count).toBe(1);
    expect(new Date(limitedRow.next_check_at).getTime()).toBeGreaterThanOrEqual(app.clock.nowMs() + 600_000);
    expect(freeRow.failure_count).toBe(0);
    expect(await pauses()).toEqual([expect.objectContaining({ scope: `instagram_account:${fb.igIds[0]}`, kind: 'instagram_account' })]);

    // The pause the batch taught holds for the member's own sync too: Meta is not asked.
    app.emulator.control.resetCalls();
    expect(onlyError(await sync(app, 'member-batch', limited.id)).extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect(graphCalls('facebook-graph')).toBe(0);
    expect((await sync(app, 'member-batch', free.id)).data?.syncSocialAccount.connectionStatus).toBe('CONNECTED');
  });
});

describe('two API instances on one database', () => {
  it('a pause instance 1 learns is honoured by instance 2 without calling Meta', async () => {
    const second = await TestApp.start({ share: app });
    try {
      const ig = instagramUser(app);
      const [account] = await connect(app, 'member-shared', 'INSTAGRAM', ig.userId);
      app.emulator.control.limitRate({ host: 'instagram', code: 80002, scopeId: ig.userId, minutes: 5 });
      expect(onlyError(await sync(app, 'member-shared', account.id)).extensions.code).toBe('RATE_LIMITED');

      await waitFor(() => second.services.gate.remainingSeconds(`instagram_account:${ig.userId}`) > 0, 'instance 2 to hear of the pause');
      app.emulator.control.resetCalls();
      const onSecond = onlyError(await sync(second, 'member-shared', account.id));
      expect(onSecond.extensions.code).toBe('RATE_LIMITED');
      expect(onSecond.extensions.retryAfterSeconds).toBeGreaterThan(290);
      expect(graphCalls('instagram-graph')).toBe(0);
    } finally {
      await second.close();
    }
  });

  it('an instance started after the pause loads it from the table', async () => {
    const ig = instagramUser(app);
    const [account] = await connect(app, 'member-late', 'INSTAGRAM', ig.userId);
    app.emulator.control.limitRate({ host: 'instagram', code: 80002, scopeId: ig.userId, minutes: 5 });
    expect(onlyError(await sync(app, 'member-late', account.id)).extensions.code).toBe('RATE_LIMITED');
    const late = await TestApp.start({ share: app });
    try {
      app.emulator.control.resetCalls();
      expect(onlyError(await sync(late, 'member-late', account.id)).extensions.code).toBe('RATE_LIMITED');
      expect(graphCalls('instagram-graph')).toBe(0);
    } finally {
      await late.close();
    }
  });
  it("reads the usage header of each entry: one account's X-Business-Use-Case-Usage at 100 % pauses that account only", async () => {
    const fb = facebookUser(app, [{ instagram: {} }, { instagram: {} }]);
    await connect(app, 'member-batch-usage', 'FACEBOOK', fb.userId);
    app.clock.advance(25 * 3600_000); // both due for their daily sync
    app.emulator.control.setUsage({ business: { [fb.igIds[0]]: { percent: 100, regainMinutes: 10 } } });
    try {
      await app.services.worker.runOnce();
    } finally {
      app.emulator.control.setUsage({});
    }
    const scopes = (await pauses()).map((p) => p.scope);
    expect(scopes.some((scope) => scope.includes(fb.igIds[0]))).toBe(true); // the entry's own header reached the gate
    expect(scopes.some((scope) => scope.includes(fb.igIds[1]))).toBe(false);
  });
});

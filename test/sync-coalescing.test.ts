import { SyncSocialAccountDocument } from '../client/generated/graphql';
import { connect, facebookUser } from './helpers/flows';
import { onlyError, TestApp } from './helpers/test-app';

/**
 * Instances a and b: SYNC_MIN_INTERVAL_SECONDS=0 (every sync may call Meta, so what is measured
 * is coalescing alone) and operation limits wide enough to let a 200-alias mutation through.
 * Instance c: the defaults (30 s interval, default operation limits), on the same database.
 */
const WIDE = { SYNC_MIN_INTERVAL_SECONDS: '0', GRAPHQL_MAX_ALIASES: '250', GRAPHQL_MAX_COST: '100000000', GRAPHQL_MAX_TOKENS: '50000' };

let a: TestApp;
let b: TestApp;
let c: TestApp;
beforeAll(async () => {
  a = await TestApp.start({ env: WIDE });
  b = await TestApp.start({ env: WIDE, share: a });
  c = await TestApp.start({ env: { SYNC_MIN_INTERVAL_SECONDS: '30' }, share: a });
});
afterAll(async () => {
  for (const app of [c, b, a]) await app?.close();
});
afterEach(() => a.emulator.control.setLatency(0));

/** A linked Facebook-flow account whose profile calls Meta can be counted (their path holds its IG id). */
async function linkedAccount(app: TestApp, memberId: string) {
  const user = facebookUser(app, [{ instagram: { followersCount: 2_000 } }]);
  const [account] = await connect(app, memberId, 'FACEBOOK', user.userId, { pageIds: user.pageIds });
  const igId = user.igIds[0];
  app.emulator.control.updateProfile(igId, { followersCount: 7_000 });
  app.emulator.control.resetCalls();
  const profileCalls = () => app.emulator.control.calls.filter((call) => call.path.includes(igId)).length;
  return { account, igId, profileCalls };
}

const syncOver = (app: TestApp, memberId: string, id: string) => app.gql(SyncSocialAccountDocument, { id }, { memberId });

describe('sync coalescing', () => {
  it('answers a 200-alias sync mutation of one account with one Meta round trip', async () => {
    const memberId = 'coalesce-aliases';
    const { account, profileCalls } = await linkedAccount(a, memberId);
    const mutation = `mutation { ${Array.from({ length: 200 }, (_, i) => `s${i}: syncSocialAccount(id: "${account.id}") { id followersCount }`).join(' ')} }`;
    const response = await a.post<Record<string, { followersCount: number }>>({ query: mutation }, { memberId });
    expect(response.errors).toBeUndefined();
    expect(Object.values(response.data!)).toHaveLength(200);
    expect(new Set(Object.values(response.data!).map((r) => r.followersCount))).toEqual(new Set([7_000]));
    expect(profileCalls()).toBe(1);
  });

  it('refuses the same 200-alias mutation under the default limits, before anything calls Meta', async () => {
    const memberId = 'coalesce-aliases-default';
    const { account, profileCalls } = await linkedAccount(c, memberId);
    const mutation = `mutation { ${Array.from({ length: 200 }, (_, i) => `s${i}: syncSocialAccount(id: "${account.id}") { id }`).join(' ')} }`;
    const response = await c.post({ query: mutation }, { memberId });
    expect(response.status).toBe(400);
    expect(response.errors?.some((e) => e.extensions?.code === 'OPERATION_LIMIT_EXCEEDED')).toBe(true);
    expect(profileCalls()).toBe(0);
  });

  it('makes one Meta call for concurrent syncs of one account on one instance (GraphQL and REST alike)', async () => {
    const memberId = 'coalesce-concurrent';
    const { account, profileCalls } = await linkedAccount(a, memberId);
    a.emulator.control.setLatency(300);
    const results = await Promise.all([
      ...Array.from({ length: 4 }, () => syncOver(a, memberId, account.id)),
      fetch(`${a.url}/ai/instagram/accounts/${account.id}/sync`, { method: 'POST', headers: { authorization: `Bearer ${a.tokenFor(memberId)}` } }).then(
        (r) => r.json() as Promise<{ data: { followersCount: number } }>,
      ),
    ]);
    expect(
      results
        .slice(0, 4)
        .map(
          (r) =>
            ('errors' in r ? r.errors : undefined) ?? (r as { data: { syncSocialAccount: { followersCount: number } } }).data.syncSocialAccount.followersCount,
        ),
    ).toEqual([7_000, 7_000, 7_000, 7_000]);
    expect((results[4] as { data: { followersCount: number } }).data.followersCount).toBe(7_000);
    expect(profileCalls()).toBe(1);
  });

  it('makes one Meta call for concurrent syncs of one account on two instances', async () => {
    const memberId = 'coalesce-instances';
    const { account, profileCalls } = await linkedAccount(a, memberId);
    a.clock.advance(1_000); // the sync's lastSyncedAt differs from the connect's
    a.emulator.control.setLatency(400);
    const [first, second] = await Promise.all([syncOver(a, memberId, account.id), syncOver(b, memberId, account.id)]);
    expect(first.errors).toBeUndefined();
    expect(second.errors).toBeUndefined();
    expect(first.data?.syncSocialAccount.followersCount).toBe(7_000);
    expect(second.data?.syncSocialAccount.followersCount).toBe(7_000);
    expect(profileCalls()).toBe(1);
  });

  it('gives concurrent syncs the one Meta failure instead of asking again', async () => {
    const memberId = 'coalesce-failure';
    const { account, igId, profileCalls } = await linkedAccount(a, memberId);
    a.emulator.control.failNext({ host: 'facebook', pathIncludes: igId, count: 5, kind: 'server_error' });
    a.emulator.control.setLatency(200);
    const results = await Promise.all(Array.from({ length: 3 }, () => syncOver(a, memberId, account.id)));
    for (const result of results) expect(onlyError(result).extensions.code).toBe('UPSTREAM_UNAVAILABLE');
    // One sync's bounded retries (META_MAX_ATTEMPTS), not three syncs' worth.
    expect(profileCalls()).toBe(a.services.config.meta.maxAttempts);
    a.emulator.control.failNext({ host: 'facebook', pathIncludes: igId, count: 0, kind: 'server_error' });
  });

  it('answers the stored figures within SYNC_MIN_INTERVAL_SECONDS of the last successful sync, and asks Meta after it', async () => {
    const memberId = 'coalesce-interval';
    const { account, profileCalls } = await linkedAccount(c, memberId);
    const recent = await syncOver(c, memberId, account.id);
    expect(recent.data?.syncSocialAccount.followersCount).toBe(2_000); // linked a moment ago: stored figures
    expect(profileCalls()).toBe(0);
    c.clock.advance(31_000);
    const fresh = await syncOver(c, memberId, account.id);
    expect(fresh.data?.syncSocialAccount.followersCount).toBe(7_000);
    expect(profileCalls()).toBe(1);
    const metrics = await (await fetch(`${c.url}/metrics`)).text();
    expect(metrics).toMatch(/account_syncs_coalesced_total\{reason="recent"\} [1-9]/);
  });
});

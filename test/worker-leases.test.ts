import { connect, facebookUser } from './helpers/flows';
import { TestApp } from './helpers/test-app';
import { insertInstagramAccounts } from './helpers/worker';

/**
 * Issue 13 item 8: a batch that outlives WORKER_LEASE_SECONDS because Meta is slow keeps its
 * claim (the lease is extended while it works), so a second worker never takes the same accounts
 * and no Instagram token is refreshed twice; and a worker that lost a grant's claim leaves its
 * Page-token checks to the winner. Real time matters in the first test (leases against slow
 * answers), so its manual clock is made to follow real time.
 */
const DAY = 24 * 3600_000;
const LEASE_SECONDS = 10;
const ACCOUNTS = 40; // 3 rounds of 16 concurrent refreshes: ~3 × latency per batch
const LATENCY_MS = 4_000;

let app: TestApp;
let other: TestApp | undefined;
let ticker: NodeJS.Timeout | undefined;
afterEach(async () => {
  if (ticker) clearInterval(ticker);
  ticker = undefined;
  app?.emulator.control.setLatency(0);
  await other?.close();
  other = undefined;
  await app?.close();
});

/** Business Login accounts whose long-lived tokens are 55 days old: all due for a refresh now. */
async function seedDueInstagramAccounts(count: number): Promise<string[]> {
  const issued = app.emulator.control.issueInstagramTokens({ count, ageDays: 55 });
  const now = app.clock.now();
  const seeded = issued.map((t) => ({ ...t, id: crypto.randomUUID(), grantId: crypto.randomUUID() }));
  await insertInstagramAccounts(app, { memberId: 'member-slow', usernamePrefix: 'slow_', issuedAt: new Date(now.getTime() - 55 * DAY), now, accounts: seeded });
  return seeded.map((s) => s.id);
}

describe('worker leases under slow Meta', () => {
  it('a batch slower than the lease keeps its claim: a second worker takes nothing, each token is refreshed once, no result is dropped', async () => {
    const env = { WORKER_LEASE_SECONDS: String(LEASE_SECONDS), WORKER_BATCH_SIZE: String(ACCOUNTS), META_TIMEOUT_MS: '30000' };
    app = await TestApp.start({ env });
    other = await TestApp.start({ share: app, env });
    const ids = await seedDueInstagramAccounts(ACCOUNTS);
    app.emulator.control.setLatency(LATENCY_MS);
    // Leases are judged by the app's clock: let it run with real time for this test.
    let last = Date.now();
    ticker = setInterval(() => {
      const now = Date.now();
      app.clock.advance(now - last);
      last = now;
    }, 50);
    const startedAt = app.clock.nowMs();

    let firstDone = false;
    const first = app.services.worker.runOnce(1).finally(() => (firstDone = true));
    // The second worker starts once the first holds the whole batch (a real worker would just be late).
    const claimedByFirst = async () => (await app.sql<{ n: number }>('select count(*)::int as n from social_account where lease_owner is not null'))[0].n;
    while (!firstDone && (await claimedByFirst()) < ACCOUNTS) await new Promise((resolve) => setTimeout(resolve, 20));
    const secondReports = [];
    // The second worker sweeps over and over while the first one's batch is in Meta's slow hands.
    while (!firstDone) {
      secondReports.push(await other.services.worker.runOnce());
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const report = await first;

    // The batch really outlived one lease, and nothing was taken from it.
    expect(app.clock.nowMs() - startedAt).toBeGreaterThan(LEASE_SECONDS * 1000);
    expect(report.claimed).toBe(ACCOUNTS);
    expect(report.refreshed).toBe(ACCOUNTS);
    expect(secondReports.reduce((n, r) => n + r.claimed, 0)).toBe(0);
    expect(app.emulator.control.refreshCounts()).toEqual({ total: ACCOUNTS, accounts: ACCOUNTS, mostForOneAccount: 1 });
    // The first worker's results were written: new expiry, next check in the future, leases given back.
    const rows = await app.sql<{ token_expires_at: Date; next_check_at: Date; lease_owner: string | null }>(
      'select token_expires_at, next_check_at, lease_owner from social_account where id = any(?::uuid[])',
      [`{${ids.join(',')}}`],
    );
    for (const r of rows) {
      expect(new Date(r.token_expires_at).getTime()).toBeGreaterThan(startedAt + 50 * DAY);
      expect(new Date(r.next_check_at).getTime()).toBeGreaterThan(app.clock.nowMs());
      expect(r.lease_owner).toBeNull();
    }
  }, 120_000); // real time by design: several leases of slow Meta answers

  it('a worker that lost the grant claim to another leaves the Page-token checks to it', async () => {
    // Grant checks due every 36 s, but another worker claimed this grant a minute ago (the claim
    // lasts 5 minutes): this worker sees the check as due and loses the claim.
    app = await TestApp.start({ env: { GRANT_CHECK_INTERVAL_HOURS: '0.01' } });
    const fb = facebookUser(app, [{ instagram: {} }, { instagram: {} }]);
    const accounts = await connect(app, 'member-claim-lost', 'FACEBOOK', fb.userId);
    app.clock.advance(25 * 3600_000);
    await app.sql("update meta_grant set last_checked_at = ? where member_id = 'member-claim-lost'", [new Date(app.clock.nowMs() - 60_000)]);
    app.emulator.control.resetCalls();
    const report = await app.services.worker.runOnce();
    expect(report.claimed).toBe(2);
    expect(report.grantChecks).toBe(0);
    expect(app.emulator.control.calls.filter((c) => c.path.endsWith('/debug_token'))).toHaveLength(0);
    expect(report.synced).toBe(2); // the profiles are still synced
    const rows = await app.sql<{ connection_status: string }>('select connection_status from social_account where id = any(?::uuid[])', [
      `{${accounts.map((a) => a.id).join(',')}}`,
    ]);
    expect(rows.every((r) => r.connection_status === 'CONNECTED')).toBe(true);
  });
});

import { OwnPostgres } from './helpers/own-postgres';
import { sleep, waitFor } from './helpers/subscriptions';
import { TestApp } from './helpers/test-app';
import { TEST_WEBHOOK_SECRET, WebhookReceiver } from './helpers/webhook-receiver';

/**
 * A real outage under every periodic job of an instance: this file starts its own PostgreSQL
 * server process, stops it for many poll intervals and starts it again. Each job must log the
 * outage as two lines (a warning when it starts, an info line with its duration when it ends),
 * not a driver stack trace per poll.
 */
let pg: OwnPostgres;
let app: TestApp;
let receiver: WebhookReceiver;

/** The jobs that touch the database on their own, each with its own `component` in the logs. */
const COMPONENTS = ['lifecycle-worker', 'webhook-delivery', 'housekeeping', 'rate-limit-gate', 'status-listener', 'metrics-refresh'];
const POLL_MS = 100;

beforeAll(async () => {
  pg = await OwnPostgres.start();
  receiver = await WebhookReceiver.start();
  app = await TestApp.start({
    databaseUrl: await pg.createDatabase('outage_logs'),
    env: {
      DISABLE_WORKER: '0',
      WORKER_POLL_INTERVAL_MS: String(POLL_MS),
      WEBHOOK_POLL_INTERVAL_MS: String(POLL_MS),
      HOUSEKEEPING_INTERVAL_SECONDS: '1',
      STATUS_WEBHOOK_URL: receiver.url,
      STATUS_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
    },
  });
}, 60_000);
afterAll(async () => {
  await app?.close();
  await receiver?.stop();
  await pg?.dispose();
}, 60_000);

interface Line {
  level: number;
  component?: string;
  msg: string;
  err?: unknown;
  outageMs?: number;
  reason?: string;
}

describe('logs while PostgreSQL is down', () => {
  it('one warning per job when the outage starts, one info line with its duration when it ends, and no stack trace', async () => {
    await sleep(5 * POLL_MS); // every job has had a round against a live database
    const from = app.logs.length;

    await pg.stop();
    // Thirty poll intervals of the two loops, three of housekeeping, three listener reconnects.
    const outageMs = 3_000;
    await sleep(outageMs);
    await pg.restart();

    const since = () => app.logs.slice(from).map((l) => JSON.parse(l) as Line);
    const ended = (component: string) => since().some((l) => l.component === component && l.outageMs !== undefined);
    // Then the assertions below say which job logged what.
    await waitFor(() => COMPONENTS.every(ended), 'every job to see the database back', 15_000).catch(() => undefined);
    await sleep(5 * POLL_MS); // a few more rounds: nothing else is logged once it is back

    const lines = since();
    for (const component of COMPONENTS) {
      const own = lines.filter((l) => l.component === component);
      expect({ component, lines: own.map((l) => [l.level, l.msg]) }).toEqual({
        component,
        lines: [
          [40, expect.stringMatching(/^the database is unavailable; /)],
          [30, expect.stringMatching(/^the database is back after \d+\.\d s$/)],
        ],
      });
      expect(own[0].reason).toEqual(expect.any(String));
      // From the job's first failed round to its first good one: the stop-to-restart gap, less up to
      // one of its rounds (housekeeping's second, the rate-limit listener's one-second reconnect) to notice.
      expect(own[1].outageMs).toBeGreaterThanOrEqual(outageMs - 1_000);
    }
    // Nothing at error level, and no stack trace anywhere, from any part of the app.
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    expect(app.logs.slice(from).filter((l) => l.includes('"stack"') || /\n\s+at /.test(l))).toEqual([]);
  }, 60_000);
});

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import { int, ms } from '../lib/report';
import { summarize, wallClockMs } from '../lib/stats';
import type { BenchContext, ResultRow, Scenario, ScenarioResult } from './types';

const SECRET = `whsec_${Buffer.alloc(32, 5).toString('base64')}`;
const LATENCY_TARGET_P99_MS = 1_000;

/**
 * 6. Status webhooks: status changes made through the app (AccountService.changeStatus →
 * AccountStatusService.transition, which writes the outbox in the same transaction), delivered
 * by WebhookDeliveryWorker over real HTTP to a receiver in this process.
 * - Throughput: N changes are queued with the delivery loop stopped, then the loop starts and
 *   drains them; deliveries/s from start to the last arrival.
 * - Latency: with the loop running, changes arrive at a steady pace; each delivery's latency is
 *   its arrival minus the event's timestamp (the moment of the change, inside its transaction),
 *   so it includes the commit, the wake-up (LISTEN) and the signed POST.
 */
export const webhookDelivery: Scenario = {
  id: 'webhook-delivery',
  title: '6. Status webhooks (outbox → signed POST)',
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const backlog = ctx.quick ? 400 : 5_000;
    const paced = ctx.quick ? 100 : 1_000;
    const perSecond = 20; // two events each (ERROR, then revived)
    await ctx.seeder.ensureMembers(Math.ceil((backlog + paced) / 10)); // about half the seeded accounts are CONNECTED
    ctx.seeder.markDirty();

    const arrivals = new Map<string, number>();
    const latencies: number[] = [];
    let waiter: { count: number; resolve: () => void } | undefined;
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const at = wallClockMs();
        const id = String(req.headers['webhook-id']);
        if (!arrivals.has(id)) {
          arrivals.set(id, at);
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { type: string; timestamp: string };
          if (body.type === 'account.revived') latencies.push(at - Date.parse(body.timestamp));
        }
        res.writeHead(204).end();
        if (waiter && arrivals.size >= waiter.count) waiter.resolve();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    const arrived = (count: number, timeoutMs: number) =>
      new Promise<void>((resolve, reject) => {
        if (arrivals.size >= count) return resolve();
        const timer = setTimeout(() => reject(new Error(`only ${arrivals.size} of ${count} webhooks arrived`)), timeoutMs);
        waiter = { count, resolve: () => (clearTimeout(timer), resolve()) };
      });

    // https is required in production; the receiver here is plain http on loopback.
    const app = await ctx.startServer('webhook-delivery', { NODE_ENV: 'development', STATUS_WEBHOOK_URL: url, STATUS_WEBHOOK_SECRET: SECRET });
    const pool = new Pool({ connectionString: ctx.db.url, max: 2, application_name: 'bench-webhooks' });
    try {
      const { rows } = await pool.query<{ id: string }>(`select id from social_account where connection_status = 'CONNECTED' order by id limit $1`, [
        backlog + paced,
      ]);
      const queued = rows.slice(0, backlog).map((r) => r.id);
      const live = rows.slice(backlog).map((r) => r.id);

      ctx.log(`queueing ${int(queued.length)} status changes with the delivery loop stopped`);
      const queueStarted = wallClockMs();
      await app.child.request('webhookChanges', { ids: queued, to: 'ERROR', reason: 'bench: Meta failing' }, 600_000);
      const queueMs = wallClockMs() - queueStarted;

      ctx.log('starting the delivery loop and draining the backlog');
      const drainStarted = wallClockMs();
      await app.child.request('startWebhooks', undefined);
      await arrived(queued.length, 600_000);
      const drainMs = Math.max(...arrivals.values()) - drainStarted;

      ctx.log(`${int(live.length)} changes at ${perSecond}/s with the loop running`);
      const pacedStarted = wallClockMs();
      for (let i = 0; i < live.length; i++) {
        const due = pacedStarted + (i * 1000) / perSecond;
        const wait = due - wallClockMs();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        // Revived (ERROR → CONNECTED needs ERROR first): both changes in one request, the second is measured.
        void app.child.request('webhookChanges', { ids: [live[i]], to: 'ERROR', reason: 'bench', then: 'CONNECTED' }, 60_000);
      }
      await arrived(queued.length + 2 * live.length, 120_000);
      const latency = summarize(latencies);
      const [{ n: duplicates }] = (await pool.query<{ n: number }>(`select count(*)::int as n from webhook_delivery where attempts > 1`)).rows;

      const drainRate = (queued.length / drainMs) * 1000;
      const rows_: ResultRow[] = [
        {
          measure: `Queue ${int(queued.length)} changes (outbox write inside the status transaction)`,
          ours: `${int((queued.length / queueMs) * 1000)} changes/s`,
        },
        { measure: `Drain a backlog of ${int(queued.length)} webhooks (1 worker, 8 in flight)`, ours: `${int(drainRate)} deliveries/s (${ms(drainMs)})` },
        {
          measure: `Delivery latency from the change, ${perSecond} changes/s (p50 / p99 / max)`,
          ours: `${ms(latency.p50)} / ${ms(latency.p99)} / ${ms(latency.max)}`,
          target: `p99 ≤ ${ms(LATENCY_TARGET_P99_MS)}`,
          pass: latency.p99 <= LATENCY_TARGET_P99_MS,
        },
        { measure: 'Deliveries that needed a retry (receiver always answers 204)', ours: int(duplicates), target: '0', pass: duplicates === 0 },
      ];
      return { rows: rows_, details: { backlog: queued.length, paced: live.length, perSecond, queueMs, drainMs, drainRate, latency, retried: duplicates } };
    } finally {
      await app.stop();
      await pool.query('truncate webhook_event, webhook_delivery').catch(() => undefined);
      await pool.end();
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  },
};

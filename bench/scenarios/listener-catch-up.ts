import { BenchChild } from '../lib/ipc';
import { int, ms } from '../lib/report';
import { memberId, memberToken } from '../lib/seed';
import { StatusChanges } from '../lib/status-changes';
import { summarize, wallClockMs } from '../lib/stats';
import type { ConnectRequest, Delivery } from '../subscriber-clients';
import type { BenchContext, ScenarioResult, Scenario } from './types';

const OUTAGE_MS = 10_000;
const PER_MEMBER = 2;

/**
 * 6. Listener catch-up: subscribers attached, the server's LISTEN connection gone for 10 s while
 * status changes keep being committed (one per member), then back. Nothing is announced to it
 * meanwhile; once it listens again it reads every attached member's events after the last
 * position it delivered. Measured: reconnect → last replayed delivery, and exactly once.
 */
export const listenerCatchUp: Scenario = {
  id: 'listener-catch-up',
  title: '6. Listener catch-up after a 10 s outage',
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const members = ctx.quick ? 100 : 1_000;
    const subscribers = members * PER_MEMBER;
    await ctx.seeder.ensureMembers(members);
    ctx.seeder.markDirty();
    const changes = new StatusChanges(ctx.db.url);
    const app = await ctx.startServer('listener-catch-up');
    const clients = await BenchChild.start<{ pid: number }>('subscriber-clients', { name: 'graphql-ws clients' });
    try {
      const url = `${app.url.replace(/^http/, 'ws')}/graphql`;
      const specs = Array.from({ length: subscribers }, (_, i) => ({ token: memberToken(i % members) }));
      await clients.request('connect', { url, subscribers: specs, concurrency: 100 } satisfies ConnectRequest, 180_000);
      for (const deadline = Date.now() + 60_000; (await app.subscribers()) < subscribers;) {
        if (Date.now() > deadline) throw new Error('subscriptions did not become active');
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      ctx.log(`${int(subscribers)} subscribers over ${int(members)} members; listener down for ${OUTAGE_MS / 1000} s`);

      await app.child.request('pauseListener');
      const down = wallClockMs();
      const accounts = await changes.connectedAccounts(Array.from({ length: members }, (_, m) => memberId(m)));
      await changes.expire(accounts, 10);
      const commitsDone = wallClockMs();
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, OUTAGE_MS - (commitsDone - down))));
      const { listeningAt } = await app.child.request<{ listeningAt: number }>('resumeListener');

      const expected = accounts.length * PER_MEMBER;
      await clients.request('waitForDeliveries', { count: expected, timeoutMs: 60_000 }, 90_000);
      await new Promise((resolve) => setTimeout(resolve, 300)); // late duplicates would show up here
      const batch = await clients.request<Delivery[]>('deliveries', { from: 0 }, 60_000);
      const counts = new Map<string, number>();
      for (const [subscriber, accountId] of batch) counts.set(`${subscriber}/${accountId}`, (counts.get(`${subscriber}/${accountId}`) ?? 0) + 1);
      const duplicates = [...counts.values()].reduce((sum, n) => sum + n - 1, 0);
      const early = batch.filter(([, , , , receivedAt]) => receivedAt < listeningAt).length;
      const lastDelivery = Math.max(...batch.map((d) => d[4]));
      const afterReconnect = summarize(batch.map(([, , , , receivedAt]) => receivedAt - listeningAt));
      const exact = batch.length === expected && duplicates === 0 && counts.size === expected;
      return {
        rows: [
          {
            measure: `changes committed while not listening (${int(members)} members × ${PER_MEMBER} subscribers)`,
            ours: `${int(accounts.length)} in ${ms(commitsDone - down)}`,
          },
          { measure: 'reconnect → last replayed delivery', ours: ms(lastDelivery - listeningAt) },
          { measure: 'reconnect → delivery, p50 / p99', ours: `${ms(afterReconnect.p50)} / ${ms(afterReconnect.p99)}` },
          {
            measure: 'every change exactly once (expected / delivered / dup / before reconnect)',
            ours: `${int(expected)} / ${int(batch.length)} / ${duplicates} / ${early}`,
            target: 'exactly once, none before reconnect',
            pass: exact && early === 0,
          },
        ],
        notes: ['Without catch-up (before positions), every one of these changes was lost: the NOTIFYs went to no listener.'],
        details: {
          members,
          subscribers,
          outageMs: OUTAGE_MS,
          commitMs: commitsDone - down,
          reconnectToLastMs: lastDelivery - listeningAt,
          afterReconnect,
          duplicates,
          early,
        },
      };
    } finally {
      await clients.stop();
      await app.stop();
      await changes.close();
    }
  },
};

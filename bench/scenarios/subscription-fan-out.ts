import { print } from 'graphql';
import { DisconnectSocialAccountDocument } from '../../client/generated/graphql';
import { CpuMeter, type CpuUse } from '../lib/cpu';
import { graphql } from '../lib/graphql-client';
import { BenchChild } from '../lib/ipc';
import { int, kb, mb, ms } from '../lib/report';
import { memberId, memberToken } from '../lib/seed';
import { StatusChanges, type ChangedAccount } from '../lib/status-changes';
import { summarize, wallClockMs, type LatencySummary } from '../lib/stats';
import type { ConnectRequest, Delivery } from '../subscriber-clients';
import type { BenchContext, ResultRow, Scenario, ScenarioResult } from './types';

const HEAP_TARGET_BYTES = 25 * 1024;
const LATENCY_TARGET_MS = 250;
/** Subscribers connected before the memory baseline is taken, so one-time setup is not counted per connection. */
const WARM_SUBSCRIBERS = 100;
/** File descriptors kept free for everything else (pools, listeners, the loader). */
const FD_HEADROOM = 1_000;

interface Plan {
  subscribers: number;
  perMember: number;
  members: number;
  singleEvents: number;
  /** Changes in the small and the large burst (one per member, members 0..n-1). */
  bursts: [number, number];
}

/** What the scenario needs from the server under test, app or baseline. */
interface FanOutServer {
  url: string;
  pid: number;
  memory(): Promise<{ heapUsed: number; rss: number }>;
  subscribers(): Promise<number>;
  stop(): Promise<void>;
}

interface Delivered {
  expected: number;
  delivered: number;
  missing: number;
  duplicates: number;
  foreign: number;
}

interface Burst {
  changes: number;
  latency: LatencySummary;
  delivery: Delivered;
  /** First commit to last delivery. */
  seconds: number;
  commitSeconds: number;
  cpu: CpuUse;
}

interface FanOutResult {
  connectSeconds: number;
  heapPerConnection: number;
  rssPerConnection: number;
  memoryBefore: { heapUsed: number; rss: number };
  memoryAfter: { heapUsed: number; rss: number };
  single: LatencySummary;
  singleDelivery: Delivered;
  bursts: Burst[];
  /** The app's own write path: disconnectSocialAccount, measured from the event's changedAt. */
  mutation?: { latency: LatencySummary; delivery: Delivered };
  leakedAfterClose: number;
  clientStatus: ClientStatus;
}

interface ClientStatus {
  errorCount: number;
  closedUnexpectedly: number;
  errors: string[];
}

/**
 * 2. Subscribers on one server process (clients in a process of their own), status changes
 * committed to PostgreSQL, and what arrives where: heap/RSS per connection, commit → delivery
 * latency for one member's event and for a burst, and exactly-once delivery. Baseline: a bare
 * `ws` + `pg` server speaking the same protocol, loading each change once.
 */
export const subscriptionFanOut: Scenario = {
  id: 'subscriptions',
  title: '2. Subscription fan-out',
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const wanted = ctx.quick ? { subscribers: 1_000, singleEvents: 10, bursts: [10, 100] } : { subscribers: 10_000, singleEvents: 20, bursts: [100, 1_000] };
    const perMember = 10;
    // Each connection is a descriptor in the server and one in the client process.
    const fit = Math.floor((ctx.fileDescriptorLimit - FD_HEADROOM) / perMember) * perMember;
    const subscribers = Math.min(wanted.subscribers, fit);
    const members = subscribers / perMember;
    const plan: Plan = {
      subscribers,
      perMember,
      members,
      singleEvents: wanted.singleEvents,
      bursts: [Math.min(wanted.bursts[0], members), Math.min(wanted.bursts[1], members)],
    };
    const notes: string[] = [];
    if (subscribers < 1_000) {
      throw new Error(
        `the open-file limit (${ctx.fileDescriptorLimit}) leaves room for ${subscribers} subscribers; run with \`ulimit -n ${wanted.subscribers + FD_HEADROOM}\` or more`,
      );
    }
    if (subscribers < wanted.subscribers) {
      notes.push(
        `Only ${int(subscribers)} subscribers: the open-file limit is ${ctx.fileDescriptorLimit} (raise it with \`ulimit -n\` to run ${int(wanted.subscribers)}).`,
      );
    }

    await ctx.seeder.ensureMembers(members);
    ctx.seeder.markDirty(); // statuses change below
    const changes = new StatusChanges(ctx.db.url);
    try {
      ctx.log(`app: ${int(subscribers)} subscribers over ${int(members)} members`);
      const app = await ctx.startServer('subscriptions');
      const ours = await measure(ctx, plan, changes, app, true);
      ctx.log(`baseline: ${int(subscribers)} subscribers`);
      const baselineChild = await BenchChild.start<{ url: string }>('baseline-ws-server', {
        name: 'baseline ws server',
        args: [ctx.db.url],
        execArgv: ['--expose-gc'],
      });
      const baseline: FanOutServer = {
        url: baselineChild.info.url,
        pid: baselineChild.pid,
        memory: () => baselineChild.request('memory'),
        subscribers: () => baselineChild.request('subscribers'),
        stop: () => baselineChild.stop(),
      };
      const theirs = await measure(ctx, plan, changes, baseline, false);

      const exactlyOnce = (d: Delivered) => d.missing + d.duplicates + d.foreign === 0 && d.delivered === d.expected;
      const rows: ResultRow[] = [
        {
          measure: `${int(subscribers)} subscribers (${perMember} per member) connected in`,
          ours: `${ours.connectSeconds.toFixed(1)} s`,
          baseline: `${theirs.connectSeconds.toFixed(1)} s`,
        },
        {
          measure: 'heap per connection (after GC)',
          ours: kb(ours.heapPerConnection),
          baseline: kb(theirs.heapPerConnection),
          ratio: ours.heapPerConnection / theirs.heapPerConnection,
          target: `≤ ${kb(HEAP_TARGET_BYTES)}`,
          pass: ours.heapPerConnection <= HEAP_TARGET_BYTES,
        },
        {
          measure: 'RSS per connection',
          ours: kb(ours.rssPerConnection),
          baseline: kb(theirs.rssPerConnection),
          ratio: ours.rssPerConnection / theirs.rssPerConnection,
        },
        {
          measure: `one member's event → ${perMember} subscribers, p50 / p99 (${plan.singleEvents} events)`,
          ours: latency(ours.single),
          baseline: latency(theirs.single),
          target: `p99 ≤ ${LATENCY_TARGET_MS} ms`,
          pass: ours.single.p99 <= LATENCY_TARGET_MS,
        },
        ...ours.bursts.map((burst, i): ResultRow => ({
          measure: `burst of ${int(burst.changes)} changes → ${int(burst.changes * perMember)} deliveries, p50 / p99`,
          ours: latency(burst.latency),
          baseline: latency(theirs.bursts[i].latency),
          target: `p99 ≤ ${LATENCY_TARGET_MS} ms`,
          pass: burst.latency.p99 <= LATENCY_TARGET_MS,
        })),
        {
          measure: `burst of ${int(plan.bursts[1])}: first commit → last delivery`,
          ours: ms(ours.bursts[1].seconds * 1000),
          baseline: ms(theirs.bursts[1].seconds * 1000),
        },
        {
          measure: 'every expected event exactly once (expected/missing/dup/foreign)',
          ours: deliveredText([ours.singleDelivery, ...ours.bursts.map((b) => b.delivery)]),
          baseline: deliveredText([theirs.singleDelivery, ...theirs.bursts.map((b) => b.delivery)]),
          target: 'exactly once',
          pass: [ours.singleDelivery, ...ours.bursts.map((b) => b.delivery), ...(ours.mutation ? [ours.mutation.delivery] : [])].every(exactlyOnce),
        },
      ];
      if (ours.mutation) {
        rows.push({ measure: 'via disconnectSocialAccount, changedAt → delivery p50 / p99', ours: latency(ours.mutation.latency) });
      }
      rows.push({
        measure: 'subscriptions left after clients closed',
        ours: String(ours.leakedAfterClose),
        baseline: String(theirs.leakedAfterClose),
        target: '0',
        pass: ours.leakedAfterClose === 0,
      });
      for (const [name, run] of [
        ['app', ours],
        ['baseline', theirs],
      ] as const) {
        const status = run.clientStatus;
        if (status.errorCount || status.closedUnexpectedly) {
          notes.push(
            `${name}: clients saw ${status.errorCount} errors and ${status.closedUnexpectedly} unexpected closes (first: ${status.errors.join(' | ')}).`,
          );
        }
      }
      notes.push(
        `Large burst, CPU in cores (server / PostgreSQL / clients / committing runner): app ${cpuText(ours.bursts[1].cpu)}, baseline ${cpuText(theirs.bursts[1].cpu)}. Its ${int(plan.bursts[1])} commits took ${ours.bursts[1].commitSeconds.toFixed(2)} s (app run) and ${theirs.bursts[1].commitSeconds.toFixed(2)} s (baseline run).`,
      );
      return { rows, notes, details: { plan, ours, baseline: theirs } };
    } finally {
      await changes.close();
    }
  },
};

async function measure(ctx: BenchContext, plan: Plan, changes: StatusChanges, server: FanOutServer, isApp: boolean): Promise<FanOutResult> {
  const clients = await BenchChild.start<{ pid: number }>('subscriber-clients', { name: 'graphql-ws clients' });
  try {
    const url = `${server.url.replace(/^http/, 'ws')}/graphql`;
    const tokens = Array.from({ length: plan.members }, (_, m) => memberToken(m));
    // Subscriber i signs in as member i % members: every member gets `perMember` subscribers.
    const specs = Array.from({ length: plan.subscribers }, (_, i) => ({ token: tokens[i % plan.members] }));
    const memberOf = (subscriber: number) => memberId(subscriber % plan.members);
    const subscribersOf = (member: number) => Array.from({ length: plan.perMember }, (_, j) => member + j * plan.members);

    const connect = (from: number, to: number, concurrency: number) =>
      clients.request<{ seconds: number }>('connect', { url, subscribers: specs.slice(from, to), concurrency } satisfies ConnectRequest, 180_000);
    await connect(0, WARM_SUBSCRIBERS, 20);
    await until(async () => (await server.subscribers()) >= WARM_SUBSCRIBERS, 'warm-up subscriptions', 30_000);
    const memoryBefore = await server.memory();
    const started = wallClockMs();
    await connect(WARM_SUBSCRIBERS, plan.subscribers, 200);
    await until(async () => (await server.subscribers()) >= plan.subscribers, 'every subscription to be active', 180_000);
    const connectSeconds = (wallClockMs() - started) / 1000;
    const memoryAfter = await server.memory();
    const added = plan.subscribers - WARM_SUBSCRIBERS;
    ctx.log(`${int(plan.subscribers)} subscribers in ${connectSeconds.toFixed(1)} s; heap ${mb(memoryBefore.heapUsed)} → ${mb(memoryAfter.heapUsed)}`);

    let seen = 0;
    const collect = async (expected: number, timeoutMs: number) => {
      await clients.request('waitForDeliveries', { count: seen + expected, timeoutMs }, timeoutMs + 30_000);
      // A short grace period, so late duplicates are caught here rather than in the next window.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const batch = await clients.request<Delivery[]>('deliveries', { from: seen }, 60_000);
      seen += batch.length;
      return batch;
    };
    const check = (batch: Delivery[], accounts: ChangedAccount[]): Delivered => {
      const owner = new Map(accounts.map((a) => [a.id, a.memberId]));
      const counts = new Map<string, number>();
      let foreign = 0;
      for (const [subscriber, accountId] of batch) {
        if (owner.get(accountId) !== memberOf(subscriber)) foreign++;
        else counts.set(`${subscriber}/${accountId}`, (counts.get(`${subscriber}/${accountId}`) ?? 0) + 1);
      }
      let missing = 0;
      for (const account of accounts) {
        const member = Number(account.memberId.slice('member-'.length));
        for (const subscriber of subscribersOf(member)) if (!counts.has(`${subscriber}/${account.id}`)) missing++;
      }
      const duplicates = [...counts.values()].reduce((sum, n) => sum + n - 1, 0);
      return { expected: accounts.length * plan.perMember, delivered: batch.length, missing, duplicates, foreign };
    };
    const sum = (a: Delivered, b: Delivered): Delivered => ({
      expected: a.expected + b.expected,
      delivered: a.delivered + b.delivered,
      missing: a.missing + b.missing,
      duplicates: a.duplicates + b.duplicates,
      foreign: a.foreign + b.foreign,
    });

    // One member's event at a time.
    const singleLatencies: number[] = [];
    let singleDelivery: Delivered = { expected: 0, delivered: 0, missing: 0, duplicates: 0, foreign: 0 };
    for (let k = 0; k < plan.singleEvents; k++) {
      const accounts = await changes.connectedAccounts([memberId(k % plan.members)]);
      const committed = await changes.expire(accounts, 1);
      const batch = await collect(plan.perMember, 10_000);
      singleDelivery = sum(singleDelivery, check(batch, accounts));
      for (const [, accountId, , , receivedAt] of batch) singleLatencies.push(receivedAt - (committed.get(accountId) ?? Number.NaN));
      if (batch.length < plan.perMember) break; // deliveries are missing: reported below, no point waiting again
    }

    // Bursts: one change for each of the first n members, committed on 10 connections at once.
    const bursts: Burst[] = [];
    for (const changesInBurst of plan.bursts) {
      const accounts = await changes.connectedAccounts(Array.from({ length: changesInBurst }, (_, m) => memberId(m)));
      const meter = new CpuMeter(server.pid, ctx.db.name, { clients: clients.pid });
      const started = wallClockMs();
      const committed = await changes.expire(accounts, 10);
      const commitSeconds = (wallClockMs() - started) / 1000;
      const batch = await collect(accounts.length * plan.perMember, 60_000);
      const cpu = meter.stop();
      bursts.push({
        changes: accounts.length,
        latency: summarize(batch.map(([, accountId, , , receivedAt]) => receivedAt - (committed.get(accountId) ?? Number.NaN))),
        delivery: check(batch, accounts),
        seconds: (Math.max(...batch.map((d) => d[4])) - started) / 1000,
        commitSeconds,
        cpu,
      });
    }

    // The app's own write path, end to end: a member disconnects an account over HTTP.
    let mutation: FanOutResult['mutation'];
    if (isApp) {
      const latencies: number[] = [];
      let delivery: Delivered = { expected: 0, delivered: 0, missing: 0, duplicates: 0, foreign: 0 };
      for (let k = 0; k < Math.min(plan.singleEvents, plan.members); k++) {
        const member = plan.members - 1 - k;
        const accounts = await changes.connectedAccounts([memberId(member)]);
        await graphql(server.url, memberToken(member), print(DisconnectSocialAccountDocument), { id: accounts[0].id });
        const batch = await collect(plan.perMember, 10_000);
        delivery = sum(delivery, check(batch, accounts));
        for (const [, , , changedAt, receivedAt] of batch) latencies.push(receivedAt - changedAt);
        if (batch.length < plan.perMember) break;
      }
      mutation = { latency: summarize(latencies), delivery };
    }

    const clientStatus = await clients.request<ClientStatus>('status');
    await clients.request('close', undefined, 120_000);
    let leakedAfterClose = 0;
    try {
      await until(async () => (leakedAfterClose = await server.subscribers()) === 0, 'subscriptions to be released', 30_000);
    } catch {
      // reported as leakedAfterClose
    }
    return {
      connectSeconds,
      heapPerConnection: (memoryAfter.heapUsed - memoryBefore.heapUsed) / added,
      rssPerConnection: (memoryAfter.rss - memoryBefore.rss) / added,
      memoryBefore: { heapUsed: memoryBefore.heapUsed, rss: memoryBefore.rss },
      memoryAfter: { heapUsed: memoryAfter.heapUsed, rss: memoryAfter.rss },
      single: summarize(singleLatencies),
      singleDelivery,
      bursts,
      mutation,
      leakedAfterClose,
      clientStatus,
    };
  } finally {
    await clients.stop();
    await server.stop();
  }
}

async function until(condition: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const cpuText = (c: CpuUse) => [c.server, c.postgres, c.others.clients ?? 0, c.runner].map((v) => v.toFixed(2)).join(' / ');
const latency = (s: LatencySummary) => `${ms(s.p50)} / ${ms(s.p99)}`;
const deliveredText = (parts: Delivered[]) => {
  const total = (key: keyof Delivered) => parts.reduce((sum, d) => sum + d[key], 0);
  return `${int(total('expected'))} / ${total('missing')} / ${total('duplicates')} / ${total('foreign')}`;
};

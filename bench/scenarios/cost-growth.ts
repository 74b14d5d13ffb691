import { withClient } from '../lib/database';
import { LIST_ACCOUNTS_SQL } from '../lib/account-json';
import { httpLoad, type LoadResult } from '../lib/http-load';
import { int, ms } from '../lib/report';
import { ACCOUNTS_PER_MEMBER, memberId, memberToken } from '../lib/seed';
import { READ_BODY, isAccountList } from './read-path';
import type { BenchContext, ResultRow, Scenario, ScenarioResult } from './types';

const FLAT_TARGET = 0.8;

interface SizeResult {
  accounts: number;
  load: LoadResult;
  /** The same load reading every account's creator metrics (engagement, growth from the daily snapshots). */
  metricsLoad: LoadResult;
  /** EXPLAIN ANALYZE of the metrics sweep's statements: adoption between full passes, and a claim of a due batch. */
  sweepMs: { adoption: number; claim: number };
  /** EXPLAIN (ANALYZE, BUFFERS) of the list query for one member. */
  plan: string[];
  executionMs: number;
  buffers: number;
}

/**
 * 5. The read path (scenario 1's query, load and server) with 1k, 10k, 100k and 1M accounts in
 * the table, each with creator metrics (a metrics row and four daily snapshots, seeded in SQL). The member's list is found through an index on member_id, so the work per request is
 * the member's 20 rows whatever the table holds: req/s, latency and the buffers each query
 * touches stay flat. The plans are recorded, and at the largest size the same query is also
 * planned without index scans, to show what the index saves. With metrics on: the same load
 * reading every account's engagement and growth, and the metrics sweep's statements (adoption
 * between full passes, a claim of a due batch) timed with EXPLAIN ANALYZE at each size.
 */
export const costGrowth: Scenario = {
  id: 'cost-growth',
  title: '5. Cost growth',
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const sizes = ctx.quick ? [1_000, 10_000] : [1_000, 10_000, 100_000, 1_000_000];
    const timing = ctx.quick ? { warmupSeconds: 1, seconds: 3, firstExtraWarmup: 3 } : { warmupSeconds: 2, seconds: 8, firstExtraWarmup: 6 };
    // Two loads per size on the same members within one budget window: budgets out of the way (scenario 1 measures what they cost).
    const app = await ctx.startServer('cost-growth', { RATE_LIMIT_OPERATIONS: '0' });
    const results: SizeResult[] = [];
    let withoutIndex: string[];
    let indexes: string[];
    try {
      for (const accounts of sizes) {
        const members = accounts / ACCOUNTS_PER_MEMBER;
        ctx.log(`${int(accounts)} accounts in the table`);
        await ctx.seeder.exactlyMembers(members);
        await seedMetrics(ctx.db.url);
        const probe = memberId(Math.floor(members / 2));
        const plan = await explain(ctx.db.url, probe);
        const sweepMs = await explainSweep(ctx.db.url);
        const load = await httpLoad({
          url: app.url,
          tokens: Array.from({ length: members }, (_, m) => memberToken(m)),
          body: READ_BODY,
          connections: 50,
          // The first size also warms the fresh server up (JIT, pools), so it is not penalized.
          warmupSeconds: results.length === 0 ? timing.warmupSeconds + timing.firstExtraWarmup : timing.warmupSeconds,
          seconds: timing.seconds,
          isValid: isAccountList,
          serverPid: app.pid,
          database: ctx.db.name,
        });
        const metricsLoad = await httpLoad({
          url: app.url,
          tokens: Array.from({ length: members }, (_, m) => memberToken(m)),
          body: METRICS_READ_BODY,
          connections: 50,
          warmupSeconds: timing.warmupSeconds,
          seconds: timing.seconds,
          isValid: (body) => body.startsWith('{"data":{"socialAccounts":[{'),
          serverPid: app.pid,
          database: ctx.db.name,
        });
        results.push({ accounts, load, metricsLoad, sweepMs, ...plan });
      }
      const largest = sizes[sizes.length - 1];
      withoutIndex = (await explain(ctx.db.url, memberId(Math.floor(largest / ACCOUNTS_PER_MEMBER / 2)), true)).plan;
      indexes = await withClient(ctx.db.url, async (c) =>
        (await c.query<{ indexdef: string }>(`select indexdef from pg_indexes where tablename = 'social_account' order by indexname`)).rows.map(
          (r) => r.indexdef,
        ),
      );
    } finally {
      await app.stop();
    }

    const first = results[0];
    const rows: ResultRow[] = results.map((r) => {
      const ratio = r.load.requestsPerSecond / first.load.requestsPerSecond;
      return {
        measure: `${int(r.accounts)} accounts: req/s, p50 / p99, SQL time (buffers)`,
        ours: `${int(r.load.requestsPerSecond)}, ${ms(r.load.latencyMs.p50)} / ${ms(r.load.latencyMs.p99)}, ${ms(r.executionMs)} (${r.buffers})`,
        baseline: r === first ? undefined : `${int(first.accounts)} accounts`,
        ratio: r === first ? undefined : ratio,
        target: r === first ? undefined : `≥ ${FLAT_TARGET.toFixed(2)}×`,
        pass: r === first ? undefined : ratio >= FLAT_TARGET,
      };
    });
    for (const r of results.slice(1)) {
      const ratio = r.metricsLoad.requestsPerSecond / first.metricsLoad.requestsPerSecond;
      rows.push({
        measure: `${int(r.accounts)} accounts, with metrics: req/s; sweep SQL adoption / claim`,
        ours: `${int(r.metricsLoad.requestsPerSecond)}; ${ms(r.sweepMs.adoption)} / ${ms(r.sweepMs.claim)}`,
        baseline: `${int(first.metricsLoad.requestsPerSecond)}; ${ms(first.sweepMs.adoption)} / ${ms(first.sweepMs.claim)} at ${int(first.accounts)}`,
        ratio,
        target: `≥ ${FLAT_TARGET.toFixed(2)}×`,
        pass: ratio >= FLAT_TARGET,
      });
    }
    const lastPlan = results[results.length - 1].plan;
    const notes = [
      `Plan at ${int(results[results.length - 1].accounts)} accounts: ${lastPlan.find((l) => /Scan/.test(l))?.trim() ?? lastPlan[0]}.`,
      `Without index scans the same query is: ${withoutIndex.find((l) => /Scan/.test(l))?.trim()} (${withoutIndex.find((l) => l.startsWith('Execution Time'))}).`,
    ];
    return { rows, notes, details: { sizes: results, withoutIndexPlan: withoutIndex, indexes, sql: LIST_ACCOUNTS_SQL } };
  },
};

/** The member's accounts with their creator metrics: what a brand-facing read selects. */
const METRICS_READ_BODY = JSON.stringify({
  query:
    '{ socialAccounts { id price priceBasis engagement { engagementRate postsPerWeek asOf } followerGrowth { days7 { followers } days30 { followers } } } }',
});

/**
 * Creator metrics for every account that has none: an account_metrics row (figures, due over the
 * next day) and four daily snapshots (today, 7, 30 and 90 days ago), in SQL; and updated_at spread
 * over the last month.
 */
async function seedMetrics(databaseUrl: string): Promise<void> {
  await withClient(databaseUrl, async (c) => {
    await c.query(`insert into account_metrics (account_id, computed_at, posts_considered, window_days, avg_likes, avg_comments, engagement_rate, posts_per_week, next_refresh_at)
      select a.id, now(), 12, 90, 100 + random() * 900, random() * 50, random() * 0.1, random() * 5, now() + random() * interval '1 day'
      from social_account a where not exists (select 1 from account_metrics m where m.account_id = a.id)`);
    await c.query(`insert into account_metrics_day (account_id, day, followers, following, media_count, engagement_rate, recorded_at)
      select a.id, (current_date - d.n), a.followers_count - d.n * 10, a.following_count, a.media_count, 0.03, now()
      from social_account a cross join (values (0), (7), (30), (90)) as d(n)
      on conflict do nothing`);
    // Seeded accounts all carry the seeding time in updated_at; a live table's changes spread over
    // time, and the sweep's adoption reads the last 15 minutes of them: spread them over a month.
    await c.query(
      `update social_account set updated_at = now() - interval '1 hour' - random() * interval '30 days' where updated_at > now() - interval '1 hour'`,
    );
    // Vacuumed, as autovacuum would have long since: the update leaves a dead row version (and
    // index entries inside the 15-minute window) for every account.
    await c.query('vacuum analyze social_account');
    await c.query('analyze account_metrics; analyze account_metrics_day');
  });
}

/** The metrics sweep's statements as the worker sends them between full adoptions (src/repositories/account-metrics.repository.ts), rolled back. */
async function explainSweep(databaseUrl: string): Promise<{ adoption: number; claim: number }> {
  const executionMs = (plan: Array<{ 'QUERY PLAN': string }>) =>
    Number(/Execution Time: ([\d.]+)/.exec(plan.map((r) => r['QUERY PLAN']).join('\n'))?.[1] ?? Number.NaN);
  return withClient(databaseUrl, async (c) => {
    await c.query('begin');
    try {
      const adoption = await c.query<{ 'QUERY PLAN': string }>(`explain analyze with adopted as (
          insert into account_metrics (account_id, next_refresh_at)
          select a.id, now() + random() * interval '1 day' from social_account a
          where a.connection_status = 'CONNECTED' and not exists (select 1 from account_metrics m where m.account_id = a.id)
          and a.updated_at >= now() - interval '15 minutes' limit 1000
          on conflict (account_id) do nothing returning 1)
        select count(*) from adopted`);
      const claim = await c.query<{ 'QUERY PLAN': string }>(`explain analyze with claimed as (
          update account_metrics m set lease_owner = 'bench', lease_until = now() + interval '5 minutes'
          where m.account_id in (
            select m2.account_id from account_metrics m2 join social_account a on a.id = m2.account_id
            where m2.next_refresh_at <= now() + interval '1 hour' and (m2.lease_until is null or m2.lease_until < now()) and a.connection_status = 'CONNECTED'
            order by m2.next_refresh_at limit 50 for update of m2 skip locked)
          returning m.account_id)
        select a.id from claimed c join social_account a on a.id = c.account_id left join meta_grant g on g.id = a.grant_id`);
      return { adoption: executionMs(adoption.rows), claim: executionMs(claim.rows) };
    } finally {
      await c.query('rollback');
    }
  });
}

/** EXPLAIN (ANALYZE, BUFFERS) of the app's list query; optionally with index scans disabled. */
async function explain(databaseUrl: string, member: string, withoutIndexes = false): Promise<{ plan: string[]; executionMs: number; buffers: number }> {
  return withClient(databaseUrl, async (c) => {
    await c.query('begin');
    try {
      if (withoutIndexes) await c.query('set local enable_indexscan = off; set local enable_bitmapscan = off; set local enable_indexonlyscan = off');
      // Run it once first so the plan reflects a warm cache, as under load.
      await c.query(LIST_ACCOUNTS_SQL, [member]);
      const { rows } = await c.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${LIST_ACCOUNTS_SQL}`, [member]);
      const plan = rows.map((r) => r['QUERY PLAN']);
      const executionMs = Number(/Execution Time: ([\d.]+)/.exec(plan.join('\n'))?.[1] ?? Number.NaN);
      const buffers = Number(/Buffers: shared hit=(\d+)/.exec(plan.join('\n'))?.[1] ?? Number.NaN);
      return { plan, executionMs, buffers };
    } finally {
      await c.query('rollback');
    }
  });
}

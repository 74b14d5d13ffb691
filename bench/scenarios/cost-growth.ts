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
  /** EXPLAIN (ANALYZE, BUFFERS) of the list query for one member. */
  plan: string[];
  executionMs: number;
  buffers: number;
}

/**
 * 5. The read path (scenario 1's query, load and server) with 1k, 10k and 100k accounts in the
 * table. The member's list is found through an index on member_id, so the work per request is
 * the member's 20 rows whatever the table holds: req/s, latency and the buffers each query
 * touches stay flat. The plans are recorded, and at the largest size the same query is also
 * planned without index scans, to show what the index saves.
 */
export const costGrowth: Scenario = {
  id: 'cost-growth',
  title: '5. Cost growth',
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const sizes = ctx.quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
    const timing = ctx.quick ? { warmupSeconds: 1, seconds: 3, firstExtraWarmup: 3 } : { warmupSeconds: 2, seconds: 8, firstExtraWarmup: 6 };
    const app = await ctx.startServer('cost-growth');
    const results: SizeResult[] = [];
    let withoutIndex: string[];
    let indexes: string[];
    try {
      for (const accounts of sizes) {
        const members = accounts / ACCOUNTS_PER_MEMBER;
        ctx.log(`${int(accounts)} accounts in the table`);
        await ctx.seeder.exactlyMembers(members);
        const probe = memberId(Math.floor(members / 2));
        const plan = await explain(ctx.db.url, probe);
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
        results.push({ accounts, load, ...plan });
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
    const lastPlan = results[results.length - 1].plan;
    const notes = [
      `Plan at ${int(results[results.length - 1].accounts)} accounts: ${lastPlan.find((l) => /Scan/.test(l))?.trim() ?? lastPlan[0]}.`,
      `Without index scans the same query is: ${withoutIndex.find((l) => /Scan/.test(l))?.trim()} (${withoutIndex.find((l) => l.startsWith('Execution Time'))}).`,
    ];
    return { rows, notes, details: { sizes: results, withoutIndexPlan: withoutIndex, indexes, sql: LIST_ACCOUNTS_SQL } };
  },
};

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

import { print } from 'graphql';
import { SocialAccountsDocument } from '../../client/generated/graphql';
import { postGraphQL } from '../lib/graphql-client';
import { httpLoad, type LoadResult } from '../lib/http-load';
import type { InProcessMode, InProcessResult } from '../lib/in-process';
import { BenchChild } from '../lib/ipc';
import { int, ms } from '../lib/report';
import { ACCOUNTS_PER_MEMBER, memberToken } from '../lib/seed';
import type { BenchContext, ResultRow, Scenario, ScenarioResult } from './types';

export const READ_QUERY = print(SocialAccountsDocument);
export const READ_BODY = JSON.stringify({ query: READ_QUERY, variables: {} });
/** A correct answer, never an `errors` payload; every seeded member has accounts. */
export const isAccountList = (body: string) => body.startsWith('{"data":{"socialAccounts":[{');

const TARGET_RATIO = 0.6;

/**
 * 1. `socialAccounts` for members with 20 accounts each, authenticated, under closed-loop HTTP
 * load; baseline: node:http + pg running the same SQL and returning the same bytes. The layers
 * (SQL, ORM service, graphql-js execute) are also timed inside the server process.
 */
export const readPath: Scenario = {
  id: 'read-path',
  title: '1. Read path',
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const scale = ctx.quick
      ? { members: 1_000, connections: 50, warmupSeconds: 1, seconds: 4, inProcessMs: 1_500 }
      : { members: 10_000, connections: 50, warmupSeconds: 3, seconds: 15, inProcessMs: 5_000 };
    ctx.log(`seeding ${int(scale.members)} members × ${ACCOUNTS_PER_MEMBER} accounts`);
    const seedStarted = Date.now();
    await ctx.seeder.ensureMembers(scale.members);
    const seedSeconds = (Date.now() - seedStarted) / 1000;
    const tokens = Array.from({ length: scale.members }, (_, i) => memberToken(i));

    const app = await ctx.startServer('read-path');
    let baseline: BenchChild<{ url: string }> | undefined;
    try {
      baseline = await BenchChild.start<{ url: string }>('baseline-http-server', { name: 'baseline http server', args: [ctx.db.url] });
      // The baseline must be an equal: same bytes for the same member.
      for (const i of [0, Math.floor(scale.members / 2), scale.members - 1]) {
        const [ours, theirs] = await Promise.all([postGraphQL(app.url, tokens[i], READ_QUERY), postGraphQL(baseline.info.url, tokens[i], READ_QUERY)]);
        if (!isAccountList(ours.body)) throw new Error(`the app answered ${ours.body.slice(0, 300)}`);
        if (ours.body !== theirs.body)
          throw new Error(`the baseline's answer differs from the app's for member ${i}: ${firstDifference(ours.body, theirs.body)}`);
      }

      const layers: InProcessResult[] = [];
      for (const mode of ['sql', 'orm', 'execute', 'jit'] as InProcessMode[]) {
        ctx.log(`in-process ${mode}`);
        layers.push(
          await app.child.request<InProcessResult>(
            'inProcess',
            { mode, query: READ_QUERY, members: scale.members, durationMs: scale.inProcessMs, concurrency: 10 },
            scale.inProcessMs + 60_000,
          ),
        );
      }

      const load = (url: string, serverPid: number) =>
        httpLoad({
          url,
          tokens,
          body: READ_BODY,
          connections: scale.connections,
          warmupSeconds: scale.warmupSeconds,
          seconds: scale.seconds,
          isValid: isAccountList,
          serverPid,
          database: ctx.db.name,
        });
      ctx.log(`HTTP load on the app (${scale.connections} connections, ${scale.seconds} s)`);
      // One discarded run first, on this server and on the A/B one below: a fresh process's code is
      // not yet optimized after a short warm-up, and both must be compared in the same state.
      await load(app.url, app.pid);
      const ours = await load(app.url, app.pid);
      ctx.log(`HTTP load on the baseline`);
      const theirs = await load(baseline.info.url, baseline.pid);
      // A/B: the same app with graphql-js alone, against the same baseline numbers.
      ctx.log(`HTTP load on the app with GRAPHQL_EXECUTOR=graphql-js`);
      const graphqlJsApp = await ctx.startServer('read-path-graphql-js', { GRAPHQL_EXECUTOR: 'graphql-js' });
      let graphqlJs: LoadResult;
      try {
        const answers = await Promise.all([postGraphQL(app.url, tokens[0], READ_QUERY), postGraphQL(graphqlJsApp.url, tokens[0], READ_QUERY)]);
        if (answers[0].body !== answers[1].body) throw new Error(`graphql-js and jit answers differ: ${firstDifference(answers[0].body, answers[1].body)}`);
        await load(graphqlJsApp.url, graphqlJsApp.pid); // discarded, as for the app above
        graphqlJs = await load(graphqlJsApp.url, graphqlJsApp.pid);
      } finally {
        await graphqlJsApp.stop();
      }

      const ratio = ours.requestsPerSecond / theirs.requestsPerSecond;
      const clean = (r: LoadResult) => r.errors + r.timeouts + r.non2xx + r.invalidBodies === 0;
      const [sql, orm, exec, jit] = layers;
      const rows: ResultRow[] = [
        {
          measure: `HTTP req/s, ${scale.connections} conns, ${int(scale.members * ACCOUNTS_PER_MEMBER)} rows`,
          ours: int(ours.requestsPerSecond),
          baseline: int(theirs.requestsPerSecond),
          ratio,
          target: `≥ ${TARGET_RATIO.toFixed(2)}×`,
          pass: ratio >= TARGET_RATIO && clean(ours) && clean(theirs),
        },
        {
          measure: 'A/B: HTTP req/s with GRAPHQL_EXECUTOR=graphql-js',
          ours: int(graphqlJs.requestsPerSecond),
          baseline: int(theirs.requestsPerSecond),
          ratio: graphqlJs.requestsPerSecond / theirs.requestsPerSecond,
        },
        { measure: 'HTTP latency p50 / p99', ours: latency(ours), baseline: latency(theirs) },
        { measure: 'CPU cores: server / postgres / load gen', ours: cpu(ours), baseline: cpu(theirs) },
        {
          measure: 'in-process ops/s: graphql-js execute',
          ours: int(exec.opsPerSecond),
          baseline: `${int(sql.opsPerSecond)} (pg)`,
          ratio: exec.opsPerSecond / sql.opsPerSecond,
        },
        {
          measure: 'in-process ops/s: graphql-jit compiled query',
          ours: int(jit.opsPerSecond),
          baseline: `${int(sql.opsPerSecond)} (pg)`,
          ratio: jit.opsPerSecond / sql.opsPerSecond,
        },
        {
          measure: 'in-process ops/s: service (MikroORM)',
          ours: int(orm.opsPerSecond),
          baseline: `${int(sql.opsPerSecond)} (pg)`,
          ratio: orm.opsPerSecond / sql.opsPerSecond,
        },
        {
          measure: 'in-process p50: pg / ORM / execute / jit',
          ours: `${ms(sql.latencyMs.p50)} / ${ms(orm.latencyMs.p50)} / ${ms(exec.latencyMs.p50)} / ${ms(jit.latencyMs.p50)}`,
        },
      ];
      const notes = [
        `Server CPU during the app run: ${ours.cpu.server.toFixed(2)} cores (one Node event loop saturates at 1.00); PostgreSQL ${ours.cpu.postgres.toFixed(2)}; load generator ${ours.cpu.runner.toFixed(2)}.`,
        `Errors/timeouts/non-2xx/invalid bodies: app ${ours.errors}/${ours.timeouts}/${ours.non2xx}/${ours.invalidBodies}, baseline ${theirs.errors}/${theirs.timeouts}/${theirs.non2xx}/${theirs.invalidBodies}.`,
      ];
      notes.push(
        `CPU per request (server cores / req/s): app ${cpuPerRequest(ours)}, GRAPHQL_EXECUTOR=graphql-js ${cpuPerRequest(graphqlJs)}, baseline ${cpuPerRequest(theirs)}.`,
      );
      return { rows, notes, details: { scale, seedSeconds, ours, baseline: theirs, graphqlJs, ratio, inProcess: layers } };
    } finally {
      await baseline?.stop();
      await app.stop();
    }
  },
};

const cpuPerRequest = (r: LoadResult) => `${((r.cpu.server / r.requestsPerSecond) * 1000).toFixed(2)} ms`;
const latency = (r: LoadResult) => `${ms(r.latencyMs.p50)} / ${ms(r.latencyMs.p99)}`;
const cpu = (r: LoadResult) => `${r.cpu.server.toFixed(2)} / ${r.cpu.postgres.toFixed(2)} / ${r.cpu.runner.toFixed(2)}`;

/** Where two answers part, with a little context, for a readable failure. */
function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `at character ${i}: app "…${a.slice(Math.max(0, i - 40), i + 40)}…", baseline "…${b.slice(Math.max(0, i - 40), i + 40)}…"`;
}

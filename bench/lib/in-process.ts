import { execute, parse } from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import { Pool } from 'pg';
import type { AppHandles } from '../../src/bootstrap';
import { createHttpContext } from '../../src/context';
import { buildGraphQLSchema } from '../../src/graphql/schema';
import { LIST_ACCOUNTS_SQL, socialAccountsBody, type AccountRow } from './account-json';
import { memberId, memberToken } from './seed';
import { summarize, wallClockMs, type LatencySummary } from './stats';

/**
 * The read path's layers measured inside the server process, without HTTP: the same SQL through
 * `pg`, the service through MikroORM, and the whole schema through graphql-js `execute` and
 * through graphql-jit's compiled query (no Apollo, no Express). Comparing them with the HTTP numbers shows where the time goes.
 */
export type InProcessMode = 'sql' | 'orm' | 'execute' | 'jit';

export interface InProcessRequest {
  mode: InProcessMode;
  query: string;
  members: number;
  durationMs: number;
  concurrency: number;
}

export interface InProcessResult {
  mode: InProcessMode;
  operations: number;
  opsPerSecond: number;
  latencyMs: LatencySummary;
  cpuCoreSeconds: number;
}

const TOKENS_TO_ROTATE = 500;

export async function runInProcess(app: AppHandles, request: InProcessRequest): Promise<InProcessResult> {
  const { services } = app;
  const tokens = Array.from({ length: Math.min(TOKENS_TO_ROTATE, request.members) }, (_, i) => memberToken(i % request.members));
  const ids = tokens.map((_, i) => memberId(i % request.members));
  const document = parse(request.query);
  const schema = buildGraphQLSchema();
  // Same pool size as the ORM's (10), on the same database.
  const compiled = request.mode === 'jit' ? compileQuery(schema, document) : undefined;
  if (compiled && !isCompiledQuery(compiled)) throw new Error(`graphql-jit cannot compile the query: ${compiled.errors?.[0]?.message}`);
  const pool = request.mode === 'sql' ? new Pool({ connectionString: app.config.databaseUrl, max: 10, application_name: 'bench-in-process-sql' }) : undefined;

  const once: (i: number) => Promise<unknown> = {
    sql: async (i: number) => socialAccountsBody((await pool!.query<AccountRow>(LIST_ACCOUNTS_SQL, [ids[i]])).rows),
    orm: (i: number) => services.accounts.list(services.orm.em.fork(), ids[i]),
    execute: async (i: number) => {
      const result = await execute({ schema, document, contextValue: await createHttpContext(services, `Bearer ${tokens[i]}`) });
      if (result.errors) throw new Error(result.errors[0].message);
      return JSON.stringify(result);
    },
    // What GRAPHQL_EXECUTOR=jit runs for this query (src/graphql/compiled-executor.ts).
    jit: async (i: number) => {
      if (!compiled || !isCompiledQuery(compiled)) throw new Error('not compiled');
      const result = await compiled.query(undefined, await createHttpContext(services, `Bearer ${tokens[i]}`), {});
      if (result.errors) throw new Error(result.errors[0].message);
      return JSON.stringify(result);
    },
  }[request.mode];

  // Warm up (JIT, pool connections), then measure.
  for (let i = 0; i < 200; i++) await once(i % ids.length);
  const latencies: number[] = [];
  let counter = 0;
  const cpuBefore = process.cpuUsage();
  const started = wallClockMs();
  const deadline = started + request.durationMs;
  await Promise.all(
    Array.from({ length: request.concurrency }, async () => {
      while (wallClockMs() < deadline) {
        const i = counter++ % ids.length;
        const t0 = wallClockMs();
        await once(i);
        latencies.push(wallClockMs() - t0);
      }
    }),
  );
  const elapsed = wallClockMs() - started;
  const cpu = process.cpuUsage(cpuBefore);
  await pool?.end();
  return {
    mode: request.mode,
    operations: latencies.length,
    opsPerSecond: (latencies.length / elapsed) * 1000,
    latencyMs: summarize(latencies),
    cpuCoreSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

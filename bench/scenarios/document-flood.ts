import { int, kb, mb, ms } from '../lib/report';
import { memberToken } from '../lib/seed';
import type { AppServer } from '../lib/servers';
import { percentile } from '../lib/stats';
import type { BenchContext, ResultRow, Scenario, ScenarioResult } from './types';

/**
 * The bound the flood server is started with. GRAPHQL_COMPILED_CACHE_BYTES is the compiled-document
 * cache's memory bound (issue 23); an app that does not know the variable ignores it (loadConfig
 * reads only the variables it has), and then nothing is checked against it.
 */
const CACHE_BOUND_BYTES = 16 * 1024 * 1024;
/** What may grow besides the compiled cache, beyond what graphql-js alone grows by under the same flood: noise of two GCs. */
const HEAP_SLACK_BYTES = 8 * 1024 * 1024;
/** The gauge the bounded cache reports its size in, when the app has one. */
const CACHE_METRIC = 'graphql_compiled_cache_bytes';
/** Requests in flight during a flood; each sends its document twice in a row. */
const CONCURRENCY = 4;
/** Aliased root fields per document: the operation limits' default allows 15 aliases. */
const ALIASES = 15;

const ACCOUNT_FIELDS =
  'id username name connectionStatus priceTier price currency followersCount followingCount mediaCount biography website ' +
  'profilePictureUrl accountType provider platform platformUserId connectedAt lastSyncedAt tokenExpiresAt needsReconnectBy statusReason updatedAt';
const CHANGE_FIELDS = 'status previousStatus reason changedAt cursor';

/**
 * One distinct valid document of ~9 KB: ALIASES aliased `socialAccounts` with every scalar and a
 * nested `statusHistory { account { … } }`, its aliases named after `prefix` and `n`, so each
 * document is new text to the server (Apollo's document store and the compiled cache alike) while
 * the work it asks for stays the same.
 */
export function floodDocument(prefix: string, n: number): string {
  const block = (k: number) => `${prefix}${n}x${k}: socialAccounts { ${ACCOUNT_FIELDS} statusHistory { ${CHANGE_FIELDS} account { ${ACCOUNT_FIELDS} } } }`;
  return `query Flood${prefix}${n} {\n${Array.from({ length: ALIASES }, (_, k) => `  ${block(k)}`).join('\n')}\n}`;
}

interface PhaseResult {
  documents: number;
  requests: number;
  /** Heap used after two full GCs, after the phase minus before it. */
  heapGrowth: number;
  heapAfter: number;
  /** The server's event-loop delay over the phase (prom-client's histogram, reset by each scrape). */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** Client-observed latency of the first and second send of each document. */
  firstSendMs: { p50: number; p99: number; max: number };
  secondSendMs: { p50: number; p99: number; max: number };
  /** graphql_executions_total{executor="jit"} during the phase. */
  compiledRuns: number;
  /** The compiled cache's own gauge after the phase, when the app has one. */
  cacheBytes?: number;
  unexpectedAnswers: number;
  firstUnexpected?: string;
}

interface ServerResult {
  executor: 'jit' | 'graphql-js';
  heapBefore: number;
  anonymous: PhaseResult;
  authenticated: PhaseResult;
  hasCacheMetric: boolean;
}

/**
 * 8. Distinct documents flooding the server, each sent twice (a compiling executor compiles a
 * document on its second use): first without a token (anyone can send these), then as a member.
 * Per phase: the server's heap growth after forced GCs, its event-loop delay, the latency of first
 * and second sends. The members have no accounts, so answers are small and the figures are the
 * documents' cost. The same flood against GRAPHQL_EXECUTOR=graphql-js is the baseline: what
 * Apollo's document store and everything else grow by without a compiled cache. With a bounded
 * compiled cache (its gauge graphql_compiled_cache_bytes present), the target is that the extra
 * growth stays within the configured bound plus a small constant.
 */
export const documentFlood: Scenario = {
  id: 'document-flood',
  title: '8. Document flood',
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const documents = ctx.quick ? 100 : 500;
    // Members without accounts: every answer is 15 empty lists, so the phase measures what the
    // documents cost the server (parse, validate, compile, cache), not building large answers.
    const tokens = Array.from({ length: 20 }, (_, i) => memberToken(`document-flood-${i}`));
    const env = { GRAPHQL_COMPILED_CACHE_BYTES: String(CACHE_BOUND_BYTES) };

    const results: ServerResult[] = [];
    for (const executor of ['jit', 'graphql-js'] as const) {
      ctx.log(
        `${executor}: ${int(documents)} anonymous then ${int(documents)} authenticated distinct documents (${kb(floodDocument('anon', 0).length)} each), each sent twice`,
      );
      const app = await ctx.startServer(`document-flood-${executor}`, { ...env, GRAPHQL_EXECUTOR: executor });
      try {
        results.push(await floodServer(app, executor, documents, tokens));
      } finally {
        await app.stop();
      }
    }

    const [jit, graphqlJs] = results;
    const bounded = jit.hasCacheMetric;
    const rows: ResultRow[] = [];
    for (const phase of ['anonymous', 'authenticated'] as const) {
      const ours = jit[phase];
      const theirs = graphqlJs[phase];
      const extra = ours.heapGrowth - theirs.heapGrowth;
      rows.push(
        {
          measure: `${phase}: heap growth after GC, ${int(ours.documents)} docs ×2 (jit vs graphql-js)`,
          ours: `${mb(ours.heapGrowth)}${ours.cacheBytes === undefined ? '' : ` (cache ${mb(ours.cacheBytes)})`}`,
          baseline: mb(theirs.heapGrowth),
          target: bounded ? `extra ≤ ${mb(CACHE_BOUND_BYTES + HEAP_SLACK_BYTES)}` : undefined,
          pass: bounded ? extra <= CACHE_BOUND_BYTES + HEAP_SLACK_BYTES && ours.unexpectedAnswers === 0 : undefined,
        },
        {
          measure: `${phase}: event-loop delay p99 / max`,
          ours: `${ms(ours.loopDelayP99Ms)} / ${ms(ours.loopDelayMaxMs)}`,
          baseline: `${ms(theirs.loopDelayP99Ms)} / ${ms(theirs.loopDelayMaxMs)}`,
        },
        {
          measure: `${phase}: 2nd-send latency p50 / p99 (1st-send p50)`,
          ours: `${ms(ours.secondSendMs.p50)} / ${ms(ours.secondSendMs.p99)} (${ms(ours.firstSendMs.p50)})`,
          baseline: `${ms(theirs.secondSendMs.p50)} / ${ms(theirs.secondSendMs.p99)} (${ms(theirs.firstSendMs.p50)})`,
        },
      );
    }
    const notes = [
      `Compiled runs (graphql_executions_total{executor="jit"}): anonymous ${int(jit.anonymous.compiledRuns)}, authenticated ${int(jit.authenticated.compiledRuns)} of ${int(documents * 2)} requests each.`,
      bounded
        ? `The compiled cache reports ${mb(jit.authenticated.cacheBytes ?? 0)} after the flood; bound GRAPHQL_COMPILED_CACHE_BYTES=${mb(CACHE_BOUND_BYTES)}.`
        : `The app has no ${CACHE_METRIC} gauge: its compiled cache is not bounded by memory, so no target is checked.`,
      `Heap after GC before the floods: jit ${mb(jit.heapBefore)}, graphql-js ${mb(graphqlJs.heapBefore)}; after both: jit ${mb(jit.authenticated.heapAfter)}, graphql-js ${mb(graphqlJs.authenticated.heapAfter)}.`,
      ...results.flatMap((r) =>
        (['anonymous', 'authenticated'] as const)
          .filter((p) => r[p].unexpectedAnswers)
          .map((p) => `${r.executor}, ${p}: ${r[p].unexpectedAnswers} unexpected answers, e.g. ${r[p].firstUnexpected}`),
      ),
    ];
    return {
      rows,
      notes,
      details: { documents, concurrency: CONCURRENCY, documentBytes: floodDocument('anon', 0).length, cacheBoundBytes: CACHE_BOUND_BYTES, results },
    };
  },
};

async function floodServer(app: AppServer, executor: 'jit' | 'graphql-js', documents: number, tokens: string[]): Promise<ServerResult> {
  // Warm the paths both phases take (first requests load code, fill pools), then start measuring.
  await post(app.url, floodDocument('warm', 0), null);
  await post(app.url, floodDocument('warm', 1), tokens[0]);
  const heapBefore = (await app.memory()).heapUsed;
  const initial = await scrape(app.url); // also resets the event-loop delay histogram
  const hasCacheMetric = sample(initial, CACHE_METRIC) !== undefined;

  const anonymous = await phase(
    app,
    'anon',
    documents,
    () => null,
    heapBefore,
    initial,
    (body) => /"code":"UNAUTHENTICATED"/.test(body),
  );
  let next = 0;
  const authenticated = await phase(
    app,
    'member',
    documents,
    () => tokens[next++ % tokens.length],
    anonymous.heapAfter,
    anonymous.metricsAfter,
    (body) => body.startsWith('{"data":{"member') && !body.includes('"errors"'),
  );
  return { executor, heapBefore, anonymous, authenticated, hasCacheMetric };
}

async function phase(
  app: AppServer,
  prefix: string,
  documents: number,
  token: () => string | null,
  heapBefore: number,
  metricsBefore: Map<string, number>,
  expected: (body: string) => boolean,
): Promise<PhaseResult & { metricsAfter: Map<string, number> }> {
  const first: number[] = [];
  const second: number[] = [];
  let unexpectedAnswers = 0;
  let firstUnexpected: string | undefined;
  let nextDocument = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let n = nextDocument++; n < documents; n = nextDocument++) {
        const query = floodDocument(prefix, n);
        const bearer = token();
        for (const times of [first, second]) {
          const { body, elapsedMs } = await post(app.url, query, bearer);
          times.push(elapsedMs);
          if (!expected(body)) {
            unexpectedAnswers++;
            firstUnexpected ??= body.slice(0, 300);
          }
        }
      }
    }),
  );
  const heapAfter = (await app.memory()).heapUsed;
  const metricsAfter = await scrape(app.url);
  const jitRuns = (m: Map<string, number>) => sample(m, 'graphql_executions_total', 'executor="jit"') ?? 0;
  return {
    documents,
    requests: documents * 2,
    heapGrowth: heapAfter - heapBefore,
    heapAfter,
    loopDelayP99Ms: (sample(metricsAfter, 'nodejs_eventloop_lag_p99_seconds') ?? Number.NaN) * 1000,
    loopDelayMaxMs: (sample(metricsAfter, 'nodejs_eventloop_lag_max_seconds') ?? Number.NaN) * 1000,
    firstSendMs: latency(first),
    secondSendMs: latency(second),
    compiledRuns: jitRuns(metricsAfter) - jitRuns(metricsBefore),
    cacheBytes: sample(metricsAfter, CACHE_METRIC),
    unexpectedAnswers,
    firstUnexpected,
    metricsAfter,
  };
}

function latency(values: number[]): { p50: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? Number.NaN };
}

async function post(url: string, query: string, token: string | null): Promise<{ body: string; elapsedMs: number }> {
  const started = performance.now();
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  const body = await response.text();
  return { body, elapsedMs: performance.now() - started };
}

/** The server's /metrics as `name{labels}` → value (samples without labels under their bare name). */
async function scrape(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

/** The sum of a metric's samples whose labels include `label` (e.g. `executor="jit"`); undefined when it has none. */
function sample(metrics: Map<string, number>, name: string, label?: string): number | undefined {
  let sum: number | undefined;
  for (const [key, value] of metrics) {
    const brace = key.indexOf('{');
    if ((brace < 0 ? key : key.slice(0, brace)) !== name) continue;
    if (label && (brace < 0 || !key.slice(brace).includes(label))) continue;
    sum = (sum ?? 0) + value;
  }
  return sum;
}

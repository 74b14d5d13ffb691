import autocannon from 'autocannon';
import { CpuMeter, type CpuUse } from './cpu';

export interface LoadOptions {
  /** Base URL of the server; requests go to POST /graphql. */
  url: string;
  /** Pre-signed JWTs; each request takes the next one, so load spreads across members. */
  tokens: string[];
  body: string;
  connections: number;
  warmupSeconds: number;
  seconds: number;
  /** True when a 200 body is a correct answer (not an `errors` payload). */
  isValid: (body: string) => boolean;
  /** For the CPU split. */
  serverPid?: number;
  database: string;
}

export interface LoadResult {
  requests: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number; mean: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  invalidBodies: number;
  cpu: CpuUse;
}

/**
 * Closed-loop HTTP load with autocannon: `connections` keep-alive connections each send the next
 * request as soon as the previous answer arrived. A warm-up run (discarded) comes first. Every
 * body is checked, so a fast stream of errors never passes for throughput.
 */
export async function httpLoad(options: LoadOptions): Promise<LoadResult> {
  if (options.warmupSeconds > 0) await run(options, options.warmupSeconds);
  const meter = new CpuMeter(options.serverPid, options.database);
  const { result, invalid } = await run(options, options.seconds);
  const cpu = meter.stop();
  return {
    requests: result.requests.total,
    requestsPerSecond: result.requests.total / (result.duration || options.seconds),
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max, mean: result.latency.mean },
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    invalidBodies: invalid,
    cpu,
  };
}

async function run(options: LoadOptions, seconds: number): Promise<{ result: autocannon.Result; invalid: number }> {
  let next = 0;
  let invalid = 0;
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: '/graphql',
        setupRequest: (request) => ({
          ...request,
          body: options.body,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${options.tokens[next++ % options.tokens.length]}` },
        }),
        onResponse: (status, body) => {
          if (status === 200 && !options.isValid(body)) invalid++;
        },
      },
    ],
  });
  return { result, invalid };
}

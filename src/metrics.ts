import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics, one registry per app instance (tests run several in one process). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    metaCalls: new Counter({
      name: 'meta_calls_total',
      help: 'Calls to Meta by host and outcome',
      labelNames: ['host', 'outcome'] as const,
      registers: [registry],
    }),
    rateLimitPauses: new Counter({
      name: 'meta_rate_limit_pauses_total',
      help: 'Times calls to Meta were paused to respect its rate limits',
      labelNames: ['scope'] as const,
      registers: [registry],
    }),
    refreshes: new Counter({
      name: 'token_refreshes_total',
      help: 'Token refreshes and grant checks by outcome',
      labelNames: ['kind', 'outcome'] as const,
      registers: [registry],
    }),
    subscriptions: new Gauge({ name: 'graphql_subscriptions_active', help: 'Active GraphQL subscriptions on this instance', registers: [registry] }),
    accountsByStatus: new Gauge({
      name: 'social_accounts',
      help: 'Linked accounts by connection status',
      labelNames: ['status'] as const,
      registers: [registry],
    }),
    graphqlExecutions: new Counter({
      name: 'graphql_executions_total',
      help: 'GraphQL operations executed over HTTP, by executor (jit: compiled by graphql-jit; graphql-js: the fallback)',
      labelNames: ['executor'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

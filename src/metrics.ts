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
    wsPayloadsSerialized: new Counter({
      name: 'graphql_ws_payloads_serialized_total',
      help: 'GraphQL WebSocket next payloads serialized: once per shared result, however many sockets it goes to',
      registers: [registry],
    }),
    wsNextFrames: new Counter({
      name: 'graphql_ws_next_frames_total',
      help: 'GraphQL WebSocket next messages sent, each carrying a payload serialized once for all sockets sharing it',
      registers: [registry],
    }),
    accountsByStatus: new Gauge({
      name: 'social_accounts',
      help: 'Linked accounts by connection status',
      labelNames: ['status'] as const,
      registers: [registry],
    }),
    appCredentialsOk: new Gauge({
      name: 'meta_app_credentials_ok',
      help: 'Whether Meta accepted our app token (app_id|secret) on the last debug_token: 1 yes, 0 refused',
      labelNames: ['app'] as const,
      registers: [registry],
    }),
    webhookAttempts: new Counter({
      name: 'webhook_delivery_attempts_total',
      help: 'Status webhook delivery attempts by this instance, by outcome (delivered, retry, failed)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    webhookDeliveries: new Gauge({
      name: 'webhook_deliveries',
      help: 'Status webhook deliveries in the database by state (pending, delivered, failed)',
      labelNames: ['state'] as const,
      registers: [registry],
    }),
    webhookDeliveriesRetried: new Gauge({
      name: 'webhook_deliveries_retried',
      help: 'Status webhook deliveries in the database that needed more than one attempt',
      registers: [registry],
    }),
    webhookOldestPendingAge: new Gauge({
      name: 'webhook_oldest_pending_age_seconds',
      help: 'Age of the oldest pending status webhook delivery (0 when none)',
      registers: [registry],
    }),
    limitRefusals: new Counter({
      name: 'limit_refusals_total',
      help: 'Requests, subscriptions and sockets refused by an operation, member or WebSocket limit',
      labelNames: ['limit'] as const,
      registers: [registry],
    }),
    oauthStatesEvicted: new Counter({
      name: 'oauth_states_evicted_total',
      help: 'Pending OAuth states deleted because a member went over OAUTH_MAX_PENDING_STATES',
      registers: [registry],
    }),
    syncsCoalesced: new Counter({
      name: 'account_syncs_coalesced_total',
      help: 'Syncs answered without a Meta call of their own, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    storedTokens: new Gauge({
      name: 'stored_tokens',
      help: 'Encrypted tokens in the database by the key id that sealed them; key is current, old (TOKEN_ENCRYPTION_OLD_KEYS) or not_configured',
      labelNames: ['key_id', 'key'] as const,
      registers: [registry],
    }),
    personalDataDeletions: new Gauge({
      name: 'personal_data_deletions_completed',
      help:
        'Completed personal-data deletions by kind (meta_data_deletion_facebook, meta_data_deletion_instagram, member_erasure), ' +
        'counted from the audit records at scrape time: only ever grows, the same on every instance, CLI erasures included',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    graphqlExecutions: new Counter({
      name: 'graphql_executions_total',
      help: 'GraphQL operations executed (HTTP and WebSocket queries and mutations), by executor (jit: compiled by graphql-jit; graphql-js: the rest)',
      labelNames: ['executor'] as const,
      registers: [registry],
    }),
    compiledCacheBytes: new Gauge({
      name: 'graphql_compiled_cache_bytes',
      help: 'Estimated memory held by compiled documents in this process (bounded by GRAPHQL_COMPILED_CACHE_MB)',
      registers: [registry],
    }),
    compiledCacheDocuments: new Gauge({
      name: 'graphql_compiled_cache_documents',
      help: 'Compiled documents held in this process',
      registers: [registry],
    }),
    graphqlOperations: new Counter({
      name: 'graphql_operations_total',
      help: 'GraphQL operations that reached the pipeline, by transport and outcome (executed, refused: a limit, budget or client mistake before execution)',
      labelNames: ['transport', 'outcome'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

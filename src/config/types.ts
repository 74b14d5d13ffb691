import type { PricePolicy } from '../domain/price-policy';

/**
 * The whole runtime configuration. Read and validated once, at startup, from the environment
 * (`loadConfig`); everything else receives a Config and never touches process.env.
 */
export interface Config {
  nodeEnv: string;
  production: boolean;
  host: string;
  port: number;
  /** Public base URL of this service (status pages, docs). */
  publicUrl: string;
  /** Unset: an embedded PostgreSQL is started in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  embeddedPostgresPort: number;
  logLevel: string;
  jwt: JwtConfig;
  oauth: { redirectUris: string[]; stateTtlSeconds: number };
  connectLinks: ConnectLinkConfig;
  meta: MetaConfig;
  tokenKeys: TokenKeySource;
  pricePolicy: PricePolicy;
  worker: WorkerConfig;
  metrics: MetricsConfig;
  websocketKeepAliveMs: number;
  /** `jit`: queries run compiled by graphql-jit (graphql-js for the rest); `graphql-js`: everything through graphql-js. */
  graphqlExecutor: 'jit' | 'graphql-js';
  /** The compiled-document cache: its memory bound (estimated bytes) and the largest operation compiled (fields selected). */
  compiledDocuments: { cacheBytes: number; maxFields: number };
  /** Port of the operational routes (/healthz, /readyz, /metrics) when running as `npm run worker`. */
  workerPort: number;
  /** connection_event rows older than this are pruned by the worker; a cursor older than this is CURSOR_EXPIRED. */
  statusEventRetentionDays: number;
  /** True when running against the built-in Meta emulator (no Meta credentials, not production). */
  sandbox: boolean;
  /** Schema introspection over GraphQL (INTROSPECTION); off also hides field suggestions. */
  introspection: boolean;
  limits: LimitsConfig;
  /** Why the development defaults were used; printed loudly at startup. */
  developmentDefaults: string[];
  /** Signed status webhooks to the platform's backend (docs/api.md "Status webhooks", docs/operations.md "Webhook delivery"). */
  webhooks: WebhookConfig;
  /** LOG_FORMAT: `auto` (pretty on a terminal outside production), `json` or `pretty`. */
  logFormat: 'auto' | 'json' | 'pretty';
  /** CORS_ORIGINS: exact browser origins allowed to call /graphql and the REST facade with credentials. */
  corsOrigins: string[];
  /** MIGRATE_ON_START (default on): apply pending migrations at startup, one process at a time. */
  migrateOnStart: boolean;
  /** DATABASE_POOL_MAX: connections per process in the ORM pool (plus one LISTEN connection for events). */
  databasePoolMax: number;
  /** OpenTelemetry tracing, on only when OTEL_EXPORTER_OTLP_ENDPOINT is set. */
  tracing?: TracingConfig;
}

export interface WebhookConfig {
  /** STATUS_WEBHOOK_URL, comma separated. Empty: nothing is queued or sent. */
  endpoints: string[];
  /** Standard Webhooks secret, `whsec_<base64>`; set whenever endpoints are. */
  secret?: string;
  /** Sandbox without STATUS_WEBHOOK_URL: bootstrap points the endpoint at the built-in receiver once it listens. */
  sandboxReceiver: boolean;
  /** Per-request timeout; a slower endpoint counts as down. */
  timeoutMs: number;
  /** Requests in flight per worker process. */
  concurrency: number;
  pollIntervalMs: number;
  /** First retry delay; doubles per attempt (with jitter) up to retryMaxDelayMs. */
  retryBaseMs: number;
  retryMaxDelayMs: number;
  /** A delivery still failing this long after its event is given up (marked failed). */
  retryHorizonHours: number;
  /** account.reconnect_needed goes out this many days before a known end of access. */
  reconnectNoticeDays: number;
  /** Delivered or failed events older than this are deleted. */
  retentionDays: number;
  /** A pending delivery to an endpoint not in `endpoints`, neither queued nor tried for this long, is failed. */
  endpointRemovalGraceMinutes: number;
}

export interface TracingConfig {
  /** OTLP/HTTP traces endpoint (`$OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces`). */
  tracesUrl: string;
  serviceName: string;
}

export interface JwtConfig {
  /** HS256 shared secret. */
  secret?: string;
  /** PEM public key for RS256/ES256. */
  publicKey?: string;
  /** The identity provider's JWKS (RS256/ES256), keys chosen by `kid`. */
  jwksUrl?: string;
  /** At most one JWKS fetch per this many seconds. */
  jwksCooldownSeconds?: number;
  issuer?: string;
  /** `aud` of member tokens, when set. */
  audience?: string;
  /** The claim naming the member (default `sub`). */
  memberClaim?: string;
  /** `aud` that marks a service token; unset: service tokens are refused. */
  serviceAudience?: string;
}

/** Connect links the platform's backend creates for a member (docs/platform-backend.md). */
export interface ConnectLinkConfig {
  ttlHours: number;
  /** Allowed returnUrl values, compared without their query string; empty: no links. */
  returnUrls: string[];
  /** account.reconnect_needed / account.expired webhooks carry a fresh link. */
  inWebhooks: boolean;
}

export interface MetaApp {
  id: string;
  secret: string;
}

export interface MetaUrls {
  facebookWww: string;
  facebookGraph: string;
  instagramWww: string;
  instagramApi: string;
  instagramGraph: string;
}

export interface MetaConfig {
  graphVersion: string;
  facebook: MetaApp;
  instagram: MetaApp;
  urls: MetaUrls;
  /** Per-request timeout for calls to Meta. */
  timeoutMs: number;
  /** Attempts for transient failures (1 = no retry). */
  maxAttempts: number;
  retryBaseDelayMs: number;
  /** Usage percentage (X-App-Usage / X-Business-Use-Case-Usage) above which calls slow down. */
  usageThrottlePercent: number;
  /** Deauthorize / data deletion callbacks: a signed_request issued longer ago than this is refused (replay). */
  signedRequestMaxAgeSeconds: number;
  /** Data deletion waits this long after its DISCONNECTED events before the rows go, so subscribers can still read them. */
  dataDeletionGraceSeconds: number;
}

export interface TokenKey {
  id: string;
  key: Buffer;
}

export interface TokenKeyring {
  current: TokenKey;
  /** Keys that may still decrypt stored tokens (rotation). */
  old: TokenKey[];
}

/**
 * TOKEN_ENCRYPTION_KEY (and _OLD_KEYS), or, when it is unset outside production, the file of the
 * generated development key: bootstrap (and rotate-keys) create it on first use, parsing never writes.
 */
export type TokenKeySource = TokenKeyring | { developmentKeyFile: string };

export interface WorkerConfig {
  enabled: boolean;
  pollIntervalMs: number;
  batchSize: number;
  leaseSeconds: number;
  syncIntervalHours: number;
  refreshWindowDays: number;
  grantCheckIntervalHours: number;
  dataAccessWarningDays: number;
  failureCeilingHours: number;
  failureDaysBeforeError: number;
}

/** Creator metrics (docs/creator-metrics.md). */
export interface MetricsConfig {
  refresh: boolean;
  refreshHours: number;
  recentPosts: number;
  windowDays: number;
  historyRetentionDays: number;
  batchSize: number;
  /** Ask for the insights scope at connect and read insights where the grant holds it. */
  insights: boolean;
  insightsDays: number;
}

/** Bounds on the work one request and one member can cause (see docs/api.md "Limits"). */
export interface LimitsConfig {
  /** REQUEST_LIMITS=off turns every operation and member limit off (benchmark baselines only). */
  enabled: boolean;
  operation: { maxAliases: number; maxTokens: number; maxDepth: number; maxDirectives: number; maxCost: number; metaMutationCost: number };
  /** Per member, shared by every instance through PostgreSQL; 0 turns a budget off. */
  member: { windowSeconds: number; operations: number; oauthUrls: number; metaMutations: number };
  /** Operations per service caller and window (its own keys, never a member's). */
  serviceOperations: number;
  /** A sync this soon after the last successful one answers the stored figures (0: always ask Meta). */
  syncMinIntervalSeconds: number;
  /** Pending (unused, unexpired) OAuth states kept per member; older ones are deleted. */
  oauthMaxPendingStates: number;
  housekeeping: { intervalMs: number; batchSize: number };
  websocket: { connectionInitTimeoutMs: number; maxMessageBytes: number; maxSubscriptionsPerSocket: number; maxSocketsPerMember: number };
}

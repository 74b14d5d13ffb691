import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_PRICE_POLICY, parsePricePolicy, type PricePolicy } from './services/accounts/price-policy';

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
  meta: MetaConfig;
  tokenKeys: TokenKeyring;
  pricePolicy: PricePolicy;
  worker: WorkerConfig;
  websocketKeepAliveMs: number;
  /** `jit`: queries run compiled by graphql-jit (graphql-js for the rest); `graphql-js`: everything through graphql-js. */
  graphqlExecutor: 'jit' | 'graphql-js';
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
  /** Signed status webhooks to the platform's backend (README "Webhooks"). */
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
  issuer?: string;
  audience?: string;
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

/** Bounds on the work one request and one member can cause (see README "Limits"). */
export interface LimitsConfig {
  /** REQUEST_LIMITS=off turns every operation and member limit off (benchmark baselines only). */
  enabled: boolean;
  operation: { maxAliases: number; maxTokens: number; maxDepth: number; maxDirectives: number; maxCost: number; metaMutationCost: number };
  /** Per member, shared by every instance through PostgreSQL; 0 turns a budget off. */
  member: { windowSeconds: number; operations: number; oauthUrls: number; metaMutations: number };
  /** A sync this soon after the last successful one answers the stored figures (0: always ask Meta). */
  syncMinIntervalSeconds: number;
  /** Pending (unused, unexpired) OAuth states kept per member; older ones are deleted. */
  oauthMaxPendingStates: number;
  housekeeping: { intervalMs: number; batchSize: number };
  websocket: { connectionInitTimeoutMs: number; maxMessageBytes: number; maxSubscriptionsPerSocket: number; maxSocketsPerMember: number };
}

export const META_DEFAULT_URLS: MetaUrls = {
  facebookWww: 'https://www.facebook.com',
  facebookGraph: 'https://graph.facebook.com',
  instagramWww: 'https://www.instagram.com',
  instagramApi: 'https://api.instagram.com',
  instagramGraph: 'https://graph.instagram.com',
};

/** Used only outside production when no JWT key is configured, so `npm run token` works out of the box. */
export const DEVELOPMENT_JWT_SECRET = 'development-only-jwt-secret-do-not-use-in-production';

/** Placeholder app credentials the sandbox gives to the emulator and to our clients alike. */
export const SANDBOX_APPS = {
  facebook: { id: '100000000000001', secret: 'sandbox-facebook-app-secret' },
  instagram: { id: '100000000000002', secret: 'sandbox-instagram-app-secret' },
} as const;

/** Public, like the development JWT secret: signs webhooks to the sandbox's own receiver only. */
export const SANDBOX_WEBHOOK_SECRET = `whsec_${Buffer.from('sandbox-webhook-secret-not-for-production').toString('base64')}`;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Reads and validates the environment. Throws ConfigError listing every problem at once. */
export function loadConfig(env: Env, options: { cwd?: string } = {}): Config {
  const cwd = options.cwd ?? process.cwd();
  const problems: string[] = [];
  const developmentDefaults: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };

  const nodeEnv = read('NODE_ENV') ?? 'development';
  const production = nodeEnv === 'production';

  const port = parseInteger(read('PORT') ?? '4000', 'PORT', problems, { min: 0, max: 65535 });
  const host = read('HOST') ?? '0.0.0.0';
  const dataDir = path.resolve(cwd, read('DATA_DIR') ?? '.data');
  const embeddedPostgresPort = parseInteger(read('EMBEDDED_POSTGRES_PORT') ?? '54329', 'EMBEDDED_POSTGRES_PORT', problems, {
    min: 1,
    max: 65535,
  });

  const databaseUrl = read('DATABASE_URL');
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  if (!databaseUrl && production) {
    problems.push('DATABASE_URL is required in production (the embedded PostgreSQL is for development only)');
  }

  // --- JWT -------------------------------------------------------------------------------
  const jwt: JwtConfig = {
    secret: read('JWT_SECRET'),
    publicKey: read('JWT_PUBLIC_KEY')?.replace(/\\n/g, '\n'),
    issuer: read('JWT_ISSUER'),
    audience: read('JWT_AUDIENCE'),
  };
  if (jwt.secret && jwt.publicKey) problems.push('Set only one of JWT_SECRET (HS256) and JWT_PUBLIC_KEY (RS256/ES256)');
  if (jwt.secret && jwt.secret.length < 32) problems.push('JWT_SECRET must be at least 32 characters');
  if (jwt.publicKey && !jwt.publicKey.includes('BEGIN')) problems.push('JWT_PUBLIC_KEY must be a PEM public key');
  if (!jwt.secret && !jwt.publicKey) {
    if (production) problems.push('JWT_SECRET or JWT_PUBLIC_KEY is required in production');
    else {
      jwt.secret = DEVELOPMENT_JWT_SECRET;
      developmentDefaults.push('JWT_SECRET is unset: using the public development secret (npm run token signs with it)');
    }
  }

  // --- OAuth -----------------------------------------------------------------------------
  const publicUrlRaw = read('PUBLIC_URL') ?? `http://localhost:${port}`;
  const publicUrl = publicUrlRaw.replace(/\/+$/, '');
  if (!isHttpUrl(publicUrl)) problems.push('PUBLIC_URL must be an http(s) URL');
  const redirectUris = (read('OAUTH_REDIRECT_URIS') ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  if (redirectUris.length === 0) {
    if (production) problems.push('OAUTH_REDIRECT_URIS is required in production (comma separated; the first is the default)');
    else redirectUris.push(`${publicUrl}/oauth/callback`);
  }
  for (const uri of redirectUris) {
    if (!isHttpUrl(uri)) problems.push(`OAUTH_REDIRECT_URIS: "${uri}" is not an absolute http(s) URL`);
    else if (production && !uri.startsWith('https://')) problems.push(`OAUTH_REDIRECT_URIS: "${uri}" must use https in production`);
  }

  // --- Meta ------------------------------------------------------------------------------
  const graphVersion = read('META_GRAPH_VERSION') ?? 'v25.0';
  if (!/^v\d+\.\d+$/.test(graphVersion)) problems.push(`META_GRAPH_VERSION must look like v25.0 (got "${graphVersion}")`);
  const facebook = { id: read('FACEBOOK_APP_ID'), secret: read('FACEBOOK_APP_SECRET') };
  const instagram = { id: read('INSTAGRAM_APP_ID'), secret: read('INSTAGRAM_APP_SECRET') };
  const anyCredential = Boolean(facebook.id || facebook.secret || instagram.id || instagram.secret);
  const sandbox = !anyCredential && !production;
  if (!sandbox) {
    for (const [name, value] of [
      ['FACEBOOK_APP_ID', facebook.id],
      ['FACEBOOK_APP_SECRET', facebook.secret],
      ['INSTAGRAM_APP_ID', instagram.id],
      ['INSTAGRAM_APP_SECRET', instagram.secret],
    ] as const) {
      if (!value) problems.push(`${name} is required${production ? ' in production' : ' once any Meta credential is set'}`);
    }
  }
  const urls: MetaUrls = { ...META_DEFAULT_URLS };
  for (const [key, name] of [
    ['facebookWww', 'FACEBOOK_WWW_URL'],
    ['facebookGraph', 'FACEBOOK_GRAPH_URL'],
    ['instagramWww', 'INSTAGRAM_WWW_URL'],
    ['instagramApi', 'INSTAGRAM_API_URL'],
    ['instagramGraph', 'INSTAGRAM_GRAPH_URL'],
  ] as const) {
    const value = read(name);
    if (value === undefined) continue;
    if (!isHttpUrl(value)) problems.push(`${name} must be an http(s) URL`);
    urls[key] = value.replace(/\/+$/, '');
  }

  const metaTuning = {
    timeoutMs: parseInteger(read('META_TIMEOUT_MS') ?? '10000', 'META_TIMEOUT_MS', problems, { min: 100 }),
    maxAttempts: parseInteger(read('META_MAX_ATTEMPTS') ?? '3', 'META_MAX_ATTEMPTS', problems, { min: 1, max: 10 }),
    retryBaseDelayMs: parseInteger(read('META_RETRY_BASE_DELAY_MS') ?? '200', 'META_RETRY_BASE_DELAY_MS', problems, { min: 0 }),
    usageThrottlePercent: parseNumber(read('META_USAGE_THROTTLE_PERCENT') ?? '80', 'META_USAGE_THROTTLE_PERCENT', problems, { min: 1, max: 100 }),
    signedRequestMaxAgeSeconds: parseInteger(read('META_SIGNED_REQUEST_MAX_AGE_SECONDS') ?? '3600', 'META_SIGNED_REQUEST_MAX_AGE_SECONDS', problems, {
      min: 60,
      max: 7 * 86400,
    }),
    dataDeletionGraceSeconds: parseInteger(read('META_DATA_DELETION_GRACE_SECONDS') ?? '30', 'META_DATA_DELETION_GRACE_SECONDS', problems, { min: 1, max: 86400 }),
  };

  // --- Token encryption -------------------------------------------------------------------
  let tokenKeys: TokenKeyring | undefined;
  const keyRaw = read('TOKEN_ENCRYPTION_KEY');
  if (keyRaw) {
    const current = parseTokenKey(keyRaw, 'TOKEN_ENCRYPTION_KEY', problems);
    const old = (read('TOKEN_ENCRYPTION_OLD_KEYS') ?? '')
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean)
      .map((k, i) => parseTokenKey(k, `TOKEN_ENCRYPTION_OLD_KEYS[${i}]`, problems))
      .filter((k): k is TokenKey => k !== undefined);
    if (current) tokenKeys = { current, old };
  } else if (production) {
    problems.push('TOKEN_ENCRYPTION_KEY is required in production (base64 of 32 random bytes: `openssl rand -base64 32`)');
  } else {
    tokenKeys = { current: developmentTokenKey(dataDir), old: [] };
    developmentDefaults.push(`TOKEN_ENCRYPTION_KEY is unset: using a generated development key kept in ${dataDir}`);
  }

  // --- Price policy -----------------------------------------------------------------------
  let pricePolicy = DEFAULT_PRICE_POLICY;
  const policyFile = read('PRICE_POLICY_FILE');
  if (policyFile) {
    try {
      const parsed = parsePricePolicy(JSON.parse(readFileSync(path.resolve(cwd, policyFile), 'utf8')));
      if (typeof parsed === 'string') problems.push(`PRICE_POLICY_FILE ${policyFile}: ${parsed}`);
      else pricePolicy = parsed;
    } catch (error) {
      problems.push(`PRICE_POLICY_FILE ${policyFile}: ${(error as Error).message}`);
    }
  }
  const currency = read('PRICE_CURRENCY');
  if (currency) {
    if (!/^[A-Z]{3}$/.test(currency)) problems.push('PRICE_CURRENCY must be an ISO 4217 code such as USD');
    else pricePolicy = { ...pricePolicy, currency };
  }

  // --- Worker -----------------------------------------------------------------------------
  const worker: WorkerConfig = {
    enabled: !isTruthy(read('DISABLE_WORKER')),
    pollIntervalMs: parseInteger(read('WORKER_POLL_INTERVAL_MS') ?? '5000', 'WORKER_POLL_INTERVAL_MS', problems, { min: 10 }),
    batchSize: parseInteger(read('WORKER_BATCH_SIZE') ?? '50', 'WORKER_BATCH_SIZE', problems, { min: 1, max: 1000 }),
    leaseSeconds: parseInteger(read('WORKER_LEASE_SECONDS') ?? '120', 'WORKER_LEASE_SECONDS', problems, { min: 5 }),
    syncIntervalHours: parseNumber(read('SYNC_INTERVAL_HOURS') ?? '24', 'SYNC_INTERVAL_HOURS', problems, { min: 0.01 }),
    refreshWindowDays: parseNumber(read('TOKEN_REFRESH_WINDOW_DAYS') ?? '10', 'TOKEN_REFRESH_WINDOW_DAYS', problems, { min: 1, max: 59 }),
    grantCheckIntervalHours: parseNumber(read('GRANT_CHECK_INTERVAL_HOURS') ?? '24', 'GRANT_CHECK_INTERVAL_HOURS', problems, { min: 0.01 }),
    dataAccessWarningDays: parseNumber(read('DATA_ACCESS_WARNING_DAYS') ?? '7', 'DATA_ACCESS_WARNING_DAYS', problems, { min: 0 }),
    failureCeilingHours: parseNumber(read('FAILURE_BACKOFF_CEILING_HOURS') ?? '24', 'FAILURE_BACKOFF_CEILING_HOURS', problems, { min: 0.01 }),
    failureDaysBeforeError: parseNumber(read('FAILURE_DAYS_BEFORE_ERROR') ?? '7', 'FAILURE_DAYS_BEFORE_ERROR', problems, { min: 0.01 }),
  };

  const workerPort = parseInteger(read('WORKER_PORT') ?? '4100', 'WORKER_PORT', problems, { min: 0, max: 65535 });

  // How often idle WebSocket clients are pinged; one missed pong and the socket is dropped.
  const websocketKeepAliveMs = parseInteger(read('WS_KEEPALIVE_MS') ?? '15000', 'WS_KEEPALIVE_MS', problems, { min: 50 });

  // --- Limits (issue 15): defaults far above what the dashboard, client/operations and REST send.
  const introspectionRaw = read('INTROSPECTION');
  const introspection = introspectionRaw === undefined ? !production : isTruthy(introspectionRaw);
  const int = (name: string, fallback: number, range: { min?: number; max?: number }) => parseInteger(read(name) ?? String(fallback), name, problems, range);
  const requestLimits = (read('REQUEST_LIMITS') ?? 'on').toLowerCase();
  if (!['on', 'off'].includes(requestLimits)) problems.push('REQUEST_LIMITS must be on or off');
  const limits: LimitsConfig = {
    enabled: requestLimits !== 'off',
    operation: {
      maxAliases: int('GRAPHQL_MAX_ALIASES', 15, { min: 1 }),
      maxTokens: int('GRAPHQL_MAX_TOKENS', 2000, { min: 100 }),
      maxDepth: int('GRAPHQL_MAX_DEPTH', 8, { min: 2 }),
      maxDirectives: int('GRAPHQL_MAX_DIRECTIVES', 10, { min: 1 }),
      maxCost: int('GRAPHQL_MAX_COST', 5000, { min: 100 }),
      metaMutationCost: int('GRAPHQL_META_MUTATION_COST', 1000, { min: 1 }),
    },
    member: {
      windowSeconds: int('RATE_LIMIT_WINDOW_SECONDS', 60, { min: 1, max: 86400 }),
      operations: int('RATE_LIMIT_OPERATIONS', 300, { min: 0 }),
      oauthUrls: int('RATE_LIMIT_OAUTH_URLS', 20, { min: 0 }),
      metaMutations: int('RATE_LIMIT_META_MUTATIONS', 30, { min: 0 }),
    },
    syncMinIntervalSeconds: int('SYNC_MIN_INTERVAL_SECONDS', 30, { min: 0, max: 86400 }),
    oauthMaxPendingStates: int('OAUTH_MAX_PENDING_STATES', 10, { min: 1, max: 1000 }),
    housekeeping: {
      intervalMs: int('HOUSEKEEPING_INTERVAL_SECONDS', 300, { min: 1 }) * 1000,
      batchSize: int('HOUSEKEEPING_BATCH_SIZE', 500, { min: 1, max: 10000 }),
    },
    websocket: {
      connectionInitTimeoutMs: int('WS_CONNECTION_INIT_TIMEOUT_MS', 3000, { min: 100 }),
      maxMessageBytes: int('WS_MAX_MESSAGE_BYTES', 65536, { min: 1024 }),
      maxSubscriptionsPerSocket: int('WS_MAX_SUBSCRIPTIONS_PER_SOCKET', 20, { min: 1 }),
      maxSocketsPerMember: int('WS_MAX_SOCKETS_PER_MEMBER', 20, { min: 1 }),
    },
  };

  const statusEventRetentionDays = parseNumber(read('STATUS_EVENT_RETENTION_DAYS') ?? '30', 'STATUS_EVENT_RETENTION_DAYS', problems, { min: 1, max: 3650 });

  // The compiled executor answers exactly as graphql-js does; graphql-js alone stays selectable for A/B and as an escape hatch.
  const graphqlExecutor = read('GRAPHQL_EXECUTOR') ?? 'jit';
  if (graphqlExecutor !== 'jit' && graphqlExecutor !== 'graphql-js') problems.push('GRAPHQL_EXECUTOR must be jit or graphql-js');

  const logLevel = read('LOG_LEVEL') ?? (nodeEnv === 'test' ? 'warn' : 'info');
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    problems.push('LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent');
  }

  const webhooks = readWebhookConfig(read, { production, sandbox }, problems, developmentDefaults);

  // --- Production operations (issue 17) ----------------------------------------------------
  const logFormat = (read('LOG_FORMAT') ?? 'auto') as Config['logFormat'];
  if (!['auto', 'json', 'pretty'].includes(logFormat)) problems.push('LOG_FORMAT must be one of auto, json, pretty');
  const corsOrigins = parseOrigins(read('CORS_ORIGINS'), problems);
  const migrateOnStart = read('MIGRATE_ON_START') === undefined || isTruthy(read('MIGRATE_ON_START'));
  const databasePoolMax = parseInteger(read('DATABASE_POOL_MAX') ?? '10', 'DATABASE_POOL_MAX', problems, { min: 1, max: 500 });
  let tracing: TracingConfig | undefined;
  const otlpEndpoint = read('OTEL_EXPORTER_OTLP_ENDPOINT');
  if (otlpEndpoint) {
    if (!isHttpUrl(otlpEndpoint)) problems.push('OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL (the collector, e.g. http://otel-collector:4318)');
    // The OpenTelemetry convention: the generic endpoint gets the signal's path appended.
    tracing = { tracesUrl: `${otlpEndpoint.replace(/\/+$/, '')}/v1/traces`, serviceName: read('OTEL_SERVICE_NAME') ?? 'instagram-connect' };
  }

  if (problems.length > 0 || !tokenKeys) throw new ConfigError(problems);

  return {
    nodeEnv,
    production,
    host,
    port,
    publicUrl,
    databaseUrl,
    dataDir,
    embeddedPostgresPort,
    logLevel,
    jwt,
    oauth: { redirectUris, stateTtlSeconds: 600 },
    meta: {
      graphVersion,
      facebook: sandbox ? { ...SANDBOX_APPS.facebook } : { id: facebook.id!, secret: facebook.secret! },
      instagram: sandbox ? { ...SANDBOX_APPS.instagram } : { id: instagram.id!, secret: instagram.secret! },
      urls,
      ...metaTuning,
    },
    tokenKeys,
    pricePolicy,
    worker,
    websocketKeepAliveMs,
    graphqlExecutor: graphqlExecutor as Config['graphqlExecutor'],
    workerPort,
    statusEventRetentionDays,
    sandbox,
    introspection,
    limits,
    developmentDefaults,
    webhooks,
    logFormat,
    corsOrigins,
    migrateOnStart,
    databasePoolMax,
    tracing,
  };
}

function readWebhookConfig(
  read: (name: string) => string | undefined,
  mode: { production: boolean; sandbox: boolean },
  problems: string[],
  developmentDefaults: string[],
): WebhookConfig {
  const endpoints = (read('STATUS_WEBHOOK_URL') ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  for (const url of endpoints) {
    if (!isHttpUrl(url)) problems.push(`STATUS_WEBHOOK_URL: "${redactUrl(url)}" is not an absolute http(s) URL`);
    else if (mode.production && !url.startsWith('https://')) problems.push(`STATUS_WEBHOOK_URL: "${redactUrl(url)}" must use https in production`);
  }
  if (new Set(endpoints).size !== endpoints.length) problems.push('STATUS_WEBHOOK_URL lists the same URL twice');
  let secret = read('STATUS_WEBHOOK_SECRET');
  if (secret) {
    // Standard Webhooks: "whsec_" then base64 of 24 to 64 random bytes.
    const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(secret);
    const bytes = match ? Buffer.from(match[1], 'base64').length : 0;
    if (!match || bytes < 24 || bytes > 64) {
      problems.push('STATUS_WEBHOOK_SECRET must be whsec_ followed by base64 of 24 to 64 random bytes (e.g. `echo whsec_$(openssl rand -base64 32)`)');
    }
  }
  const sandboxReceiver = mode.sandbox && endpoints.length === 0;
  if (endpoints.length > 0 && !secret) {
    if (mode.sandbox) secret = SANDBOX_WEBHOOK_SECRET;
    else problems.push('STATUS_WEBHOOK_SECRET is required when STATUS_WEBHOOK_URL is set');
  }
  if (sandboxReceiver) {
    secret ??= SANDBOX_WEBHOOK_SECRET;
    developmentDefaults.push('STATUS_WEBHOOK_URL is unset: status webhooks go to the built-in receiver at /sandbox/webhooks');
  }
  const retryHorizonHours = parseNumber(read('WEBHOOK_RETRY_HORIZON_HOURS') ?? '72', 'WEBHOOK_RETRY_HORIZON_HOURS', problems, { min: 0.01, max: 30 * 24 });
  const retentionDays = parseNumber(read('WEBHOOK_RETENTION_DAYS') ?? '30', 'WEBHOOK_RETENTION_DAYS', problems, { min: 1 });
  if (retentionDays * 24 < retryHorizonHours) problems.push('WEBHOOK_RETENTION_DAYS must cover WEBHOOK_RETRY_HORIZON_HOURS');
  return {
    endpoints,
    secret,
    sandboxReceiver,
    timeoutMs: parseInteger(read('WEBHOOK_TIMEOUT_MS') ?? '10000', 'WEBHOOK_TIMEOUT_MS', problems, { min: 100, max: 120_000 }),
    concurrency: parseInteger(read('WEBHOOK_CONCURRENCY') ?? '8', 'WEBHOOK_CONCURRENCY', problems, { min: 1, max: 64 }),
    pollIntervalMs: parseInteger(read('WEBHOOK_POLL_INTERVAL_MS') ?? '1000', 'WEBHOOK_POLL_INTERVAL_MS', problems, { min: 10 }),
    retryBaseMs: parseInteger(read('WEBHOOK_RETRY_BASE_MS') ?? '5000', 'WEBHOOK_RETRY_BASE_MS', problems, { min: 1 }),
    retryMaxDelayMs: parseInteger(read('WEBHOOK_RETRY_MAX_DELAY_MS') ?? '3600000', 'WEBHOOK_RETRY_MAX_DELAY_MS', problems, { min: 1 }),
    retryHorizonHours,
    reconnectNoticeDays: parseNumber(read('WEBHOOK_RECONNECT_NOTICE_DAYS') ?? '7', 'WEBHOOK_RECONNECT_NOTICE_DAYS', problems, { min: 0.01, max: 59 }),
    retentionDays,
  };
}

/** An endpoint as it may appear in messages and logs: no credentials, query or fragment. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return '(not a URL)';
  }
}

/** Exact origins only: with credentials a browser refuses `*`, and a pattern is one typo from "anyone". */
function parseOrigins(raw: string | undefined, problems: string[]): string[] {
  const origins: string[] = [];
  for (const entry of (raw ?? '').split(',').map((o) => o.trim()).filter(Boolean)) {
    let url: URL | undefined;
    try {
      url = new URL(entry);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== entry.replace(/\/+$/, '')) {
      problems.push(`CORS_ORIGINS: "${entry}" is not an exact origin (scheme://host[:port], no path, no wildcard)`);
    } else origins.push(url.origin);
  }
  return origins;
}

function parseTokenKey(raw: string, name: string, problems: string[]): TokenKey | undefined {
  // Accept "kid:base64" to name a key explicitly; a bare base64 key gets a fingerprint id.
  const match = /^([A-Za-z0-9_-]{1,32}):(.+)$/.exec(raw);
  const encoded = match ? match[2] : raw;
  const key = Buffer.from(encoded, 'base64');
  if (key.length !== 32 || key.toString('base64').replace(/=+$/, '') !== encoded.replace(/=+$/, '')) {
    problems.push(`${name} must be base64 of exactly 32 bytes (generate one with \`openssl rand -base64 32\`)`);
    return undefined;
  }
  return { id: match ? match[1] : keyFingerprint(key), key };
}

export function keyFingerprint(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/** A development key that survives restarts, so tokens stored in .data stay readable. */
function developmentTokenKey(dataDir: string): TokenKey {
  const file = path.join(dataDir, 'development-token-key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
  }
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  return { id: `dev-${keyFingerprint(key)}`, key };
}

function parseInteger(raw: string, name: string, problems: string[], range: { min?: number; max?: number } = {}): number {
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(value)) {
    problems.push(`${name} must be a whole number (got "${raw}")`);
    return 0;
  }
  return checkRange(value, name, problems, range);
}

function parseNumber(raw: string, name: string, problems: string[], range: { min?: number; max?: number } = {}): number {
  const value = Number(raw);
  if (raw === '' || !Number.isFinite(value)) {
    problems.push(`${name} must be a number (got "${raw}")`);
    return 0;
  }
  return checkRange(value, name, problems, range);
}

function checkRange(value: number, name: string, problems: string[], { min, max }: { min?: number; max?: number }): number {
  if ((min !== undefined && value < min) || (max !== undefined && value > max)) {
    problems.push(`${name} must be between ${min ?? '-∞'} and ${max ?? '∞'} (got ${value})`);
  }
  return value;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function isTruthy(value: string | undefined): boolean {
  return value !== undefined && ['1', 'true', 'yes', 'on'].includes(value.toLowerCase());
}

/** For entry points: the config, or a clear message and exit code 78 (EX_CONFIG). */
export function loadConfigOrExit(env: Env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`Cannot start: ${error.message}`);
    process.exit(78);
  }
}

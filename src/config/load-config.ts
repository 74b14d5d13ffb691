import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_PRICE_POLICY, parsePricePolicy, type PricePolicy } from '../domain/price-policy';
import { DEVELOPMENT_JWT_SECRET, DEVELOPMENT_TOKEN_KEY_FILE, SANDBOX_APPS, SANDBOX_WEBHOOK_SECRET } from './constants';
import { readVariables, redactUrl, type Env, type Mode, type Problems, type Values } from './parsers';
import type { Config, JwtConfig, MetaApp, TokenKeySource, WebhookConfig } from './types';
import { VARIABLES } from './variables';
import { describeError } from '../describe-error';

type Settings = Values<typeof VARIABLES>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads and validates the environment: every variable of the table (variables.ts), then the rules
 * that involve several of them. Throws ConfigError listing every problem at once. Reads
 * PRICE_POLICY_FILE; writes nothing (the development token key file is bootstrap's).
 */
export function loadConfig(env: Env, options: { cwd?: string } = {}): Config {
  const cwd = options.cwd ?? process.cwd();
  const problems: Problems = [];
  const developmentDefaults: string[] = [];
  // NODE_ENV first: other defaults depend on it.
  const nodeEnv = readVariables({ NODE_ENV: VARIABLES.NODE_ENV }, env, { nodeEnv: 'development', production: false }, []).values.NODE_ENV;
  const mode: Mode = { nodeEnv, production: nodeEnv === 'production' };
  const { production } = mode;
  const { values: settings, invalid } = readVariables(VARIABLES, env, mode, problems);
  const dataDir = path.resolve(cwd, settings.DATA_DIR);

  if (!settings.DATABASE_URL && production) problems.push('DATABASE_URL is required in production (the embedded PostgreSQL is for development only)');
  const jwt = jwtConfig(settings, production, problems, developmentDefaults);
  const publicUrl = settings.PUBLIC_URL ?? `http://localhost:${settings.PORT}`;
  const redirectUris = oauthRedirectUris(settings.OAUTH_REDIRECT_URIS, publicUrl, production, problems);
  const apps = metaApps(settings, production, problems);
  const sandbox = apps === undefined;
  // A key that is set but bad is already listed; defaulting it would only add a misleading second problem.
  const tokenKeys = invalid.has('TOKEN_ENCRYPTION_KEY') ? undefined : tokenKeySource(settings, dataDir, production, problems, developmentDefaults);
  const pricePolicy = readPricePolicy(settings, cwd, problems);
  const webhooks = webhookConfig(settings, { production, sandbox }, problems, developmentDefaults);
  const otlpEndpoint = settings.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (settings.WEBHOOK_RECONNECT_LINKS && settings.CONNECT_LINK_RETURN_URLS.length === 0) {
    problems.push('WEBHOOK_RECONNECT_LINKS needs CONNECT_LINK_RETURN_URLS (its links return to the first one)');
  }

  if (problems.length > 0 || !tokenKeys) throw new ConfigError(problems);

  return {
    nodeEnv,
    production,
    host: settings.HOST,
    port: settings.PORT,
    publicUrl,
    databaseUrl: settings.DATABASE_URL,
    dataDir,
    embeddedPostgresPort: settings.EMBEDDED_POSTGRES_PORT,
    logLevel: settings.LOG_LEVEL,
    jwt,
    oauth: { redirectUris, stateTtlSeconds: 600 },
    connectLinks: {
      ttlHours: settings.CONNECT_LINK_TTL_HOURS,
      returnUrls: connectLinkReturnUrls(settings.CONNECT_LINK_RETURN_URLS, production, problems),
      inWebhooks: settings.WEBHOOK_RECONNECT_LINKS,
    },
    meta: {
      graphVersion: settings.META_GRAPH_VERSION,
      facebook: apps?.facebook ?? { ...SANDBOX_APPS.facebook },
      instagram: apps?.instagram ?? { ...SANDBOX_APPS.instagram },
      urls: {
        facebookWww: settings.FACEBOOK_WWW_URL,
        facebookGraph: settings.FACEBOOK_GRAPH_URL,
        instagramWww: settings.INSTAGRAM_WWW_URL,
        instagramApi: settings.INSTAGRAM_API_URL,
        instagramGraph: settings.INSTAGRAM_GRAPH_URL,
      },
      timeoutMs: settings.META_TIMEOUT_MS,
      maxAttempts: settings.META_MAX_ATTEMPTS,
      retryBaseDelayMs: settings.META_RETRY_BASE_DELAY_MS,
      usageThrottlePercent: settings.META_USAGE_THROTTLE_PERCENT,
      signedRequestMaxAgeSeconds: settings.META_SIGNED_REQUEST_MAX_AGE_SECONDS,
      dataDeletionGraceSeconds: settings.META_DATA_DELETION_GRACE_SECONDS,
    },
    tokenKeys,
    pricePolicy,
    worker: {
      enabled: !settings.DISABLE_WORKER,
      pollIntervalMs: settings.WORKER_POLL_INTERVAL_MS,
      batchSize: settings.WORKER_BATCH_SIZE,
      leaseSeconds: settings.WORKER_LEASE_SECONDS,
      syncIntervalHours: settings.SYNC_INTERVAL_HOURS,
      refreshWindowDays: settings.TOKEN_REFRESH_WINDOW_DAYS,
      grantCheckIntervalHours: settings.GRANT_CHECK_INTERVAL_HOURS,
      dataAccessWarningDays: settings.DATA_ACCESS_WARNING_DAYS,
      failureCeilingHours: settings.FAILURE_BACKOFF_CEILING_HOURS,
      failureDaysBeforeError: settings.FAILURE_DAYS_BEFORE_ERROR,
    },
    metrics: {
      refresh: settings.METRICS_REFRESH,
      refreshHours: settings.METRICS_REFRESH_HOURS,
      recentPosts: settings.METRICS_RECENT_POSTS,
      windowDays: settings.METRICS_WINDOW_DAYS,
      historyRetentionDays: settings.METRICS_HISTORY_RETENTION_DAYS,
      batchSize: settings.METRICS_BATCH_SIZE,
      insights: settings.METRICS_INSIGHTS,
      insightsDays: settings.METRICS_INSIGHTS_DAYS,
    },
    websocketKeepAliveMs: settings.WS_KEEPALIVE_MS,
    graphqlExecutor: settings.GRAPHQL_EXECUTOR,
    compiledDocuments: { cacheBytes: Math.round(settings.GRAPHQL_COMPILED_CACHE_MB * 1024 * 1024), maxFields: settings.GRAPHQL_COMPILE_MAX_FIELDS },
    workerPort: settings.WORKER_PORT,
    statusEventRetentionDays: settings.STATUS_EVENT_RETENTION_DAYS,
    sandbox,
    introspection: settings.INTROSPECTION,
    limits: {
      enabled: settings.REQUEST_LIMITS !== 'off',
      operation: {
        maxAliases: settings.GRAPHQL_MAX_ALIASES,
        maxTokens: settings.GRAPHQL_MAX_TOKENS,
        maxDepth: settings.GRAPHQL_MAX_DEPTH,
        maxDirectives: settings.GRAPHQL_MAX_DIRECTIVES,
        maxCost: settings.GRAPHQL_MAX_COST,
        metaMutationCost: settings.GRAPHQL_META_MUTATION_COST,
      },
      member: {
        windowSeconds: settings.RATE_LIMIT_WINDOW_SECONDS,
        operations: settings.RATE_LIMIT_OPERATIONS,
        oauthUrls: settings.RATE_LIMIT_OAUTH_URLS,
        metaMutations: settings.RATE_LIMIT_META_MUTATIONS,
      },
      serviceOperations: settings.SERVICE_RATE_LIMIT_OPERATIONS,
      syncMinIntervalSeconds: settings.SYNC_MIN_INTERVAL_SECONDS,
      oauthMaxPendingStates: settings.OAUTH_MAX_PENDING_STATES,
      housekeeping: { intervalMs: settings.HOUSEKEEPING_INTERVAL_SECONDS * 1000, batchSize: settings.HOUSEKEEPING_BATCH_SIZE },
      websocket: {
        connectionInitTimeoutMs: settings.WS_CONNECTION_INIT_TIMEOUT_MS,
        maxMessageBytes: settings.WS_MAX_MESSAGE_BYTES,
        maxSubscriptionsPerSocket: settings.WS_MAX_SUBSCRIPTIONS_PER_SOCKET,
        maxSocketsPerMember: settings.WS_MAX_SOCKETS_PER_MEMBER,
      },
    },
    developmentDefaults,
    webhooks,
    logFormat: settings.LOG_FORMAT,
    corsOrigins: settings.CORS_ORIGINS,
    migrateOnStart: settings.MIGRATE_ON_START,
    databasePoolMax: settings.DATABASE_POOL_MAX,
    // The OpenTelemetry convention: the generic endpoint gets the signal's path appended.
    tracing: otlpEndpoint ? { tracesUrl: `${otlpEndpoint}/v1/traces`, serviceName: settings.OTEL_SERVICE_NAME } : undefined,
  };
}

function jwtConfig(settings: Settings, production: boolean, problems: Problems, developmentDefaults: string[]): JwtConfig {
  const jwt: JwtConfig = {
    secret: settings.JWT_SECRET,
    publicKey: settings.JWT_PUBLIC_KEY,
    jwksUrl: settings.JWT_JWKS_URL,
    jwksCooldownSeconds: settings.JWT_JWKS_COOLDOWN_SECONDS,
    issuer: settings.JWT_ISSUER,
    audience: settings.JWT_AUDIENCE,
    memberClaim: settings.JWT_MEMBER_CLAIM,
    serviceAudience: settings.JWT_SERVICE_AUDIENCE,
  };
  if (jwt.secret && jwt.publicKey) problems.push('Set only one of JWT_SECRET (HS256) and JWT_PUBLIC_KEY (RS256/ES256)');
  if (jwt.jwksUrl && production && !jwt.jwksUrl.startsWith('https://')) problems.push('JWT_JWKS_URL must use https in production');
  if (jwt.serviceAudience && jwt.serviceAudience === jwt.audience)
    problems.push('JWT_SERVICE_AUDIENCE must differ from JWT_AUDIENCE (it is what tells a service token from a member token)');
  // With a JWKS, JWT_SECRET stays optional: set, HS256 tokens (development, the sandbox) are accepted beside the provider's.
  if (jwt.secret || jwt.publicKey || jwt.jwksUrl) return jwt;
  if (production) problems.push('JWT_SECRET or JWT_PUBLIC_KEY is required in production');
  else developmentDefaults.push('JWT_SECRET is unset: using the public development secret (npm run token signs with it)');
  return { ...jwt, secret: production ? undefined : DEVELOPMENT_JWT_SECRET };
}

function oauthRedirectUris(configured: string[], publicUrl: string, production: boolean, problems: Problems): string[] {
  if (configured.length === 0) {
    if (production) problems.push('OAUTH_REDIRECT_URIS is required in production (comma separated; the first is the default)');
    return production ? [] : [`${publicUrl}/oauth/callback`];
  }
  for (const uri of configured) if (production && !uri.startsWith('https://')) problems.push(`OAUTH_REDIRECT_URIS: "${uri}" must use https in production`);
  return configured;
}

function connectLinkReturnUrls(configured: string[], production: boolean, problems: Problems): string[] {
  for (const url of configured) {
    if (production && !url.startsWith('https://')) problems.push(`CONNECT_LINK_RETURN_URLS: "${url}" must use https in production`);
    if (url.includes('?') || url.includes('#')) problems.push(`CONNECT_LINK_RETURN_URLS: "${url}" must not carry a query string or fragment`);
  }
  return configured;
}

/** The Meta apps, or undefined for sandbox mode: no credential at all, outside production. */
function metaApps(settings: Settings, production: boolean, problems: Problems): { facebook: MetaApp; instagram: MetaApp } | undefined {
  const credentials = [
    ['FACEBOOK_APP_ID', settings.FACEBOOK_APP_ID],
    ['FACEBOOK_APP_SECRET', settings.FACEBOOK_APP_SECRET],
    ['INSTAGRAM_APP_ID', settings.INSTAGRAM_APP_ID],
    ['INSTAGRAM_APP_SECRET', settings.INSTAGRAM_APP_SECRET],
  ] as const;
  if (!production && credentials.every(([, value]) => !value)) return undefined;
  for (const [name, value] of credentials) {
    if (!value) problems.push(`${name} is required${production ? ' in production' : ' once any Meta credential is set'}`);
  }
  return {
    facebook: { id: settings.FACEBOOK_APP_ID ?? '', secret: settings.FACEBOOK_APP_SECRET ?? '' },
    instagram: { id: settings.INSTAGRAM_APP_ID ?? '', secret: settings.INSTAGRAM_APP_SECRET ?? '' },
  };
}

function tokenKeySource(
  settings: Settings,
  dataDir: string,
  production: boolean,
  problems: Problems,
  developmentDefaults: string[],
): TokenKeySource | undefined {
  const current = settings.TOKEN_ENCRYPTION_KEY;
  if (current) return { current, old: settings.TOKEN_ENCRYPTION_OLD_KEYS };
  if (production) {
    problems.push('TOKEN_ENCRYPTION_KEY is required in production (base64 of 32 random bytes: `openssl rand -base64 32`)');
    return undefined;
  }
  developmentDefaults.push(`TOKEN_ENCRYPTION_KEY is unset: using a generated development key kept in ${dataDir}`);
  return { developmentKeyFile: path.join(dataDir, DEVELOPMENT_TOKEN_KEY_FILE) };
}

function readPricePolicy(settings: Settings, cwd: string, problems: Problems): PricePolicy {
  let policy = DEFAULT_PRICE_POLICY;
  const file = settings.PRICE_POLICY_FILE;
  if (file) {
    try {
      const parsed = parsePricePolicy(JSON.parse(readFileSync(path.resolve(cwd, file), 'utf8')));
      if (typeof parsed === 'string') problems.push(`PRICE_POLICY_FILE ${file}: ${parsed}`);
      else policy = parsed;
    } catch (error) {
      problems.push(`PRICE_POLICY_FILE ${file}: ${describeError(error)}`);
    }
  }
  return settings.PRICE_CURRENCY ? { ...policy, currency: settings.PRICE_CURRENCY } : policy;
}

function webhookConfig(settings: Settings, mode: { production: boolean; sandbox: boolean }, problems: Problems, developmentDefaults: string[]): WebhookConfig {
  const endpoints = settings.STATUS_WEBHOOK_URL;
  for (const url of endpoints) {
    if (mode.production && !url.startsWith('https://')) problems.push(`STATUS_WEBHOOK_URL: "${redactUrl(url)}" must use https in production`);
  }
  if (new Set(endpoints).size !== endpoints.length) problems.push('STATUS_WEBHOOK_URL lists the same URL twice');
  let secret = settings.STATUS_WEBHOOK_SECRET;
  const sandboxReceiver = mode.sandbox && endpoints.length === 0;
  if (endpoints.length > 0 && !secret) {
    if (mode.sandbox) secret = SANDBOX_WEBHOOK_SECRET;
    else problems.push('STATUS_WEBHOOK_SECRET is required when STATUS_WEBHOOK_URL is set');
  }
  if (sandboxReceiver) {
    secret ??= SANDBOX_WEBHOOK_SECRET;
    developmentDefaults.push('STATUS_WEBHOOK_URL is unset: status webhooks go to the built-in receiver at /sandbox/webhooks');
  }
  if (settings.WEBHOOK_RETENTION_DAYS * 24 < settings.WEBHOOK_RETRY_HORIZON_HOURS)
    problems.push('WEBHOOK_RETENTION_DAYS must cover WEBHOOK_RETRY_HORIZON_HOURS');
  return {
    endpoints,
    secret,
    sandboxReceiver,
    timeoutMs: settings.WEBHOOK_TIMEOUT_MS,
    concurrency: settings.WEBHOOK_CONCURRENCY,
    pollIntervalMs: settings.WEBHOOK_POLL_INTERVAL_MS,
    retryBaseMs: settings.WEBHOOK_RETRY_BASE_MS,
    retryMaxDelayMs: settings.WEBHOOK_RETRY_MAX_DELAY_MS,
    retryHorizonHours: settings.WEBHOOK_RETRY_HORIZON_HOURS,
    reconnectNoticeDays: settings.WEBHOOK_RECONNECT_NOTICE_DAYS,
    retentionDays: settings.WEBHOOK_RETENTION_DAYS,
    endpointRemovalGraceMinutes: settings.WEBHOOK_ENDPOINT_REMOVAL_GRACE_MINUTES,
  };
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

// Every environment variable the service reads: name, default, accepted values, one line of doc.
// loadConfig reads nothing else; docs/configuration.md's tables are printed from these groups
// (`npm run docs:config`, and test/unit/config-docs.test.ts fails when that page differs).
// Rules that involve several variables or the mode (production requires X, sandbox when no Meta
// credential is set...) are checked after the table, in load-config.ts.
import { META_DEFAULT_URLS } from './constants';
import { choice, custom, decimal, flag, httpUrl, integer, list, redactUrl, text } from './parsers';
import { corsOrigin, httpUrlEntry, jwtPublicKey, jwtSecret, tokenKey, webhookSecret } from './value-parsers';

const service = {
  NODE_ENV: text({ default: 'development', doc: '`production` requires every secret and forbids sandbox mode' }),
  PORT: integer({ default: 4000, min: 0, max: 65535, doc: 'HTTP and WebSocket port' }),
  HOST: text({ default: '0.0.0.0', doc: 'bind address' }),
  PUBLIC_URL: httpUrl({ defaultDoc: '`http://localhost:$PORT`', doc: "this service's public base URL" }),
  DATABASE_URL: text({
    pattern: /^postgres(ql)?:\/\//,
    problem: 'must be a postgres:// or postgresql:// URL',
    accepts: '`postgresql://...`',
    defaultDoc: 'unset → embedded PostgreSQL in `DATA_DIR`',
    doc: 'required in production',
  }),
  DATABASE_POOL_MAX: integer({ default: 10, min: 1, max: 500, doc: 'ORM connections per process (each process also holds one `LISTEN` connection)' }),
  MIGRATE_ON_START: flag({
    default: true,
    doc: 'apply pending migrations at startup (advisory-locked); off: refuse to start on a schema older than the code (run `npm run migrate` first)',
  }),
  DATA_DIR: text({ default: '.data', accepts: 'path', doc: 'embedded PostgreSQL and the development token key (relative to the working directory)' }),
  EMBEDDED_POSTGRES_PORT: integer({ default: 54329, min: 1, max: 65535, doc: 'port of the embedded PostgreSQL' }),
  CORS_ORIGINS: list(corsOrigin, {
    accepts: 'comma-separated origins',
    doc: 'exact browser origins (`https://app.example.com`) allowed to call `/graphql` and the REST facade with credentials; no wildcard',
  }),
  INTROSPECTION: flag({
    default: (mode) => !mode.production,
    defaultDoc: 'on, off in production',
    doc: 'GraphQL introspection; off also masks field suggestions in errors',
  }),
  GRAPHQL_EXECUTOR: choice(['jit', 'graphql-js'], {
    default: 'jit',
    doc: '`jit`: signed-in queries (HTTP and WebSocket) run compiled by graphql-jit once a document repeats (same answers; graphql-js runs mutations, first uses, anonymous requests and anything it cannot or should not compile); `graphql-js`: graphql-js only',
  }),
  GRAPHQL_COMPILED_CACHE_MB: decimal({
    default: 16,
    min: 0,
    max: 4096,
    doc: 'memory for compiled documents per process (an estimate of each compiled function; least recently used goes first; `graphql_compiled_cache_bytes`)',
  }),
  GRAPHQL_COMPILE_MAX_FIELDS: integer({
    default: 100,
    min: 0,
    max: 100000,
    doc: 'operations selecting more fields than this (fragments expanded) always run through graphql-js: the code generated grows with them (~2,400 characters, ~7 KB of heap per field)',
  }),
  STATUS_EVENT_RETENTION_DAYS: decimal({
    default: 30,
    min: 1,
    max: 3650,
    doc: 'status events (`statusHistory`, replay with `after`) are kept this long; older cursors answer `CURSOR_EXPIRED`; the worker prunes older events',
  }),
  PRICE_POLICY_FILE: text({ accepts: 'path', doc: 'JSON price policy (validated at startup; see [Price](api.md#price))' }),
  PRICE_CURRENCY: text({
    pattern: /^[A-Z]{3}$/,
    problem: 'must be an ISO 4217 code such as USD',
    accepts: 'ISO 4217 code',
    defaultDoc: "the policy's (`USD`)",
    doc: 'currency of the prices',
  }),
  LOG_LEVEL: choice(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    default: (mode) => (mode.nodeEnv === 'test' ? 'warn' : 'info'),
    defaultDoc: '`info` (`warn` when `NODE_ENV=test`)',
    doc: "pino level; tokens, secrets and OAuth codes are redacted and never logged (Meta's error `code`/`subcode` stay visible)",
  }),
  LOG_FORMAT: choice(['auto', 'json', 'pretty'], {
    default: 'auto',
    doc: '`auto`: pretty (pino-pretty) when stdout is a terminal outside production, JSON otherwise',
  }),
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl({
    problem: 'must be an http(s) URL (the collector, e.g. http://otel-collector:4318)',
    doc: 'OTLP/HTTP collector base URL (e.g. `http://otel-collector:4318`; spans go to `/v1/traces`); unset: no tracing',
  }),
  OTEL_SERVICE_NAME: text({ default: 'instagram-connect', doc: 'tracer name of the spans' }),
};

const secrets = {
  JWT_SECRET: custom('text, ≥ 32 characters', jwtSecret, { defaultDoc: 'development secret outside production', doc: 'HS256 secret' }),
  JWT_PUBLIC_KEY: custom('PEM (`\\n` for newlines)', jwtPublicKey, { doc: 'public key for RS256/ES256 (instead of `JWT_SECRET`)' }),
  JWT_ISSUER: text({ doc: '`iss` every token must carry, when set' }),
  JWT_AUDIENCE: text({ doc: '`aud` every member token must carry, when set' }),
  JWT_JWKS_URL: httpUrl({
    doc: "the identity provider's JWKS (RS256/ES256 tokens, keys chosen by `kid`); cached, fetched again for an unknown `kid`; with or instead of `JWT_PUBLIC_KEY`",
  }),
  JWT_JWKS_COOLDOWN_SECONDS: integer({
    default: 30,
    min: 0,
    max: 3600,
    doc: 'at most one JWKS fetch per this many seconds (an unknown `kid` waits for the next one)',
  }),
  JWT_MEMBER_CLAIM: text({ default: 'sub', pattern: /^[\w.:-]{1,100}$/, problem: 'must be a claim name', doc: 'the claim that names the member' }),
  JWT_SERVICE_AUDIENCE: text({
    doc: "`aud` that marks a service token (the platform's backend; scopes in `scope`/`scp`, see docs/platform-backend.md); unset: no service tokens",
  }),
  TOKEN_ENCRYPTION_KEY: custom('base64 of 32 bytes, optionally `keyid:base64`', tokenKey, {
    defaultDoc: 'generated into `DATA_DIR` outside production',
    doc: 'encrypts Meta tokens at rest (`openssl rand -base64 32`)',
  }),
  TOKEN_ENCRYPTION_OLD_KEYS: list((entry, _name, problems, index) => tokenKey(entry, `TOKEN_ENCRYPTION_OLD_KEYS[${index}]`, problems), {
    accepts: 'comma-separated keys',
    doc: 'old keys that may still decrypt (rotation: `npm run rotate-keys`)',
  }),
  FACEBOOK_APP_ID: text({ doc: 'Facebook Login app; all four Meta credentials unset → sandbox (never in production)' }),
  FACEBOOK_APP_SECRET: text({ doc: 'its secret' }),
  INSTAGRAM_APP_ID: text({ doc: 'Instagram (Business Login) app' }),
  INSTAGRAM_APP_SECRET: text({ doc: 'its secret' }),
  OAUTH_REDIRECT_URIS: list(
    httpUrlEntry((uri) => uri),
    {
      accepts: 'comma-separated URLs',
      defaultDoc: '`$PUBLIC_URL/oauth/callback` outside production',
      doc: 'allowlist; the first is the default; https in production',
    },
  ),
  CONNECT_LINK_TTL_HOURS: decimal({ default: 72, min: 0.01, max: 30 * 24, doc: 'a connect link expires this long after it is created' }),
  CONNECT_LINK_RETURN_URLS: list(
    httpUrlEntry((uri) => uri),
    {
      accepts: 'comma-separated URLs',
      doc: "allowlist of a connect link's `returnUrl` (compared without its query string); unset: no connect links; https in production",
    },
  ),
};

const meta = {
  META_GRAPH_VERSION: text({
    default: 'v25.0',
    pattern: /^v\d+\.\d+$/,
    problem: (raw) => `must look like v25.0 (got "${raw}")`,
    accepts: '`vNN.N`',
    doc: 'Graph API version prefix',
  }),
  // Each base URL may carry a path prefix (a proxy); the emulator replaces them all in sandbox mode.
  FACEBOOK_WWW_URL: httpUrl({ default: META_DEFAULT_URLS.facebookWww, doc: 'Facebook Login dialog; every Meta base URL may carry a path prefix (a proxy)' }),
  FACEBOOK_GRAPH_URL: httpUrl({ default: META_DEFAULT_URLS.facebookGraph, doc: 'Graph API of the Facebook Login flow' }),
  INSTAGRAM_WWW_URL: httpUrl({ default: META_DEFAULT_URLS.instagramWww, doc: 'Instagram Business Login dialog' }),
  INSTAGRAM_API_URL: httpUrl({ default: META_DEFAULT_URLS.instagramApi, doc: 'Instagram code exchange' }),
  INSTAGRAM_GRAPH_URL: httpUrl({ default: META_DEFAULT_URLS.instagramGraph, doc: 'Graph API of the Instagram Login flow' }),
  META_TIMEOUT_MS: integer({ default: 10000, min: 100, doc: 'per call to Meta' }),
  META_MAX_ATTEMPTS: integer({ default: 3, min: 1, max: 10, doc: 'attempts for transient failures' }),
  META_RETRY_BASE_DELAY_MS: integer({ default: 200, min: 0, doc: 'exponential backoff base (with jitter)' }),
  META_USAGE_THROTTLE_PERCENT: decimal({ default: 80, min: 1, max: 100, doc: 'usage-header level at which calls pause' }),
  META_SIGNED_REQUEST_MAX_AGE_SECONDS: integer({
    default: 3600,
    min: 60,
    max: 7 * 86400,
    doc: 'deauthorize / data deletion callbacks: a `signed_request` whose `issued_at` is older is refused',
  }),
  META_DATA_DELETION_GRACE_SECONDS: integer({
    default: 30,
    min: 1,
    max: 86400,
    doc: 'data deletion keeps the rows this long after the DISCONNECTED events, so subscribers can still load them',
  }),
};

const worker = {
  DISABLE_WORKER: flag({ default: false, doc: 'no lifecycle worker in the API process' }),
  WORKER_PORT: integer({ default: 4100, min: 0, max: 65535, doc: 'operational routes of `npm run worker`' }),
  WORKER_POLL_INTERVAL_MS: integer({ default: 5000, min: 10, doc: 'pause between sweeps when nothing is due' }),
  WORKER_BATCH_SIZE: integer({ default: 50, min: 1, max: 1000, doc: 'accounts claimed per batch' }),
  WORKER_LEASE_SECONDS: integer({ default: 120, min: 5, doc: 'how long a claim lasts before another worker may retake it' }),
  SYNC_INTERVAL_HOURS: decimal({ default: 24, min: 0.01, doc: 'profile re-sync period' }),
  TOKEN_REFRESH_WINDOW_DAYS: decimal({ default: 10, min: 1, max: 59, doc: 'refresh Instagram tokens this close to expiry' }),
  GRANT_CHECK_INTERVAL_HOURS: decimal({ default: 24, min: 0.01, doc: '`debug_token` period for Facebook grants and page tokens' }),
  DATA_ACCESS_WARNING_DAYS: decimal({ default: 7, min: 0, doc: "warn this long before a Facebook grant's access ends" }),
  FAILURE_BACKOFF_CEILING_HOURS: decimal({ default: 24, min: 0.01, doc: 'longest backoff between attempts after failures' }),
  FAILURE_DAYS_BEFORE_ERROR: decimal({ default: 7, min: 0.01, doc: 'failing this long (non-auth errors only) → `ERROR`' }),
};

// Creator metrics (docs/creator-metrics.md).
const metrics = {
  METRICS_REFRESH: flag({ default: true, doc: 'the worker refreshes engagement, growth and (when granted) insights on its own schedule' }),
  METRICS_REFRESH_HOURS: decimal({ default: 24, min: 0.01, doc: "period of an account's metrics refresh; first refreshes spread over one period" }),
  METRICS_RECENT_POSTS: integer({ default: 12, min: 1, max: 100, doc: 'engagement counts at most this many recent posts' }),
  METRICS_WINDOW_DAYS: integer({ default: 90, min: 1, max: 365, doc: '... posted within this many days' }),
  METRICS_HISTORY_RETENTION_DAYS: integer({ default: 400, min: 91, max: 3650, doc: 'daily growth snapshots are kept this long (personal data)' }),
  METRICS_BATCH_SIZE: integer({ default: 20, min: 1, max: 500, doc: 'accounts claimed per metrics batch' }),
  METRICS_INSIGHTS: flag({
    default: false,
    doc: 'ask for the insights scope (`instagram_manage_insights` / `instagram_business_manage_insights`, both need Meta app review) and read insights and audience where the grant holds it',
  }),
  METRICS_INSIGHTS_DAYS: integer({ default: 28, min: 1, max: 30, doc: 'account reach and views are summed over this many days (Meta allows 30)' }),
};

// Limits (issue 15): defaults far above what the dashboard, client/operations and REST send.
const operationLimits = {
  GRAPHQL_MAX_ALIASES: integer({ default: 15, min: 1, doc: 'aliases in one operation (`aliases`)' }),
  GRAPHQL_MAX_TOKENS: integer({ default: 2000, min: 100, doc: 'lexical tokens, counted before the document is parsed (`tokens`)' }),
  GRAPHQL_MAX_DEPTH: integer({ default: 8, min: 2, doc: 'selection depth, fragments included (`depth`)' }),
  GRAPHQL_MAX_DIRECTIVES: integer({ default: 10, min: 1, doc: 'directives in one operation (`directives`)' }),
  GRAPHQL_MAX_COST: integer({ default: 5000, min: 100, doc: "armor's cost (objects 2, scalars 1, ×1.5 per level) plus the weight below (`cost`)" }),
  GRAPHQL_META_MUTATION_COST: integer({
    default: 1000,
    min: 1,
    doc: 'added per `syncSocialAccount` / `connectInstagram` field: they call Meta, reads do not, so at most four per operation',
  }),
};

const memberBudgets = {
  RATE_LIMIT_WINDOW_SECONDS: integer({ default: 60, min: 1, max: 86400, doc: 'the window of every budget' }),
  RATE_LIMIT_OPERATIONS: integer({ default: 300, min: 0, doc: 'operations (GraphQL requests, REST calls, subscribes) per member and window' }),
  RATE_LIMIT_OAUTH_URLS: integer({ default: 20, min: 0, doc: '`oauthUrl` fields (aliases count one each) / `GET /oauth/url`' }),
  RATE_LIMIT_META_MUTATIONS: integer({ default: 30, min: 0, doc: '`syncSocialAccount` and `connectInstagram` fields / REST sync and connect' }),
  SERVICE_RATE_LIMIT_OPERATIONS: integer({
    default: 3000,
    min: 0,
    doc: 'operations per service (the platform backend) and window; oauth/Meta budgets as members; never shared with a member',
  }),
  REQUEST_LIMITS: choice(['on', 'off'], {
    default: 'on',
    ignoreCase: true,
    doc: '`off` turns the operation limits and member budgets off (benchmark baselines only)',
  }),
};

const boundedState = {
  SYNC_MIN_INTERVAL_SECONDS: integer({
    default: 30,
    min: 0,
    max: 86400,
    doc: 'a sync this soon after the last successful one answers the stored figures; `0`: always ask Meta',
  }),
  OAUTH_MAX_PENDING_STATES: integer({ default: 10, min: 1, max: 1000, doc: 'pending OAuth states per member; one more deletes the oldest' }),
  HOUSEKEEPING_INTERVAL_SECONDS: integer({ default: 300, min: 1, doc: 'period of the housekeeping job (expired OAuth states, ended rate-limit windows)' }),
  HOUSEKEEPING_BATCH_SIZE: integer({ default: 500, min: 1, max: 10000, doc: 'rows deleted per statement' }),
};

const websocket = {
  WS_KEEPALIVE_MS: integer({ default: 15000, min: 50, doc: 'ping interval; a peer that misses one ping is dropped' }),
  WS_CONNECTION_INIT_TIMEOUT_MS: integer({ default: 3000, min: 100, doc: 'time from open to `connection_init`; then close **4408**' }),
  WS_MAX_MESSAGE_BYTES: integer({ default: 65536, min: 1024, doc: 'one message; larger: close **1009**' }),
  WS_MAX_SUBSCRIPTIONS_PER_SOCKET: integer({
    default: 20,
    min: 1,
    doc: 'active subscriptions on one socket; one more: an `error` message, `SUBSCRIPTION_LIMIT_EXCEEDED`',
  }),
  WS_MAX_SOCKETS_PER_MEMBER: integer({ default: 20, min: 1, doc: 'open sockets of one member **on one instance**; one more: close **4429**' }),
};

const webhooks = {
  STATUS_WEBHOOK_URL: list(httpUrlEntry(redactUrl), {
    accepts: 'comma-separated URLs',
    defaultDoc: 'unset → no webhooks (sandbox: the built-in receiver)',
    doc: 'endpoints for status webhooks; https in production',
  }),
  STATUS_WEBHOOK_SECRET: custom('`whsec_` + base64 of 24-64 bytes', webhookSecret, {
    defaultDoc: 'sandbox: a public development secret',
    doc: 'Standard Webhooks secret (`echo whsec_$(openssl rand -base64 32)`); required with `STATUS_WEBHOOK_URL`',
  }),
  WEBHOOK_TIMEOUT_MS: integer({ default: 10000, min: 100, max: 120_000, doc: 'per request; slower counts as down' }),
  WEBHOOK_CONCURRENCY: integer({ default: 8, min: 1, max: 64, doc: 'requests in flight per worker process' }),
  WEBHOOK_POLL_INTERVAL_MS: integer({ default: 1000, min: 10, doc: 'poll period (commits wake the loop at once)' }),
  WEBHOOK_RETRY_BASE_MS: integer({ default: 5000, min: 1, doc: 'first retry delay, doubled per attempt, jittered 50-100 %' }),
  WEBHOOK_RETRY_MAX_DELAY_MS: integer({ default: 3600000, min: 1, doc: 'longest pause between attempts' }),
  WEBHOOK_RETRY_HORIZON_HOURS: decimal({ default: 72, min: 0.01, max: 30 * 24, doc: 'give up this long after the event' }),
  WEBHOOK_RECONNECT_NOTICE_DAYS: decimal({ default: 7, min: 0.01, max: 59, doc: '`account.reconnect_needed` this long before access ends' }),
  WEBHOOK_RECONNECT_LINKS: flag({
    default: false,
    doc: '`account.reconnect_needed` / `account.expired` carry a fresh connect link (`data.reconnectLink`, a bearer link: off by default)',
  }),
  WEBHOOK_RETENTION_DAYS: decimal({ default: 30, min: 1, doc: 'keep delivered and failed events this long (≥ the horizon)' }),
  WEBHOOK_ENDPOINT_REMOVAL_GRACE_MINUTES: integer({
    default: 60,
    min: 1,
    max: 10080,
    doc: 'a pending delivery to an endpoint this worker does not know is failed once it was neither queued nor tried for this long (a rolling deploy of a new `STATUS_WEBHOOK_URL`)',
  }),
};

/** docs/configuration.md's tables, one per group, in that page's order. */
export const VARIABLE_GROUPS = { service, secrets, meta, worker, metrics, operationLimits, memberBudgets, boundedState, websocket, webhooks };

export const VARIABLES = {
  ...service,
  ...secrets,
  ...meta,
  ...worker,
  ...metrics,
  ...operationLimits,
  ...memberBudgets,
  ...boundedState,
  ...websocket,
  ...webhooks,
};

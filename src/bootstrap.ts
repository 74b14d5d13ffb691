import 'reflect-metadata';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expressMiddleware } from '@as-integrations/express5';
import { MikroORM } from '@mikro-orm/postgresql';
import express, { type ErrorRequestHandler } from 'express';
import { systemClock, type Clock } from './clock';
import type { Config } from './config';
import { createHttpContext } from './context';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './database/embedded-postgres';
import { assertNoPendingMigrations, runMigrations } from './database/migrate';
import { ormOptions } from './database/orm-options';
import { buildGraphQLSchema } from './graphql/schema';
import { createApollo, oversizedQueryMiddleware, refuseOversizedHttp } from './graphql/apollo';
import { OperationPipeline } from './graphql/pipeline';
import { middlewareErrorFields, requestErrorMessage } from './http/middleware-errors';
import { attachWebSocketServer } from './graphql/websocket';
import { corsMiddleware } from './http/cors';
import { GRAPHQL_BODY_LIMIT_BYTES, graphqlHttpListener } from './http/graphql-http';
import { connectLinkRoutes } from './http/connect-links/connect-link-routes';
import { metaCallbackRoutes } from './http/meta-callbacks/meta-callback-routes';
import { operationalRoutes } from './http/operational-routes';
import { REST_BASE_PATH, restRoutes } from './http/rest/rest-routes';
import { webApp } from './http/web-app';
import { createLogger, type Logger } from './logger';
import { createMetrics } from './metrics';
import type { MetaEmulator } from './sandbox/emulator';
import { sandboxRoutes } from './sandbox/sandbox-routes';
import { configForSandboxWorker, publishSandbox } from './sandbox/running-sandbox';
import { sandboxReceiverEndpoint, webhookReceiverRoutes } from './sandbox/webhook-receiver';
import { startSandbox } from './sandbox/start-sandbox';
import { createServices, type Services } from './services';
import { openTokenKeys } from './services/tokens/token-keys';
import { createTracing, graphqlSpanMiddleware, traceDatabase, type Tracing } from './tracing';
import type { SpanExporter } from '@opentelemetry/sdk-trace';

export interface BootstrapOptions {
  clock?: Clock;
  logger?: Logger;
  /** Listen on this port instead of config.port (tests pass 0). */
  port?: number;
  /**
   * `api` (default): GraphQL over HTTP and WebSocket, plus the lifecycle worker unless
   * DISABLE_WORKER. `worker`: only the lifecycle worker, with /healthz, /readyz and /metrics.
   */
  role?: 'api' | 'worker';
  /** Tracing to this exporter whatever the config says (tests: InMemorySpanExporter). */
  spanExporter?: SpanExporter;
}

export interface AppHandles {
  app: express.Express;
  httpServer: Server;
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  config: Config;
  orm: MikroORM;
  services: Services;
  /** The Meta emulator, in sandbox mode. */
  emulator?: MetaEmulator;
  /** Graceful: drain HTTP, close WebSockets (1001), stop listening for events, close the ORM, stop embedded PostgreSQL. */
  close(): Promise<void>;
}

/** Builds the whole app from a Config. main.ts, tests and benchmarks all start here. */
export async function bootstrap(initialConfig: Config, options: BootstrapOptions = {}): Promise<AppHandles> {
  // What has started so far, stopped in reverse if a later step fails: a failed start must not
  // leave an embedded PostgreSQL, the emulator or a connection pool running behind it.
  const started: Array<() => Promise<unknown>> = [];
  try {
    return await startApp(initialConfig, options, started);
  } catch (error) {
    for (const stop of started.reverse()) await stop().catch(() => undefined);
    throw error;
  }
}

async function startApp(initialConfig: Config, options: BootstrapOptions, started: Array<() => Promise<unknown>>): Promise<AppHandles> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(initialConfig.logLevel, undefined, { format: initialConfig.logFormat, production: initialConfig.production });
  let config = initialConfig;
  const tracing = createTracing(initialConfig, options.spanExporter);
  started.push(() => tracing.shutdown());

  // 1. Database: the configured one, or an embedded PostgreSQL for development.
  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres(config.dataDir, config.embeddedPostgresPort, logger);
    const database = embedded;
    started.push(() => database.stop());
    databaseUrl = embedded.url;
  }

  // 2. Sandbox: without Meta credentials (never in production), the emulator plays Meta.
  const role = options.role ?? 'api';
  let emulator: MetaEmulator | undefined;
  if (role === 'worker' && config.sandbox) config = configForSandboxWorker(config);
  else if (config.sandbox) {
    ({ config, emulator } = await startSandbox(config, clock, logger));
    const running = emulator;
    started.push(() => running.close());
  } else if (config.developmentDefaults.length > 0) logger.warn({ defaults: config.developmentDefaults }, 'running with development defaults');

  // 3. ORM and migrations: the schema is always the committed migrations' schema.
  const orm = await MikroORM.init(ormOptions(databaseUrl, logger, config.databasePoolMax));
  started.push(() => orm.close(true));
  traceDatabase(orm, tracing);
  if (config.migrateOnStart) await runMigrations(orm, databaseUrl, logger);
  else await assertNoPendingMigrations(orm);

  // 4. Services and the status-event listener.
  const metrics = createMetrics();
  // Outside production without TOKEN_ENCRYPTION_KEY this generates the development key file once.
  const tokenKeys = openTokenKeys(config.tokenKeys);
  const services = createServices({ config, tokenKeys, orm, clock, logger, metrics, databaseUrl, tracing });
  started.push(() => services.closePools());
  started.push(() => services.events.stop());
  await services.events.start();
  started.push(() => services.gate.stop());
  await services.gate.start(); // rate-limit pauses shared by every process on the database
  services.metaCallbacks.start(); // completes data deletions once their grace period has passed
  started.push(() => services.metaCallbacks.stop());

  // 5. HTTP + WebSocket on one server and one path (a worker process serves only operational routes).
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);
  const httpServer = createServer(app);
  app.use(operationalRoutes(services));
  if (role === 'api' && config.corsOrigins.length > 0) app.use(['/graphql', REST_BASE_PATH], corsMiddleware(config.corsOrigins));
  if (role === 'api') app.use(metaCallbackRoutes(services));
  if (role === 'api') app.use(REST_BASE_PATH, restRoutes(services));
  if (role === 'api') app.use(connectLinkRoutes(services));
  const stopGraphQL = role === 'api' ? await mountGraphQL(app, httpServer, services, logger, tracing) : async () => undefined;
  if (role === 'api' && emulator && config.jwt.secret) app.use(sandboxRoutes(config, emulator.url));
  if (role === 'api' && emulator && config.webhooks.secret) app.use(webhookReceiverRoutes(config.webhooks.secret));
  if (role === 'api') app.use(webApp()); // last: the dashboard never shadows an API route
  app.use(jsonErrors(logger));

  // 6. The lifecycle worker: in this process unless disabled; `npm run worker` runs it alone.
  const runWorker = role === 'worker' || config.worker.enabled;
  if (runWorker) services.worker.start();
  if (runWorker) services.housekeeping.start(); // expired OAuth states and rate-limit windows
  if (runWorker) started.push(() => services.housekeeping.stop());
  if (runWorker) services.metricsWorker.start(); // creator metrics, on their own schedule
  if (runWorker) started.push(() => services.metricsWorker.stop());
  started.push(() => services.worker.stop(), stopGraphQL);

  const port = options.port ?? (role === 'worker' ? config.workerPort : config.port);
  // A port already in use rejects here (and the steps above are stopped) instead of crashing later.
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, config.host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const boundPort = (httpServer.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${boundPort}`;
  logger.info(
    { url: role === 'api' ? `${url}/graphql` : url, role, worker: runWorker, sandbox: config.sandbox },
    role === 'api' ? 'GraphQL server ready' : 'lifecycle worker ready',
  );

  // 7. Status webhooks, sent by the worker process; in sandbox mode to the built-in receiver by default.
  if (config.webhooks.sandboxReceiver && role === 'api') services.webhooks.useEndpoints([sandboxReceiverEndpoint(boundPort)]);
  // A development server (embedded database) tells tools started beside it where its emulator is.
  const unpublish = role === 'api' && emulator && embedded ? publishSandbox(config.dataDir, { url, emulatorUrl: emulator.url }) : () => undefined;
  if (runWorker) services.webhookWorker.start();

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      // The listener first: once the database (embedded, or a shared one being stopped with us)
      // goes away, a live listener would only warn and try to reconnect.
      await services.events.stop();
      await services.worker.stop();
      await services.webhookWorker.stop();
      await services.housekeeping.stop();
      await services.metricsWorker.stop();
      await services.metaCallbacks.stop();
      await stopGraphQL(); // drains HTTP, then closes WebSockets with 1001
      if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await services.gate.stop();
      await services.closePools();
      await orm.close(true);
      unpublish();
      await emulator?.close();
      await embedded?.stop();
      await tracing.shutdown(); // flushes the last spans
    })());

  return { app, httpServer, url, port: boundPort, config, orm, services, emulator, close };
}

/**
 * The operation pipeline (src/graphql/pipeline.ts) behind its three adapters on /graphql: the
 * direct node:http listener and the express route (Apollo) for HTTP, graphql-ws for WebSocket.
 * Returns the graceful stop.
 */
async function mountGraphQL(app: express.Express, httpServer: Server, services: Services, logger: Logger, tracing: Tracing): Promise<() => Promise<void>> {
  const pipeline = new OperationPipeline(buildGraphQLSchema(), services, logger);
  const ws = attachWebSocketServer(httpServer, pipeline, services, { keepAliveMs: services.config.websocketKeepAliveMs });
  const apollo = createApollo(pipeline, httpServer, () => ws.dispose());
  await apollo.start();
  const context = async (req: IncomingMessage) => createHttpContext(services, req.headers.authorization);
  app.use(
    '/graphql',
    express.json({ limit: GRAPHQL_BODY_LIMIT_BYTES }),
    oversizedQueryMiddleware(pipeline),
    graphqlSpanMiddleware(tracing),
    expressMiddleware(apollo, { context: ({ req }) => context(req) }),
  );
  // JSON POSTs to /graphql skip express (the same Apollo, the same checks, the same answers); the
  // rest still goes through the route above, and so do requests needing CORS headers or a span.
  const corsOrigins = services.config.corsOrigins.length > 0;
  httpServer.removeListener('request', app);
  httpServer.on(
    'request',
    graphqlHttpListener(apollo, context, app, logger, {
      eligible: (req) => !tracing.enabled && !(corsOrigins && req.headers.origin !== undefined),
      refuse: (req, body) => refuseOversizedHttp(pipeline, 'http-post', req.headers.authorization, (body as { query?: unknown } | null)?.query),
    }),
  );
  return () => apollo.stop();
}

/** Body-parser and other middleware errors as JSON, never an HTML stack page. */
function jsonErrors(logger: Logger): ErrorRequestHandler {
  return (error, _req, res, next) => {
    if (res.headersSent) return next(error);
    const reported = middlewareErrorFields(error).status;
    const status = reported !== undefined && reported >= 400 && reported < 500 ? reported : 500;
    if (status === 500) logger.error({ err: error }, 'unhandled HTTP error');
    const message =
      status === 413
        ? 'The request body is too large.'
        : status === 500
          ? 'Something went wrong on our side; it has been logged.'
          : requestErrorMessage(error, 'The request is malformed.');
    res.status(status).json({ errors: [{ message, extensions: { code: status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_USER_INPUT' } }] });
  };
}

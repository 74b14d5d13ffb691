import 'reflect-metadata';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import { MikroORM } from '@mikro-orm/postgresql';
import express, { type ErrorRequestHandler } from 'express';
import { systemClock, type Clock } from './clock';
import type { Config } from './config';
import { createHttpContext, type GraphQLContext } from './context';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './database/embedded-postgres';
import { ormOptions } from './database/orm-options';
import { compiledExecutorGateway } from './graphql/compiled-executor';
import { createErrorFormatter } from './graphql/format-error';
import { buildGraphQLSchema } from './graphql/schema';
import { attachWebSocketServer } from './graphql/websocket';
import { GRAPHQL_BODY_LIMIT_BYTES, graphqlHttpListener } from './http/graphql-http';
import { metaCallbackRoutes } from './http/meta-callbacks/meta-callback-routes';
import { operationalRoutes } from './http/operational-routes';
import { REST_BASE_PATH, restRoutes } from './http/rest/rest-routes';
import { webApp } from './http/web-app';
import { createLogger, type Logger } from './logger';
import { createMetrics } from './metrics';
import type { MetaEmulator } from './sandbox/emulator';
import { sandboxRoutes } from './sandbox/sandbox-routes';
import { startSandbox } from './sandbox/start-sandbox';
import { createServices, type Services } from './services';

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
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(initialConfig.logLevel);
  let config = initialConfig;

  // 1. Database: the configured one, or an embedded PostgreSQL for development.
  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres(config.dataDir, config.embeddedPostgresPort, logger);
    databaseUrl = embedded.url;
  }

  // 2. Sandbox: without Meta credentials (never in production), the emulator plays Meta.
  const role = options.role ?? 'api';
  if (role === 'worker' && config.sandbox) {
    await embedded?.stop();
    throw new Error(
      'npm run worker needs Meta credentials: in sandbox mode the Meta emulator lives inside the API process, so run the worker in-process (npm start, without DISABLE_WORKER).',
    );
  }
  let emulator: MetaEmulator | undefined;
  if (config.sandbox) ({ config, emulator } = await startSandbox(config, clock, logger));
  else if (config.developmentDefaults.length > 0) logger.warn({ defaults: config.developmentDefaults }, 'running with development defaults');

  // 3. ORM and migrations: the schema is always the committed migrations' schema.
  const orm = await MikroORM.init(ormOptions(databaseUrl, logger));
  await orm.migrator.up();

  // 4. Services and the status-event listener.
  const metrics = createMetrics();
  const services = createServices({ config, orm, clock, logger, metrics, databaseUrl });
  await services.events.start();
  services.metaCallbacks.start(); // completes data deletions once their grace period has passed

  // 5. HTTP + WebSocket on one server and one path (a worker process serves only operational routes).
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);
  const httpServer = createServer(app);
  app.use(operationalRoutes(services));
  if (role === 'api') app.use(metaCallbackRoutes(services));
  if (role === 'api') app.use(REST_BASE_PATH, restRoutes(services));
  const stopGraphQL = role === 'api' ? await mountGraphQL(app, httpServer, services, logger) : async () => undefined;
  if (role === 'api' && emulator && config.jwt.secret) app.use(sandboxRoutes(config, emulator.url));
  if (role === 'api') app.use(webApp()); // last: the dashboard never shadows an API route
  app.use(jsonErrors(logger));

  // 6. The lifecycle worker: in this process unless disabled; `npm run worker` runs it alone.
  const runWorker = role === 'worker' || config.worker.enabled;
  if (runWorker) services.worker.start();

  const port = options.port ?? (role === 'worker' ? config.workerPort : config.port);
  await new Promise<void>((resolve) => httpServer.listen(port, config.host, resolve));
  const boundPort = (httpServer.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${boundPort}`;
  logger.info({ url: role === 'api' ? `${url}/graphql` : url, role, worker: runWorker, sandbox: config.sandbox }, role === 'api' ? 'GraphQL server ready' : 'lifecycle worker ready');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await services.worker.stop();
      await services.metaCallbacks.stop();
      await stopGraphQL(); // drains HTTP, then closes WebSockets with 1001
      if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await services.events.stop();
      await orm.close(true);
      await emulator?.close();
      await embedded?.stop();
    })());

  return { app, httpServer, url, port: boundPort, config, orm, services, emulator, close };
}

/** Apollo on /graphql and graphql-ws on the same server; returns the graceful stop. */
async function mountGraphQL(app: express.Express, httpServer: Server, services: Services, logger: Logger): Promise<() => Promise<void>> {
  const schema = buildGraphQLSchema();
  const formatError = createErrorFormatter(logger);
  const ws = attachWebSocketServer(httpServer, schema, services, formatError, { keepAliveMs: services.config.websocketKeepAliveMs });
  const apollo = new ApolloServer<GraphQLContext>({
    // jit: the schema comes through the compiled executor (Apollo's executor hook); see compiled-executor.ts.
    ...(services.config.graphqlExecutor === 'jit'
      ? { gateway: compiledExecutorGateway(schema, (executor) => services.metrics.graphqlExecutions.inc({ executor })) }
      : { schema }),
    introspection: true,
    includeStacktraceInErrorResponses: false,
    formatError,
    plugins: [
      // We set no cache hints. Left on, Apollo's default cache-control plugin wraps every field
      // resolver to collect them: a quarter of the CPU of a 20-account socialAccounts (bench/, scenario 1).
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      { serverWillStart: async () => ({ drainServer: () => ws.dispose() }) },
    ],
  });
  await apollo.start();
  const context = async (req: IncomingMessage) => createHttpContext(services, req.headers.authorization);
  app.use('/graphql', express.json({ limit: GRAPHQL_BODY_LIMIT_BYTES }), expressMiddleware(apollo, { context: ({ req }) => context(req) }));
  // JSON POSTs to /graphql skip express (the same Apollo, the same answers); the rest still goes through the route above.
  httpServer.removeListener('request', app);
  httpServer.on('request', graphqlHttpListener(apollo, context, app, logger));
  return () => apollo.stop();
}

/** Body-parser and other middleware errors as JSON, never an HTML stack page. */
function jsonErrors(logger: Logger): ErrorRequestHandler {
  return (error, _req, res, next) => {
    if (res.headersSent) return next(error);
    const status = typeof error?.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 500;
    if (status === 500) logger.error({ err: error }, 'unhandled HTTP error');
    const message =
      status === 413 ? 'The request body is too large.' : status === 500 ? 'Something went wrong on our side; it has been logged.' : 'The request is malformed.';
    res.status(status).json({ errors: [{ message, extensions: { code: status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_USER_INPUT' } }] });
  };
}

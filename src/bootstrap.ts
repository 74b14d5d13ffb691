import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import { MikroORM } from '@mikro-orm/postgresql';
import express, { type ErrorRequestHandler } from 'express';
import { systemClock, type Clock } from './clock';
import type { Config } from './config';
import { createHttpContext, type GraphQLContext } from './context';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './database/embedded-postgres';
import { ormOptions } from './database/orm-options';
import { createErrorFormatter } from './graphql/format-error';
import { buildGraphQLSchema } from './graphql/schema';
import { attachWebSocketServer } from './graphql/websocket';
import { operationalRoutes } from './http/operational-routes';
import { createLogger, type Logger } from './logger';
import { createMetrics } from './metrics';
import type { MetaEmulator } from './sandbox/emulator';
import { startSandbox } from './sandbox/start-sandbox';
import { createServices, type Services } from './services';

export interface BootstrapOptions {
  clock?: Clock;
  logger?: Logger;
  /** Listen on this port instead of config.port (tests pass 0). */
  port?: number;
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

  // 5. HTTP + WebSocket on one server and one path.
  const schema = buildGraphQLSchema();
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);
  const httpServer = createServer(app);
  const formatError = createErrorFormatter(logger);
  const ws = attachWebSocketServer(httpServer, schema, services, formatError, { keepAliveMs: config.websocketKeepAliveMs });
  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    formatError,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      { serverWillStart: async () => ({ drainServer: () => ws.dispose() }) },
    ],
  });
  await apollo.start();

  app.use(operationalRoutes(services));
  app.use(
    '/graphql',
    express.json({ limit: '256kb' }),
    expressMiddleware(apollo, { context: async ({ req }) => createHttpContext(services, req.headers.authorization) }),
  );
  app.use(jsonErrors(logger));

  const port = options.port ?? config.port;
  await new Promise<void>((resolve) => httpServer.listen(port, config.host, resolve));
  const boundPort = (httpServer.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${boundPort}`;
  logger.info({ url: `${url}/graphql`, sandbox: config.sandbox }, 'GraphQL server ready');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await apollo.stop(); // drains HTTP, then closes WebSockets with 1001
      await services.events.stop();
      await orm.close(true);
      await emulator?.close();
      await embedded?.stop();
    })());

  return { app, httpServer, url, port: boundPort, config, orm, services, emulator, close };
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

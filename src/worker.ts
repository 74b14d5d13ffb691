import 'reflect-metadata';
import { bootstrap } from './bootstrap';
import { loadConfigOrExit } from './config';
import { createLogger } from './logger';
import { describeError } from './describe-error';

/**
 * `npm run worker`: the lifecycle worker alone (no GraphQL), for deployments that run N API
 * instances with DISABLE_WORKER=1 and M workers on one PostgreSQL. Serves /healthz, /readyz and
 * /metrics on WORKER_PORT.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit(process.env);
  const logger = createLogger(config.logLevel, undefined, { format: config.logFormat, production: config.production });
  const app = await bootstrap(config, { logger, role: 'worker' });
  const stop = async (signal: string) => {
    logger.info({ signal }, 'worker finishing its batch and stopping');
    await app.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((error) => {
  console.error(`Cannot start the worker: ${describeError(error)}`);
  process.exit(1);
});

import 'reflect-metadata';
import { bootstrap } from './bootstrap';
import { loadConfigOrExit } from './config';
import { EmbeddedPostgresAccessError } from './database/embedded-postgres';
import { describeError } from './describe-error';
import { createLogger } from './logger';

/** The API entry point: reads the environment once (as worker.ts does for the worker) and handles signals. */
async function main(): Promise<void> {
  const config = loadConfigOrExit(process.env);
  const logger = createLogger(config.logLevel, undefined, { format: config.logFormat, production: config.production });
  const app = await bootstrap(config, { logger });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down gracefully');
    const force = setTimeout(() => {
      logger.error('graceful shutdown took too long; exiting');
      process.exit(1);
    }, 20_000);
    force.unref();
    try {
      await app.close();
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error) => {
  // A known, explained cause needs no stack trace: just what to do.
  if (error instanceof EmbeddedPostgresAccessError) console.error(`Cannot start: ${error.message}`);
  else if (error instanceof Error) console.error('Fatal error during startup:', error);
  else console.error(`Fatal error during startup: ${describeError(error)}`);
  process.exit(1);
});

// npm run migrate: applies pending migrations to DATABASE_URL (or the embedded development
// PostgreSQL) and exits. Safe to run while the service is up and from several places at once:
// it takes the same advisory lock as startup does.
import 'reflect-metadata';
import { loadConfigOrExit } from '../config';
import { withCliDatabase } from './cli-database';
import { runMigrations } from '../database/migrate';
import { createLogger } from '../logger';
import { describeError } from '../describe-error';

async function main(): Promise<void> {
  const config = loadConfigOrExit(process.env);
  const logger = createLogger(config.logLevel, undefined, { format: config.logFormat, production: config.production });
  await withCliDatabase(config, logger, 1, async (orm, databaseUrl) => {
    const { applied } = await runMigrations(orm, databaseUrl, logger);
    const total = (await orm.migrator.getExecutedMigrations()).length;
    process.stdout.write(
      applied.length > 0
        ? `Applied ${applied.length} migration(s): ${applied.join(', ')} (${total} in total)\n`
        : `Nothing to apply: all ${total} migrations are in place\n`,
    );
  });
}

main().catch((error) => {
  console.error(`Migrations failed: ${describeError(error)}`);
  process.exit(1);
});

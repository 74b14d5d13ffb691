// npm run migrate: applies pending migrations to DATABASE_URL (or the embedded development
// PostgreSQL) and exits. Safe to run while the service is up and from several places at once:
// it takes the same advisory lock as startup does.
import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import { loadConfigOrExit } from '../config';
import { startEmbeddedPostgres } from '../database/embedded-postgres';
import { runMigrations } from '../database/migrate';
import { ormOptions } from '../database/orm-options';
import { createLogger } from '../logger';
import { describeError } from '../describe-error';

async function main(): Promise<void> {
  const config = loadConfigOrExit(process.env);
  const logger = createLogger(config.logLevel, undefined, { format: config.logFormat, production: config.production });
  const embedded = config.databaseUrl ? undefined : await startEmbeddedPostgres(config.dataDir, config.embeddedPostgresPort, logger);
  const databaseUrl = config.databaseUrl ?? embedded!.url;
  try {
    const orm = await MikroORM.init(ormOptions(databaseUrl, logger, 1));
    try {
      const { applied } = await runMigrations(orm, databaseUrl, logger);
      const total = (await orm.migrator.getExecutedMigrations()).length;
      process.stdout.write(
        applied.length > 0
          ? `Applied ${applied.length} migration(s): ${applied.join(', ')} (${total} in total)\n`
          : `Nothing to apply: all ${total} migrations are in place\n`,
      );
    } finally {
      await orm.close(true);
    }
  } finally {
    await embedded?.stop();
  }
}

main().catch((error) => {
  console.error(`Migrations failed: ${describeError(error)}`);
  process.exit(1);
});

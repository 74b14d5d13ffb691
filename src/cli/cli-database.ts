import { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config';
import { describeError } from '../describe-error';
import { startEmbeddedPostgres } from '../database/embedded-postgres';
import { ormOptions } from '../database/orm-options';
import type { Logger } from '../logger';

/**
 * The database a command works on, for the length of `work`: DATABASE_URL, or without it the
 * development one (a running `npm start`'s embedded PostgreSQL, found by its postmaster.pid, or
 * one started for this command and stopped after it). `poolMax`: the connections the command needs.
 */
export async function withCliDatabase<T>(
  config: Config,
  logger: Logger,
  poolMax: number,
  work: (orm: MikroORM, databaseUrl: string) => Promise<T>,
): Promise<T> {
  const embedded = config.databaseUrl ? undefined : await startEmbeddedPostgres(config.dataDir, config.embeddedPostgresPort, logger);
  try {
    const databaseUrl = config.databaseUrl ?? embedded!.url;
    const orm = await MikroORM.init(ormOptions(databaseUrl, logger, poolMax));
    try {
      return await work(orm, databaseUrl);
    } finally {
      await orm.close(true);
    }
  } finally {
    await embedded?.stop();
  }
}

/**
 * Runs a command's main and exits with its code; a failure prints `<what> failed: <cause>` and
 * exits 1. MikroORM prefixes the driver's message with the statement: the operator needs the cause.
 */
export function runCommand(main: () => Promise<number>, what: string): void {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(`${what} failed: ${describeError(error).split(' - ').pop()}`);
      process.exit(1);
    },
  );
}

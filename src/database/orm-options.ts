import { defineConfig, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { ENTITIES } from '../entities';
import { MIGRATIONS } from '../migrations';
import type { Logger } from '../logger';

/**
 * MikroORM options shared by the app, the CLI and tests. Entities and migrations are listed
 * explicitly (no folder discovery) so the same code works from ts (jest) and from dist.
 */
export function ormOptions(clientUrl: string, logger?: Logger, poolMax = 10): Options {
  return defineConfig({
    clientUrl,
    entities: ENTITIES,
    extensions: [Migrator],
    // Snapshots are for `migration:create` only (mikro-orm.config.ts); at runtime they would litter src/.
    migrations: { migrationsList: MIGRATIONS, transactional: true, allOrNothing: true, path: 'src/migrations', snapshot: false },
    pool: { min: 0, max: poolMax },
    // Tokens must never reach a log, so SQL parameters are never logged.
    debug: false,
    logger: (message) => logger?.debug({ orm: true }, message),
    // Entities are loaded fresh per request through em.fork(); the global context is a bug.
    allowGlobalContext: false,
    forceUtcTimezone: true,
    ignoreUndefinedInQuery: true,
    // knex reports a pooled connection the database dropped (a restart) on console.log; into our log instead.
    driverOptions: {
      log: {
        warn: (message: unknown) => logger?.warn({ component: 'database-pool' }, String(message)),
        error: (message: unknown) => logger?.error({ component: 'database-pool' }, String(message)),
        deprecate: (message: unknown) => logger?.debug({ component: 'database-pool' }, String(message)),
        debug: (message: unknown) => logger?.debug({ component: 'database-pool' }, String(message)),
      },
    },
  });
}

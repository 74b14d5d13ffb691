import type { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import type { Logger } from '../logger';

/**
 * One advisory-lock key for "applying migrations" on this database. Replicas starting together
 * (two API processes and a worker after a deploy) take turns: the first applies, the others
 * wait, then find nothing pending. The lock is session-scoped on a connection of its own, so it
 * is released even if this process dies mid-migration (PostgreSQL drops it with the session).
 */
export const MIGRATION_LOCK_KEY = 4_170_117_001;

export interface MigrationOutcome {
  /** Names applied by this call (empty when another process got there first). */
  applied: string[];
}

/** Applies pending migrations (each in a transaction, all or nothing), serialized across processes. */
export async function runMigrations(orm: MikroORM, databaseUrl: string, logger: Logger): Promise<MigrationOutcome> {
  const lock = new Client({ connectionString: databaseUrl, application_name: 'migrations-lock' });
  await lock.connect();
  try {
    const { rows } = await lock.query<{ locked: boolean }>('select pg_try_advisory_lock($1) as locked', [MIGRATION_LOCK_KEY]);
    if (!rows[0].locked) {
      logger.info('another process is applying migrations; waiting for it');
      await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    }
    const applied = (await orm.migrator.up()).map((m) => m.name);
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    return { applied };
  } finally {
    // Ending the session releases the lock too; unlock first so waiters do not wait on TCP teardown.
    await lock.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.end().catch(() => undefined);
  }
}

/** MIGRATE_ON_START=0: refuse to run against a schema older than the code, and say how to fix it. */
export async function assertNoPendingMigrations(orm: MikroORM): Promise<void> {
  const pending = (await orm.migrator.getPendingMigrations()).map((m) => m.name);
  if (pending.length > 0) {
    throw new Error(`${pending.length} migration(s) are not applied (${pending.join(', ')}) and MIGRATE_ON_START is off: run \`npm run migrate\` first.`);
  }
}

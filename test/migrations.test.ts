import { Client } from 'pg';
import { loadConfig } from '../src/config';
import { bootstrap } from '../src/bootstrap';
import { MIGRATION_LOCK_KEY } from '../src/database/migrate';
import { createLogger } from '../src/logger';
import { MIGRATIONS } from '../src/migrations';
import { createTestDatabase } from './helpers/database';
import { ensureBuilt } from './helpers/dist';
import { NodeProcess } from './helpers/processes';
import { TEST_JWT_SECRET, TEST_TOKEN_KEY } from './helpers/test-app';
import { waitFor } from './helpers/subscriptions';

/**
 * `npm run migrate` and startup share one advisory lock, so processes started together on a
 * fresh database apply each migration once, one after the other, instead of racing on DDL.
 */
jest.setTimeout(240_000);

let database: { url: string; drop(): Promise<void> };
let admin: Client;

beforeAll(async () => {
  await ensureBuilt();
  database = await createTestDatabase();
  admin = new Client({ connectionString: database.url });
  await admin.connect();
});

afterAll(async () => {
  await admin?.end();
  await database?.drop();
});

const env = () => ({ NODE_ENV: 'test', DATABASE_URL: database.url, JWT_SECRET: TEST_JWT_SECRET, TOKEN_ENCRYPTION_KEY: TEST_TOKEN_KEY, LOG_LEVEL: 'info' });

describe('migrations', () => {
  it('two `npm run migrate` started at once on a fresh database take turns, and each migration is applied once', async () => {
    // Hold the lock first, so both processes are provably waiting on it before either may start.
    await admin.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const first = new NodeProcess('migrate-1', 'cli/migrate.js', env());
    const second = new NodeProcess('migrate-2', 'cli/migrate.js', env());
    await waitFor(
      async () => {
        const { rows } = await admin.query<{ waiting: string }>(
          `select count(*) as waiting from pg_locks where locktype = 'advisory' and objid = $1 and not granted`,
          [MIGRATION_LOCK_KEY],
        );
        return Number(rows[0].waiting) === 2;
      },
      'both processes waiting on the migration lock',
      60_000,
    );
    await admin.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);

    expect([await first.exited, await second.exited]).toEqual([0, 0]);
    const outputs = [first.text, second.text];
    expect(outputs.filter((o) => o.includes(`Applied ${MIGRATIONS.length} migration(s)`))).toHaveLength(1);
    expect(outputs.filter((o) => o.includes(`Nothing to apply: all ${MIGRATIONS.length} migrations are in place`))).toHaveLength(1);
    const { rows } = await admin.query<{ name: string; n: string }>('select name, count(*) as n from mikro_orm_migrations group by name order by name');
    expect(rows).toEqual(MIGRATIONS.map((m) => ({ name: m.name, n: '1' })));
  });

  it('with MIGRATE_ON_START=0 startup refuses a database that lacks migrations, and says to run npm run migrate', async () => {
    const fresh = await createTestDatabase();
    try {
      const config = loadConfig({ ...env(), DATABASE_URL: fresh.url, MIGRATE_ON_START: '0', HOST: '127.0.0.1' });
      await expect(bootstrap(config, { logger: createLogger('silent'), port: 0 })).rejects.toThrow(/are not applied .* run `npm run migrate` first/);
    } finally {
      await fresh.drop();
    }
  });
});

import { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { startThrowawayPostgres } from '../../src/database/embedded-postgres';
import { ormOptions } from '../../src/database/orm-options';
import { describeError } from '../../src/describe-error';

export interface BenchDatabase {
  /** The dedicated benchmark database. */
  url: string;
  name: string;
  /** `machine` (DATABASE_URL was given) or `embedded` (started for this run). */
  kind: 'machine' | 'embedded';
  /** `server_version` as PostgreSQL reports it. */
  version: string;
  /** Drops the benchmark database; stops the embedded server. */
  close(): Promise<void>;
}

/**
 * A fresh database for this run, with the committed migrations applied: on the PostgreSQL that
 * `adminUrl` points at, or on a throwaway embedded PostgreSQL (as the test setup does) when no URL
 * is given.
 */
export async function createBenchDatabase(adminUrl: string | undefined): Promise<BenchDatabase> {
  let admin = adminUrl;
  let stopEmbedded: (() => Promise<void>) | undefined;
  // PostgreSQL's default durability here (unlike the tests' server): commits are fsynced.
  if (!admin) ({ adminUrl: admin, stop: stopEmbedded } = await startThrowawayPostgres({ max_connections: '200' }));

  const name = `igc_bench_${process.pid}`;
  await withClient(admin, async (c) => {
    await c.query(`drop database if exists ${name} with (force)`);
    await c.query(`create database ${name}`);
  });
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const version = await withClient(url.toString(), async (c) => (await c.query<{ server_version: string }>('show server_version')).rows[0].server_version);

  // The schema is exactly the app's: its migrations, run through its ORM options.
  const orm = await MikroORM.init(ormOptions(url.toString()));
  await orm.migrator.up();
  await orm.close(true);

  return {
    url: url.toString(),
    name,
    kind: stopEmbedded ? 'embedded' : 'machine',
    version,
    close: async () => {
      await withClient(admin, (c) => c.query(`drop database if exists ${name} with (force)`)).catch((error: unknown) =>
        console.error(`could not drop ${name}: ${describeError(error)}`),
      );
      await stopEmbedded?.();
    },
  };
}

export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, application_name: 'bench-runner' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

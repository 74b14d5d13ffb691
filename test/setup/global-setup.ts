// One real PostgreSQL for the whole test run. With DATABASE_URL set (e.g. the machine's
// PostgreSQL on 5432) it is used as the admin connection; otherwise a throwaway embedded
// PostgreSQL is started (src/database/embedded-postgres.ts). Each test file then creates its own
// database. Jest compiles this file, and what it imports, with the tests' transform.
import { startThrowawayPostgres, type EmbeddedServer } from '../../src/database/embedded-postgres';

declare global {
  // Read by global-teardown.ts: jest runs both in its main process.
  var embeddedTestPostgres: EmbeddedServer | undefined;
}

export default async function globalSetup(): Promise<void> {
  if (process.env.DATABASE_URL) {
    process.env.TEST_ADMIN_DATABASE_URL = process.env.DATABASE_URL;
    return;
  }
  // Durability off (a crash loses a test run, nothing else); connections for two workers' apps.
  const server = await startThrowawayPostgres({ fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '300' });
  globalThis.embeddedTestPostgres = server;
  process.env.TEST_ADMIN_DATABASE_URL = server.adminUrl;
}

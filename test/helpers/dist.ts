import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

/** The repository root; `dist/` is what `npm run build` (tsc) writes and what production runs. */
export const ROOT = path.resolve(__dirname, '..', '..');
export const DIST = path.join(ROOT, 'dist');

/**
 * Tests that start real processes run what production runs: `node dist/...`. Builds as the npm
 * scripts do (scripts/build-if-stale.mjs: only when dist/ is missing or older than the sources);
 * a lock directory keeps two test files (jest runs two at once) from writing dist/ together.
 */
export async function ensureBuilt(): Promise<void> {
  const lock = path.join(ROOT, 'dist.build-lock');
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock older than 5 minutes belongs to a run that died mid-build.
      if (Date.now() - statSync(lock).mtimeMs > 300_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() - started > 300_000) throw new Error(`${lock} has been held for 5 minutes; remove it if no build is running`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    await promisify(execFile)(process.execPath, [path.join(ROOT, 'scripts', 'build-if-stale.mjs')], { cwd: ROOT });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

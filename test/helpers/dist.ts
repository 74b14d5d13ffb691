import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

/** The repository root; `dist/` is what `npm run build` (tsc) writes and what production runs. */
export const ROOT = path.resolve(__dirname, '..', '..');
export const DIST = path.join(ROOT, 'dist');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function isFresh(): boolean {
  try {
    return statSync(path.join(DIST, 'main.js')).mtimeMs >= newestMtime(path.join(ROOT, 'src'));
  } catch {
    return false;
  }
}

/**
 * Tests that start real processes run what production runs: `node dist/...`. Builds with
 * `npm run build` when dist/ is missing or older than src/; a lock directory keeps two test files
 * (jest runs two at once) from writing dist/ together.
 */
export async function ensureBuilt(): Promise<void> {
  if (isFresh()) return;
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
    if (!isFresh()) await promisify(execFile)('npm', ['run', 'build', '--silent'], { cwd: ROOT });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

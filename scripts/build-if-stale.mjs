// Compiles src/ into dist/ (`npm run build`) only when dist/ is missing or older than the sources,
// so `npm run token` and the other tools start at once after the first build instead of running
// the whole TypeScript compiler on every call. Prints nothing when dist/ is current.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';

// npm runs scripts in the package's root.
const root = process.cwd();
const stamp = path.join(root, 'dist', '.built');

function newest(entry) {
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(entry).map((name) => newest(path.join(entry, name))));
}

function builtAt() {
  try {
    return statSync(stamp).mtimeMs;
  } catch {
    return -1;
  }
}

const inputs = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'].map((p) => path.join(root, p));
if (builtAt() >= Math.max(...inputs.map(newest))) process.exit(0);

const started = new Date();
process.stderr.write('Compiling src/ into dist/ (the sources changed since the last build)...\n');
const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'tsconfig.build.json')], {
  stdio: ['ignore', 2, 2], // stdout is the tool's answer (a token): compiler messages go to stderr
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
// Stamped with the time the build started: a source saved while tsc ran makes the next call build again.
writeFileSync(stamp, '');
utimesSync(stamp, started, started);

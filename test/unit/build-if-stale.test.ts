import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from '../helpers/dist';

// `npm run token` (and the other tools) compile only when dist/ is older than the sources. Run
// here on a one-file project beside the real node_modules, so the repository's dist/ (which other
// test files run) is left alone.
const project = mkdtempSync(path.join(tmpdir(), 'igc-build-'));
const source = path.join(project, 'src', 'answer.ts');
const output = path.join(project, 'dist', 'answer.js');
const build = () =>
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-if-stale.mjs')], {
    cwd: project,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  }) as unknown;

beforeAll(() => {
  mkdirSync(path.dirname(source));
  writeFileSync(source, 'export const answer = 42;\n');
  writeFileSync(path.join(project, 'tsconfig.json'), '{}\n');
  writeFileSync(
    path.join(project, 'tsconfig.build.json'),
    JSON.stringify({ compilerOptions: { rootDir: 'src', outDir: 'dist', module: 'commonjs', types: [], skipLibCheck: true }, include: ['src'] }),
  );
  writeFileSync(path.join(project, 'package-lock.json'), '{}\n');
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(project, 'node_modules'));
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

it('compiles when dist/ is missing, not again while it is current, and again once a source changes', () => {
  build();
  const first = statSync(output).mtimeMs;
  expect(build()).toBe(''); // nothing to say, nothing compiled
  expect(statSync(output).mtimeMs).toBe(first);

  const later = new Date(Date.now() + 60_000);
  utimesSync(source, later, later);
  writeFileSync(source, 'export const answer = 43;\n');
  utimesSync(source, later, later);
  build();
  expect(statSync(output).mtimeMs).toBeGreaterThan(first);
}, 60_000);

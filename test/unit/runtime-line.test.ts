import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/dist';

// One Node line everywhere: what a version manager reads (.nvmrc), what npm enforces before it
// installs or runs anything (devEngines), what the package declares (engines), what the image
// runs (Dockerfile), and what this very test runs on (CI sources scripts/use-node.sh).
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const line = read('.nvmrc').trim();
const pkg = JSON.parse(read('package.json')) as { engines: { node: string }; devEngines: { runtime: { name: string; version: string; onFail: string } } };

describe('the Node line', () => {
  it('is an LTS major in .nvmrc', () => {
    expect(line).toMatch(/^\d+$/);
    // Up to 26 only even lines become LTS; from 27 on every line does (Node's release schedule).
    expect(Number(line) % 2 === 0 || Number(line) >= 27).toBe(true);
  });

  it('is the minimum of engines and devEngines, and npm stops on an older Node', () => {
    expect(pkg.engines.node).toBe(`>=${line}`);
    expect(pkg.devEngines.runtime).toEqual({ name: 'node', version: `>=${line}`, onFail: 'error' });
  });

  it('is the base of every Dockerfile stage', () => {
    const bases = [...read('Dockerfile').matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(bases.length).toBeGreaterThan(0);
    for (const base of bases) expect(base).toBe(`node:${line}-bookworm-slim`);
  });

  it('is the Node running the tests', () => {
    expect(process.versions.node.split('.')[0]).toBe(line);
  });
});

import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/dist';
import { loadConfig } from '../../src/config';
import { CONFIGURATION_GUIDE, withConfigTables } from '../../src/config/docs';
import { VARIABLES } from '../../src/config/variables';
import { CONFIG_TEST_DIR, PRODUCTION_ENV } from '../helpers/config-env';

const names = Object.keys(VARIABLES).sort();

/** Every name loadConfig looks up in `env`. */
function namesRead(env: Record<string, string>): string[] {
  const read = new Set<string>();
  const recording = new Proxy(env, {
    get: (target, name) => {
      if (typeof name === 'string') read.add(name);
      return target[name as string];
    },
  });
  loadConfig(recording, { cwd: CONFIG_TEST_DIR });
  return [...read].sort();
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const file = path.join(dir, entry);
    return statSync(file).isDirectory() ? sourceFiles(file) : file.endsWith('.ts') ? [file] : [];
  });
}

describe('the variable table', () => {
  it('is what docs/configuration.md documents (run `npm run docs:config` when this fails)', () => {
    const guide = readFileSync(path.join(ROOT, CONFIGURATION_GUIDE), 'utf8');
    expect(withConfigTables(guide)).toBe(guide);
  });

  it('lists every variable loadConfig reads, and loadConfig reads each of them', () => {
    expect(namesRead({})).toEqual(names);
    expect(namesRead(PRODUCTION_ENV)).toEqual(names);
  });

  it('names every variable an entry point reads from process.env', () => {
    const used = sourceFiles(path.join(ROOT, 'src')).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/process\.env\.([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]),
    );
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((name) => !names.includes(name))).toEqual([]);
  });
});

import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { openTokenKeys } from '../../src/services/tokens/token-keys';

describe('openTokenKeys', () => {
  it('generates the development key into DATA_DIR on first use and reads the same key after a restart', () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'token-keys-'));
    const source = loadConfig({}, { cwd }).tokenKeys;
    const file = path.join(cwd, '.data', 'development-token-key');
    expect(existsSync(file)).toBe(false);
    const first = openTokenKeys(source);
    expect(first.current.key.length).toBe(32);
    expect(first.current.id).toMatch(/^dev-[0-9a-f]{8}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // A restart: stored tokens stay readable because the key is read back, not generated again.
    expect(openTokenKeys(loadConfig({}, { cwd }).tokenKeys)).toEqual(first);
  });

  it('returns configured keys as they are, touching no file', () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'token-keys-'));
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(openTokenKeys(loadConfig({ TOKEN_ENCRYPTION_KEY: `k7:${key}` }, { cwd }).tokenKeys)).toEqual({
      current: { id: 'k7', key: Buffer.from(key, 'base64') },
      old: [],
    });
    expect(existsSync(path.join(cwd, '.data'))).toBe(false);
  });
});

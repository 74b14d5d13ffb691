import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { keyFingerprint, type TokenKeyring, type TokenKeySource } from '../../config';

/**
 * The keyring to encrypt tokens with: the configured keys, or the development key, generated into
 * its file on first use and read back afterwards, so tokens stored in DATA_DIR stay readable across
 * restarts. Called by bootstrap (and rotate-keys), never while parsing the configuration.
 */
export function openTokenKeys(source: TokenKeySource): TokenKeyring {
  if (!('developmentKeyFile' in source)) return source;
  const file = source.developmentKeyFile;
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
  }
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  return { current: { id: `dev-${keyFingerprint(key)}`, key }, old: [] };
}

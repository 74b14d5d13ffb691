import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';

/** A scratch working directory, so the development key file never lands in the checkout. */
export const CONFIG_TEST_DIR = mkdtempSync(path.join(tmpdir(), 'config-test-'));

export const PRODUCTION_TOKEN_KEY = Buffer.alloc(32, 1).toString('base64');

/** The smallest valid production environment; each config test adds or breaks one variable. */
export const PRODUCTION_ENV: Record<string, string> = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgresql://db.internal/app',
  JWT_SECRET: 'x'.repeat(40),
  FACEBOOK_APP_ID: '1',
  FACEBOOK_APP_SECRET: 's1',
  INSTAGRAM_APP_ID: '2',
  INSTAGRAM_APP_SECRET: 's2',
  OAUTH_REDIRECT_URIS: 'https://app.example.com/cb',
  TOKEN_ENCRYPTION_KEY: PRODUCTION_TOKEN_KEY,
};

/** Every problem loadConfig reports for `env` (none: an empty list). */
export function configProblems(env: Record<string, string>): string[] {
  try {
    loadConfig(env, { cwd: CONFIG_TEST_DIR });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

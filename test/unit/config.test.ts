import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEVELOPMENT_JWT_SECRET, loadConfig, META_DEFAULT_URLS } from '../../src/config';
import { PriceTier } from '../../src/domain/social-account';
import { CONFIG_TEST_DIR, configProblems, PRODUCTION_ENV, PRODUCTION_TOKEN_KEY } from '../helpers/config-env';

const dir = CONFIG_TEST_DIR;
const KEY = PRODUCTION_TOKEN_KEY;
const production = PRODUCTION_ENV;

const problemsOf = configProblems;

describe('loadConfig', () => {
  it('runs in sandbox mode with development defaults when nothing is set outside production', () => {
    const config = loadConfig({}, { cwd: dir });
    expect(config.sandbox).toBe(true);
    expect(config.jwt.secret).toBe(DEVELOPMENT_JWT_SECRET);
    expect(config.meta.graphVersion).toBe('v25.0');
    expect(config.oauth.redirectUris).toEqual(['http://localhost:4000/oauth/callback']);
    expect(config.developmentDefaults.join(' ')).toMatch(/JWT_SECRET.*TOKEN_ENCRYPTION_KEY/s);
    // Parsing only names the development key's file; bootstrap generates it (test/unit/token-keys.test.ts).
    expect(config.tokenKeys).toEqual({ developmentKeyFile: path.join(dir, '.data', 'development-token-key') });
    expect(existsSync(path.join(dir, '.data'))).toBe(false);
  });

  it('refuses to start in production without credentials, naming every missing variable', () => {
    const problems = problemsOf({ NODE_ENV: 'production' }).join('\n');
    for (const name of [
      'DATABASE_URL',
      'JWT_SECRET',
      'FACEBOOK_APP_ID',
      'FACEBOOK_APP_SECRET',
      'INSTAGRAM_APP_ID',
      'INSTAGRAM_APP_SECRET',
      'OAUTH_REDIRECT_URIS',
      'TOKEN_ENCRYPTION_KEY',
    ]) {
      expect(problems).toContain(name);
    }
  });

  it('accepts a complete production environment with Meta default hosts', () => {
    const config = loadConfig(production, { cwd: dir });
    expect(config.sandbox).toBe(false);
    expect(config.meta.urls).toEqual(META_DEFAULT_URLS);
    expect(config.tokenKeys).toMatchObject({ current: { key: Buffer.from(KEY, 'base64') }, old: [] });
  });

  it('rejects bad values with a clear message each', () => {
    const problems = problemsOf({
      ...production,
      PORT: 'eighty',
      TOKEN_ENCRYPTION_KEY: 'c2hvcnQ=',
      META_GRAPH_VERSION: '25',
      OAUTH_REDIRECT_URIS: 'http://insecure.example.com/cb,not a url',
      FACEBOOK_GRAPH_URL: 'ftp://x',
      JWT_SECRET: 'short',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('PORT must be a whole number'),
        expect.stringContaining('TOKEN_ENCRYPTION_KEY must be base64 of exactly 32 bytes'),
        expect.stringContaining('META_GRAPH_VERSION'),
        expect.stringContaining('must use https in production'),
        expect.stringContaining('"not a url" is not an absolute http(s) URL'),
        expect.stringContaining('FACEBOOK_GRAPH_URL'),
        expect.stringContaining('JWT_SECRET must be at least 32 characters'),
      ]),
    );
  });

  it('keeps path prefixes on base URLs and reads old keys for rotation', () => {
    const old = Buffer.alloc(32, 2).toString('base64');
    const config = loadConfig(
      { ...production, FACEBOOK_GRAPH_URL: 'https://proxy.example.com/meta/graph/', TOKEN_ENCRYPTION_OLD_KEYS: `k0:${old}` },
      { cwd: dir },
    );
    expect(config.meta.urls.facebookGraph).toBe('https://proxy.example.com/meta/graph');
    expect(config.tokenKeys).toMatchObject({ old: [{ id: 'k0', key: Buffer.from(old, 'base64') }] });
  });

  it('loads and validates PRICE_POLICY_FILE', () => {
    const good = path.join(dir, 'policy.json');
    writeFileSync(
      good,
      JSON.stringify({
        currency: 'EUR',
        tiers: [
          { tier: 'A', minFollowers: 50000, ratePer1000Followers: 900 },
          { tier: 'N', minFollowers: 0, ratePer1000Followers: 10 },
        ],
      }),
    );
    const config = loadConfig({ ...production, PRICE_POLICY_FILE: good }, { cwd: dir });
    expect(config.pricePolicy.currency).toBe('EUR');
    expect(config.pricePolicy.tiers.map((t) => t.tier)).toEqual([PriceTier.A, PriceTier.N]);

    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ currency: 'EUR', tiers: [{ tier: 'Z', minFollowers: 0, ratePer1000Followers: 1 }] }));
    expect(problemsOf({ ...production, PRICE_POLICY_FILE: bad }).join()).toMatch(/tiers\[0\]\.tier must be one of/);
    const gap = path.join(dir, 'gap.json');
    writeFileSync(gap, JSON.stringify({ currency: 'EUR', tiers: [{ tier: 'S', minFollowers: 10, ratePer1000Followers: 1 }] }));
    expect(problemsOf({ ...production, PRICE_POLICY_FILE: gap }).join()).toMatch(/minFollowers 0/);
    expect(problemsOf({ ...production, PRICE_POLICY_FILE: path.join(dir, 'missing.json') }).join()).toMatch(/ENOENT/);
  });
});

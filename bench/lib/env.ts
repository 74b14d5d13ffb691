import type { MetaUrls } from '../../src/config';

/** Secrets shared by the runner, the server under test and the baselines. Benchmark-only values. */
export const BENCH_JWT_SECRET = 'benchmark-jwt-secret-0123456789-abcdefghijklmnop';
export const BENCH_TOKEN_KEY = Buffer.alloc(32, 42).toString('base64');
export const BENCH_REDIRECT_URI = 'https://bench.example.test/oauth/callback';
export const BENCH_APPS = {
  facebook: { id: '700000000000001', secret: 'bench-facebook-app-secret' },
  instagram: { id: '700000000000002', secret: 'bench-instagram-app-secret' },
};

/**
 * The environment the server under test gets: production mode (every secret explicit, no
 * sandbox), Meta pointed at the emulator, the lifecycle worker off, logging at warn, an OS port.
 */
export function serverEnv(databaseUrl: string, metaUrls: MetaUrls, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: databaseUrl,
    JWT_SECRET: BENCH_JWT_SECRET,
    TOKEN_ENCRYPTION_KEY: `bench:${BENCH_TOKEN_KEY}`,
    OAUTH_REDIRECT_URIS: BENCH_REDIRECT_URI,
    FACEBOOK_APP_ID: BENCH_APPS.facebook.id,
    FACEBOOK_APP_SECRET: BENCH_APPS.facebook.secret,
    INSTAGRAM_APP_ID: BENCH_APPS.instagram.id,
    INSTAGRAM_APP_SECRET: BENCH_APPS.instagram.secret,
    FACEBOOK_WWW_URL: metaUrls.facebookWww,
    FACEBOOK_GRAPH_URL: metaUrls.facebookGraph,
    INSTAGRAM_WWW_URL: metaUrls.instagramWww,
    INSTAGRAM_API_URL: metaUrls.instagramApi,
    INSTAGRAM_GRAPH_URL: metaUrls.instagramGraph,
    DISABLE_WORKER: '1',
    LOG_LEVEL: 'warn',
    // BENCH_LIMITS=off: the server without operation limits and member budgets (REQUEST_LIMITS=off),
    // to measure what the limits cost (the read path must stay within 5 % of it).
    ...(process.env.BENCH_LIMITS === 'off' ? { REQUEST_LIMITS: 'off' } : {}),
    ...extra,
  };
}

import { TestApp } from './helpers/test-app';

/**
 * The compiled executor earns its place (issue 23): only signed-in callers get documents
 * compiled, the cache is bounded by estimated memory, and operations selecting many fields are
 * never compiled. Anonymous floods once grew the heap by ~1 MB per distinct document.
 */
let app: TestApp;
const CACHE_MB = 0.5;

beforeAll(async () => {
  app = await TestApp.start({ env: { GRAPHQL_COMPILED_CACHE_MB: String(CACHE_MB), GRAPHQL_COMPILE_MAX_FIELDS: '40' } });
});
afterAll(async () => {
  await app?.close();
});

/** A distinct document per `i`: aliases make the text (and the compiled code) differ. */
const distinct = (i: number, accounts = 2) =>
  `{ ${Array.from({ length: accounts }, (_, k) => `a${i}_${k}: socialAccounts { id username followersCount connectionStatus }`).join(' ')} }`;

const cacheDocuments = () => app.metric('graphql_compiled_cache_documents');
const cacheBytes = () => app.metric('graphql_compiled_cache_bytes');
const jitRuns = () => app.metric('graphql_executions_total', { executor: 'jit' });

describe('compiled-document cache', () => {
  it('never compiles for anonymous callers, however often a document repeats', async () => {
    for (let i = 0; i < 20; i++) {
      for (let send = 0; send < 3; send++)
        expect((await app.post({ query: distinct(i) }, { token: null })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
    expect(await cacheDocuments()).toBe(0);
    expect(await cacheBytes()).toBe(0);
    expect(await jitRuns()).toBe(0);
  });

  it('compiles a signed-in repeat, and keeps the estimated memory of what it holds under GRAPHQL_COMPILED_CACHE_MB', async () => {
    const memberId = 'member-cache';
    const before = await jitRuns();
    for (let i = 0; i < 40; i++) {
      for (let send = 0; send < 2; send++) expect((await app.post({ query: distinct(100 + i) }, { memberId })).errors).toBeUndefined();
    }
    expect(await jitRuns()).toBe(before + 40); // each second send ran compiled
    expect(await cacheBytes()).toBeGreaterThan(0);
    expect(await cacheBytes()).toBeLessThanOrEqual(CACHE_MB * 1024 * 1024);
    // 40 compiled documents do not fit: the least recently used went.
    expect(await cacheDocuments()).toBeLessThan(40);
  });

  it('runs operations selecting more than GRAPHQL_COMPILE_MAX_FIELDS fields through graphql-js', async () => {
    const before = await jitRuns();
    const large = distinct(999, 10); // 10 × 5 fields = 50 > 40
    for (let send = 0; send < 3; send++) expect((await app.post({ query: large }, { memberId: 'member-large' })).errors).toBeUndefined();
    expect(await jitRuns()).toBe(before);
  });
});

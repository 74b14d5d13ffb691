import { Writable } from 'node:stream';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type GraphQLFormattedError } from 'graphql';
import jwt from 'jsonwebtoken';
import { bootstrap, type AppHandles, type BootstrapOptions } from '../../src/bootstrap';
import { ManualClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { startMetaEmulator, type MetaEmulator } from '../../src/sandbox/emulator';
import { createTestDatabase } from './database';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';
export const TEST_TOKEN_KEY = Buffer.alloc(32, 7).toString('base64');
export const REDIRECT_URI = 'https://app.example.test/oauth/callback';
export const OTHER_REDIRECT_URI = 'https://dashboard.example.test/callback';
export const TEST_APPS = {
  facebook: { id: '900000000000001', secret: 'test-facebook-app-secret' },
  instagram: { id: '900000000000002', secret: 'test-instagram-app-secret' },
};

/** The form Business Login's code exchange posts (`POST api.instagram.com/oauth/access_token`), as the test Instagram app. */
export function instagramCodeExchangeForm(code: string): URLSearchParams {
  return new URLSearchParams({
    client_id: TEST_APPS.instagram.id,
    client_secret: TEST_APPS.instagram.secret,
    grant_type: 'authorization_code',
    redirect_uri: REDIRECT_URI,
    code,
  });
}

/** The test apps' credentials and every Meta base URL pointed at the emulator (in-process apps and child processes alike). */
export function metaEmulatorEnv(emulator: MetaEmulator): Record<string, string> {
  return {
    FACEBOOK_APP_ID: TEST_APPS.facebook.id,
    FACEBOOK_APP_SECRET: TEST_APPS.facebook.secret,
    INSTAGRAM_APP_ID: TEST_APPS.instagram.id,
    INSTAGRAM_APP_SECRET: TEST_APPS.instagram.secret,
    FACEBOOK_WWW_URL: emulator.urls.facebookWww,
    FACEBOOK_GRAPH_URL: emulator.urls.facebookGraph,
    INSTAGRAM_WWW_URL: emulator.urls.instagramWww,
    INSTAGRAM_API_URL: emulator.urls.instagramApi,
    INSTAGRAM_GRAPH_URL: emulator.urls.instagramGraph,
    META_RETRY_BASE_DELAY_MS: '1',
  };
}

export interface GraphQLResponse<T> {
  data?: T | null;
  errors?: GraphQLFormattedError[];
  status: number;
}

export interface TestAppOptions {
  /** Extra environment for loadConfig (e.g. PRICE_POLICY_FILE). */
  env?: Record<string, string>;
  /** Share a database and emulator with another instance (multi-instance tests). */
  share?: TestApp;
  /** Use this database (created and dropped by the caller), e.g. on a PostgreSQL server the test owns. */
  databaseUrl?: string;
  /** Trace into this exporter (tracing tests). */
  spanExporter?: BootstrapOptions['spanExporter'];
}

/**
 * A real app for a test file: its own PostgreSQL database, a real Meta emulator on loopback, a
 * manual clock shared by both, and every log line captured (tests assert no token leaks).
 */
export class TestApp {
  private constructor(
    readonly handles: AppHandles,
    /** Every log line the app wrote, as JSON text. */
    readonly logs: string[],
    readonly emulator: MetaEmulator,
    readonly clock: ManualClock,
    readonly databaseUrl: string,
    private readonly cleanup: Array<() => Promise<void>>,
  ) {}

  static async start(options: TestAppOptions = {}): Promise<TestApp> {
    const cleanup: Array<() => Promise<void>> = [];
    const clock = options.share?.clock ?? new ManualClock(Date.now());
    let emulator = options.share?.emulator;
    if (!emulator) {
      emulator = await startMetaEmulator({ facebookApp: TEST_APPS.facebook, instagramApp: TEST_APPS.instagram, now: () => clock.nowMs() });
      const started = emulator;
      cleanup.push(() => started.close());
    }
    let databaseUrl = options.share?.databaseUrl ?? options.databaseUrl;
    if (!databaseUrl) {
      const db = await createTestDatabase();
      databaseUrl = db.url;
      cleanup.push(() => db.drop());
    }
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: databaseUrl,
      JWT_SECRET: TEST_JWT_SECRET,
      TOKEN_ENCRYPTION_KEY: TEST_TOKEN_KEY,
      OAUTH_REDIRECT_URIS: `${REDIRECT_URI},${OTHER_REDIRECT_URI}`,
      ...metaEmulatorEnv(emulator),
      DISABLE_WORKER: '1',
      HOST: '127.0.0.1',
      // Suites send many requests per member and re-sync right after a change in Meta; the limit
      // suites (operation-limits, member-rate-limits, sync-coalescing, websocket-bounds) set their own.
      RATE_LIMIT_OPERATIONS: '100000',
      RATE_LIMIT_OAUTH_URLS: '100000',
      RATE_LIMIT_META_MUTATIONS: '100000',
      SYNC_MIN_INTERVAL_SECONDS: '0',
      ...options.env,
    });
    const logs: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    });
    const handles = await bootstrap(config, { clock, logger: createLogger('debug', sink), port: 0, spanExporter: options.spanExporter });
    return new TestApp(handles, logs, emulator, clock, databaseUrl, cleanup);
  }

  get url(): string {
    return this.handles.url;
  }

  get services() {
    return this.handles.services;
  }

  /** A metric of this app's registry (what /metrics shows): the sum of its values whose labels include `labels`; 0 when none yet. */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    const metric = this.services.metrics.registry.getSingleMetric(name);
    if (!metric) throw new Error(`no metric ${name}`);
    const { values } = await metric.get();
    return values.filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l)).reduce((sum, v) => sum + v.value, 0);
  }

  /** Raw SQL against the app's database, for assertions on what is really stored. */
  async sql<T = any>(query: string, params: unknown[] = []): Promise<T[]> {
    return this.handles.orm.em.fork().execute(query, params) as Promise<T[]>;
  }

  /** The first row of `sql` (undefined when there is none). */
  async sqlRow<T = any>(query: string, params: unknown[] = []): Promise<T> {
    return (await this.sql<T>(query, params))[0];
  }

  /** A valid platform JWT for a member. */
  tokenFor(memberId: string, options: jwt.SignOptions = {}): string {
    return jwt.sign({}, TEST_JWT_SECRET, { algorithm: 'HS256', subject: memberId, expiresIn: 3600, ...options });
  }

  /** One GraphQL operation over HTTP, as a client would send it. */
  async gql<TResult, TVariables>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables: TVariables,
    auth: { memberId?: string; token?: string | null } = {},
  ): Promise<GraphQLResponse<TResult>> {
    return this.post({ query: print(document), variables }, auth);
  }

  /** A raw GraphQL request body (for malformed input). */
  async post<T = unknown>(body: unknown, auth: { memberId?: string; token?: string | null } = {}): Promise<GraphQLResponse<T>> {
    const token = auth.token !== undefined ? auth.token : auth.memberId ? this.tokenFor(auth.memberId) : null;
    const response = await fetch(`${this.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const json = (await response.json()) as Omit<GraphQLResponse<T>, 'status'>;
    return { ...json, status: response.status };
  }

  async close(): Promise<void> {
    await this.handles.close();
    for (const step of this.cleanup.reverse()) await step();
  }
}

/** The `state` query parameter of an authorize URL. */
export function stateOf(authorizeUrl: string): string {
  const state = new URL(authorizeUrl).searchParams.get('state');
  if (!state) throw new Error(`no state in ${authorizeUrl}`);
  return state;
}

/** The single error of a response, asserting there is exactly one. */
export function onlyError(response: GraphQLResponse<unknown>): GraphQLFormattedError & { extensions: Record<string, unknown> } {
  if (!response.errors || response.errors.length !== 1) {
    throw new Error(`expected exactly one error, got ${JSON.stringify(response.errors ?? response.data)}`);
  }
  return response.errors[0] as GraphQLFormattedError & { extensions: Record<string, unknown> };
}

/**
 * One app for the whole test file, started before its first test and closed after its last.
 * Returns a stand-in usable at module level (`const app = appForThisFile()`); it forwards to the
 * real TestApp once started.
 */
export function appForThisFile(options: TestAppOptions = {}): TestApp {
  let started: TestApp | undefined;
  beforeAll(async () => {
    started = await TestApp.start(options);
  });
  afterAll(() => started?.close());
  return new Proxy({} as TestApp, {
    get(_target, property) {
      if (!started) throw new Error('the test app is used before beforeAll started it');
      const value = Reflect.get(started, property, started);
      return typeof value === 'function' ? value.bind(started) : value;
    },
  });
}

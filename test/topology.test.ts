import { readFileSync } from 'node:fs';
import path from 'node:path';
import { print } from 'graphql';
import { createClient } from 'graphql-ws';
import jwt from 'jsonwebtoken';
import { Client } from 'pg';
import WebSocket from 'ws';
import { parse as parseYaml } from 'yaml';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  ConnectInstagramDocument,
  ConnectionStatusChangedDocument,
  DisconnectSocialAccountDocument,
  OAuthUrlDocument,
  SocialAccountsDocument,
  SyncSocialAccountDocument,
} from '../client/generated/graphql';
import { loadConfig } from '../src/config';
import { MIGRATIONS } from '../src/migrations';
import { startMetaEmulator, type MetaEmulator } from '../src/sandbox/emulator';
import { createTestDatabase } from './helpers/database';
import { ensureBuilt, ROOT } from './helpers/dist';
import { NodeProcess } from './helpers/processes';
import { waitFor } from './helpers/subscriptions';
import { metaEmulatorEnv, REDIRECT_URI, stateOf, TEST_APPS, TEST_JWT_SECRET, TEST_TOKEN_KEY } from './helpers/test-app';
import { freePort } from '../src/free-port';

/**
 * The production topology of compose.yaml, as processes on this machine: two `node dist/main.js`
 * (DISABLE_WORKER=1) and one `node dist/worker.js`, NODE_ENV=production, one PostgreSQL database,
 * Meta played by the emulator. Bounded: every wait is on a condition, with a deadline.
 */
jest.setTimeout(300_000);

const MEMBER = 'member-topology';
let emulator: MetaEmulator;
let emulatorClockOffsetMs = 0;
let database: { url: string; drop(): Promise<void> };
let db: Client;
const ports: number[] = [];
let api1: NodeProcess;
let api2: NodeProcess;
let worker: NodeProcess;
let productionEnv: Record<string, string>;

const base = (port: number) => `http://127.0.0.1:${port}`;
const token = () => jwt.sign({}, TEST_JWT_SECRET, { algorithm: 'HS256', subject: MEMBER, expiresIn: 3600 });

async function gql<TResult, TVariables>(port: number, document: TypedDocumentNode<TResult, TVariables>, variables: TVariables) {
  const response = await fetch(`${base(port)}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token()}` },
    body: JSON.stringify({ query: print(document), variables }),
  });
  return { status: response.status, ...((await response.json()) as { data?: TResult; errors?: unknown[] }) };
}

function startApi(name: string, port: number): NodeProcess {
  return new NodeProcess(name, 'main.js', { ...productionEnv, PORT: String(port), DISABLE_WORKER: '1' });
}
const ready = (p: NodeProcess) => p.waitForLog((l) => l.msg === 'GraphQL server ready', 'GraphQL server ready', 60_000);

async function connectInstagramThrough(port: number): Promise<string> {
  const user = emulator.control.addInstagramUser({
    username: `topology_${Math.random().toString(36).slice(2, 8)}`,
    accountType: 'BUSINESS',
    followersCount: 12_000,
  });
  const url = await gql(port, OAuthUrlDocument, { provider: 'INSTAGRAM', redirectUri: REDIRECT_URI });
  const state = stateOf(url.data!.oauthUrl);
  const { code } = emulator.control.authorize({ provider: 'instagram', userId: user.userId, redirectUri: REDIRECT_URI, state });
  const connected = await gql(port, ConnectInstagramDocument, { code: `${code}#_`, state }); // Instagram appends #_ to the code
  if (!connected.data) throw new Error(`connect failed: ${JSON.stringify(connected.errors)}`);
  return connected.data.connectInstagram[0].id;
}

beforeAll(async () => {
  await ensureBuilt();
  emulator = await startMetaEmulator({ facebookApp: TEST_APPS.facebook, instagramApp: TEST_APPS.instagram, now: () => Date.now() + emulatorClockOffsetMs });
  database = await createTestDatabase();
  db = new Client({ connectionString: database.url });
  await db.connect();
  for (let i = 0; i < 3; i++) ports.push(await freePort());
  productionEnv = {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    DATABASE_URL: database.url,
    DATABASE_POOL_MAX: '4',
    PUBLIC_URL: 'https://api.example.test',
    OAUTH_REDIRECT_URIS: REDIRECT_URI,
    JWT_SECRET: TEST_JWT_SECRET,
    TOKEN_ENCRYPTION_KEY: TEST_TOKEN_KEY,
    ...metaEmulatorEnv(emulator),
    LOG_LEVEL: 'info',
    WORKER_POLL_INTERVAL_MS: '200',
    // The restart test syncs right after connecting (a sync within the minimum interval would not reach
    // Meta) and keeps API 2 busy with more reads than one member's default budget allows.
    SYNC_MIN_INTERVAL_SECONDS: '0',
    RATE_LIMIT_OPERATIONS: '1000000',
  };
  // Both APIs start at once on the fresh database: migrations at startup take turns (advisory lock).
  api1 = startApi('api-1', ports[0]);
  api2 = startApi('api-2', ports[1]);
  await Promise.all([ready(api1), ready(api2)]);
  worker = new NodeProcess('worker', 'worker.js', { ...productionEnv, WORKER_PORT: String(ports[2]) });
  await worker.waitForLog((l) => l.msg === 'lifecycle worker ready', 'lifecycle worker ready', 60_000);
});

afterAll(async () => {
  await Promise.all([api1, api2, worker].filter(Boolean).map((p) => p.stop()));
  await db?.end();
  await database?.drop();
  await emulator?.close();
});

describe('the compose.yaml topology as processes', () => {
  it('two replicas started together on a fresh database applied each migration once', async () => {
    const { rows } = await db.query<{ name: string; n: string }>('select name, count(*) as n from mikro_orm_migrations group by name order by name');
    expect(rows).toEqual(MIGRATIONS.map((m) => ({ name: m.name, n: '1' })));
    expect(api1.logLines.some((l) => l.level === 30 && typeof l.msg === 'string')).toBe(true); // production logs are JSON
  });

  it('a subscriber on API 1 hears a change made on API 2', async () => {
    const accountId = await connectInstagramThrough(ports[1]);
    const received: Array<{ status: string; account: { id: string } }> = [];
    const client = createClient({
      url: `ws://127.0.0.1:${ports[0]}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token()}` },
      retryAttempts: 0,
    });
    client.subscribe(
      { query: print(ConnectionStatusChangedDocument), variables: { accountId } },
      {
        next: (r) => received.push((r.data as { connectionStatusChanged: (typeof received)[number] }).connectionStatusChanged),
        error: () => undefined,
        complete: () => undefined,
      },
    );
    try {
      await waitFor(
        async () => /graphql_subscriptions_active 1\b/.test(await (await fetch(`${base(ports[0])}/metrics`)).text()),
        'the subscription on API 1',
        15_000,
      );
      const disconnected = await gql(ports[1], DisconnectSocialAccountDocument, { id: accountId });
      expect(disconnected.data?.disconnectSocialAccount.connectionStatus).toBe('DISCONNECTED');
      await waitFor(() => received.length > 0, 'the event on API 1', 15_000);
      expect(received[0]).toMatchObject({ status: 'DISCONNECTED', account: { id: accountId } });
    } finally {
      await client.dispose();
    }
  });

  it('the worker refreshes each due Instagram token exactly once', async () => {
    const ids = [await connectInstagramThrough(ports[0]), await connectInstagramThrough(ports[1]), await connectInstagramThrough(ports[0])];
    // 50 days on: inside the refresh window. Meta's side (the emulator) agrees the tokens are old enough.
    emulatorClockOffsetMs = 25 * 3600_000;
    await db.query(
      `update meta_grant g set token_issued_at = now() - interval '50 days', token_expires_at = now() + interval '5 days'
         from social_account a where a.grant_id = g.id and a.id = any($1::uuid[])`,
      [ids],
    );
    await db.query('update social_account set next_check_at = now() where id = any($1::uuid[])', [ids]);
    await waitFor(
      async () => {
        const { rows } = await db.query<{ n: string }>(
          `select count(*) as n from meta_grant g join social_account a on a.grant_id = g.id where a.id = any($1::uuid[]) and g.token_expires_at > now() + interval '50 days'`,
          [ids],
        );
        return Number(rows[0].n) === 3;
      },
      'three refreshed tokens',
      30_000,
    );
    expect(emulator.control.refreshCounts()).toEqual({ total: 3, accounts: 3, mostForOneAccount: 1 });
    const metrics = await (await fetch(`${base(ports[2])}/metrics`)).text();
    expect(metrics).toMatch(/token_refreshes_total\{kind="instagram_refresh",outcome="ok"\} 3/);
  });

  it('a rolling restart of API 1 fails no request sent to API 2 and drains its own', async () => {
    const accountId = (await gql(ports[0], SocialAccountsDocument, {})).data!.socialAccounts[0].id;
    // Keep API 2 busy for the whole restart.
    let stopLoad = false;
    const failures: string[] = [];
    let served = 0;
    const deadline = Date.now() + 90_000; // never outlives a failed test
    const load = (async () => {
      while (!stopLoad && Date.now() < deadline) {
        try {
          const r = await gql(ports[1], SocialAccountsDocument, {});
          if (r.status !== 200 || r.errors) failures.push(JSON.stringify(r));
          else served++;
        } catch (error) {
          failures.push(String(error));
        }
      }
    })();

    // A slow request in flight on API 1 when it gets SIGTERM: it must complete.
    emulator.control.setLatency(1_500);
    const inFlight = gql(ports[0], SyncSocialAccountDocument, { id: accountId });
    // SIGTERM once the sync has reached Meta (the emulator's call log), i.e. is really in flight.
    await waitFor(() => emulator.control.delayedRequests > 0, 'the sync to reach Meta', 10_000);
    const exited = api1.stop('SIGTERM');
    const drained = await inFlight;
    const code = await exited;
    if (code !== 0) throw new Error(`api-1 did not stop cleanly (exit ${code}):\n${api1.text.slice(-4000)}`);
    expect(drained.status).toBe(200);
    expect(drained.errors).toBeUndefined();
    expect(code).toBe(0);
    emulator.control.setLatency(0);

    api1 = startApi('api-1', ports[0]);
    await ready(api1);
    expect((await gql(ports[0], SocialAccountsDocument, {})).status).toBe(200);
    stopLoad = true;
    await load;
    expect(failures).toEqual([]);
    expect(served).toBeGreaterThan(10);
    // Still exactly one refresh per token: the restart and the worker's later sweeps did not repeat them.
    expect(emulator.control.refreshCounts().total).toBe(3);
  });
});

describe('compose.yaml and Dockerfile (no Docker daemon in CI: checked statically)', () => {
  const compose = parseYaml(readFileSync(path.join(ROOT, 'compose.yaml'), 'utf8'), { merge: true }) as {
    services: Record<string, { environment?: Record<string, string>; command?: string[]; depends_on?: Record<string, unknown> }>;
  };
  // What an operator would put in .env: compose's ${VAR:?} / ${VAR:-} filled in.
  const sample: Record<string, string> = {
    POSTGRES_PASSWORD: 'pw',
    PUBLIC_URL: 'https://api.example.com',
    OAUTH_REDIRECT_URIS: 'https://app.example.com/oauth/callback',
    JWT_SECRET: 'x'.repeat(40),
    TOKEN_ENCRYPTION_KEY: `k1:${Buffer.alloc(32, 3).toString('base64')}`,
    FACEBOOK_APP_ID: '1',
    FACEBOOK_APP_SECRET: 's',
    INSTAGRAM_APP_ID: '2',
    INSTAGRAM_APP_SECRET: 's',
    CORS_ORIGINS: 'https://app.example.com',
  };
  const substitute = (value: string) => value.replace(/\$\{(\w+)(:[?-][^}]*)?\}/g, (_m, name: string) => sample[name] ?? '');

  it('spells out a valid production configuration for every app service: two APIs without worker, one worker', () => {
    for (const name of ['api-1', 'api-2', 'worker', 'migrate']) {
      const env = Object.fromEntries(Object.entries(compose.services[name].environment ?? {}).map(([k, v]) => [k, substitute(String(v))]));
      expect(env.NODE_ENV).toBe('production');
      expect(() => loadConfig(env)).not.toThrow();
    }
    expect(compose.services['api-1'].environment?.DISABLE_WORKER).toBe('1');
    expect(compose.services['api-2'].environment?.DISABLE_WORKER).toBe('1');
    expect(compose.services.worker.command).toEqual(['node', 'dist/worker.js']);
    expect(compose.services.migrate.command).toEqual(['node', 'dist/cli/migrate.js']);
    expect(Object.keys(compose.services.postgres)).toContain('healthcheck');
  });

  it('the Dockerfile is multi-stage, installs production dependencies only in the final stage, runs as non-root, health-checks /healthz', () => {
    const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    const stages = dockerfile.split(/^FROM /m).slice(1);
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const final = stages[stages.length - 1];
    expect(final).toMatch(/npm ci --omit=dev/);
    expect(final).toMatch(/^USER (?!root)\w+/m);
    expect(final).toMatch(/^HEALTHCHECK [\s\S]*\/healthz/m);
    expect(final).toMatch(/^CMD \["node", "dist\/main\.js"\]/m);
  });
});

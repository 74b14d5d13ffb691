import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEVELOPMENT_JWT_SECRET } from '../src/config/constants';
import { freePort } from '../src/free-port';
import { SEED } from '../src/sandbox/emulator/seed';
import { signDevelopmentToken } from '../src/services/auth/jwt-verifier';
import { ensureBuilt } from './helpers/dist';
import { NodeProcess } from './helpers/processes';

// A newcomer's development setup: `npm start` (sandbox, embedded PostgreSQL in DATA_DIR, no
// DATABASE_URL), and beside it the tools the README names. Each must use the running server's
// database (and, for the worker, its Meta emulator) instead of starting a second PostgreSQL on
// the same directory and port.
jest.setTimeout(180_000);

const dataDir = mkdtempSync(path.join(tmpdir(), 'igc-dev-'));
chmodSync(dataDir, 0o755); // as root, the embedded PostgreSQL runs as "postgres" and must enter it
let env: Record<string, string>;
let server: NodeProcess;
let api: string;

beforeAll(async () => {
  await ensureBuilt();
  const port = await freePort();
  env = { DATA_DIR: dataDir, EMBEDDED_POSTGRES_PORT: String(await freePort()), PORT: String(port), HOST: '127.0.0.1', LOG_FORMAT: 'json' };
  api = `http://127.0.0.1:${port}`;
  server = new NodeProcess('npm start', 'main.js', env);
  await server.waitForLog((l) => l.msg === 'GraphQL server ready', 'the server', 120_000);
});
afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function run(name: string, script: string, args: string[] = [], extra: Record<string, string> = {}): Promise<{ code: number | null; text: string }> {
  const tool = new NodeProcess(name, script, { ...env, ...extra }, args);
  const code = await tool.exited;
  return { code, text: tool.text };
}

it('npm run migrate uses the database of the running npm start', async () => {
  const { code, text } = await run('migrate', 'cli/migrate.js');
  expect(text).toMatch(/Nothing to apply: all \d+ migrations are in place/);
  expect(code).toBe(0);
  expect(server.child.exitCode).toBeNull(); // and leaves it running
});

it('npm run worker runs beside it, on its database and its Meta emulator, and stops cleanly', async () => {
  const sandbox = JSON.parse(readFileSync(path.join(dataDir, 'sandbox.json'), 'utf8')) as { url: string; emulatorUrl: string };
  expect(sandbox.url).toBe(api);
  const worker = new NodeProcess('worker', 'worker.js', { ...env, WORKER_PORT: String(await freePort()) });
  const ready = await worker.waitForLog((l) => l.msg === 'lifecycle worker ready', 'the worker', 60_000);
  expect(ready).toMatchObject({ role: 'worker', sandbox: true });
  expect(worker.text).toMatch(/using the embedded PostgreSQL another process runs/);
  expect(await worker.stop()).toBe(0);
  expect(server.child.exitCode).toBeNull();
});

it('npm run webhooks -- redeliver queues to the endpoint the running sandbox server delivers to', async () => {
  // Connect the seeded Business Login creator through the running server, over HTTP.
  const token = signDevelopmentToken(DEVELOPMENT_JWT_SECRET, 'member-dev-tools', 600);
  const gql = async (query: string, variables: Record<string, unknown> = {}) => {
    const response = await fetch(`${api}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
  };
  const { data } = await gql('{ oauthUrl(provider: INSTAGRAM) }');
  const dialog = await fetch(String(data!.oauthUrl), {
    method: 'POST',
    body: new URLSearchParams({ decision: 'allow', user: SEED.instagramCreatorId }),
    redirect: 'manual',
  });
  const callback = new URL(dialog.headers.get('location')!);
  const connected = await gql('mutation($c: String!, $s: String!) { connectInstagram(code: $c, state: $s) { username } }', {
    c: callback.searchParams.get('code'),
    s: callback.searchParams.get('state'),
  });
  expect(connected.errors).toBeUndefined();
  const received = async () =>
    ((await (await fetch(`${api}/sandbox/webhooks/received`)).json()) as { received: Array<{ webhookId: string; type: string; verified: boolean }> }).received;
  const waitFor = async (count: number) => {
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      const list = await received();
      if (list.length >= count) return list;
    }
    throw new Error(`fewer than ${count} webhooks arrived at the sandbox receiver`);
  };
  const [first] = await waitFor(1);
  expect(first).toMatchObject({ type: 'account.connected', verified: true });

  const { code, text } = await run('webhooks', 'cli/webhooks.js', ['redeliver', '--event', first.webhookId]);
  expect(text).toMatch(/queued 1 delivery to 1 endpoint/);
  expect(code).toBe(0);
  const [again] = await waitFor(2);
  expect(again).toMatchObject({ webhookId: first.webhookId, type: 'account.connected', verified: true });
});

it('the sandbox file goes with the server', async () => {
  expect(await server.stop()).toBe(0);
  expect(existsSync(path.join(dataDir, 'sandbox.json'))).toBe(false);
});

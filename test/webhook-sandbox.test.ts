import { Writable } from 'node:stream';
import { bootstrap, type AppHandles } from '../src/bootstrap';
import { loadConfig } from '../src/config';
import { SocialAccount } from '../src/entities';
import { createLogger } from '../src/logger';
import { LoginProvider, SocialConnectionStatus } from '../src/domain/social-account';
import { createTestDatabase } from './helpers/database';

/** Sandbox mode: with no STATUS_WEBHOOK_URL the app sends its webhooks to its own receiver page. */
let app: AppHandles;
let drop: () => Promise<void>;
beforeAll(async () => {
  const db = await createTestDatabase();
  drop = db.drop;
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: db.url, HOST: '127.0.0.1', DISABLE_WORKER: '1' });
  const sink = new Writable({ write: (_c, _e, done) => done() });
  app = await bootstrap(config, { port: 0, logger: createLogger('warn', sink) });
});
afterAll(async () => {
  await app?.close();
  await drop?.();
});

interface ReceivedList {
  answer: number;
  received: Array<{ webhookId: string; verified: boolean; answeredWith: number; type: string; body: { data: { account: { username: string } } } }>;
}
const received = async () => (await (await fetch(`${app.url}/sandbox/webhooks/received`)).json()) as ReceivedList;

it('delivers to the built-in receiver, which verifies the signature, lists what arrived and can answer errors', async () => {
  expect(app.services.webhooks.endpoints).toEqual([`${app.url}/sandbox/webhooks/receive`]);
  const em = app.orm.em.fork();
  const account = await em.transactional(async (tx) => {
    const created = tx.create(SocialAccount, {
      memberId: 'demo-member',
      provider: LoginProvider.INSTAGRAM,
      platformUserId: '1789',
      username: 'sandbox_creator',
    });
    await app.services.status.transition(tx, created, SocialConnectionStatus.CONNECTED, null, { created: true });
    return created;
  });
  await app.services.webhookWorker.runOnce();
  let list = await received();
  expect(list.received).toHaveLength(1);
  expect(list.received[0]).toMatchObject({
    verified: true,
    answeredWith: 204,
    type: 'account.connected',
    body: { data: { account: { username: 'sandbox_creator' } } },
  });

  // Told to answer 503, the receiver makes the worker retry with the same webhook-id.
  await fetch(`${app.url}/sandbox/webhooks/answer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 503 }) });
  await app.services.accounts.changeStatus(app.orm.em.fork(), account.id, SocialConnectionStatus.ERROR, 'sandbox error');
  expect(await app.services.webhookWorker.runOnce()).toMatchObject({ retried: 1 });
  list = await received();
  expect(list.received[0]).toMatchObject({ type: 'account.error', answeredWith: 503, verified: true });

  // A forged request is shown as such and refused.
  const forged = await fetch(`${app.url}/sandbox/webhooks/receive`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': 'x',
      'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
      'webhook-signature': 'v1,AAAA',
    },
    body: '{}',
  });
  expect(forged.status).toBe(400);
  expect((await received()).received[0]).toMatchObject({ verified: false });
  const page = await fetch(`${app.url}/sandbox/webhooks`);
  expect(await page.text()).toMatch(/Status webhooks received/);
});

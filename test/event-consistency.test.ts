import { DisconnectSocialAccountDocument, SyncSocialAccountDocument } from '../client/generated/graphql';
import type { ReconnectNotices } from '../src/services/webhooks/reconnect-notices';
import { connect, facebookUser, instagramUser } from './helpers/flows';
import { TestApp } from './helpers/test-app';
import { TEST_WEBHOOK_SECRET, WebhookReceiver } from './helpers/webhook-receiver';

/**
 * Events about an account never contradict each other, updatedAt tells the truth, and a change of
 * STATUS_WEBHOOK_URL during a rolling deploy strands nothing. Real PostgreSQL, real concurrent
 * transactions, real HTTP receivers.
 */
jest.setTimeout(120_000);

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

let app: TestApp | undefined;
let other: TestApp | undefined;
let receiver: WebhookReceiver;
let second: WebhookReceiver | undefined;
beforeEach(async () => {
  receiver = await WebhookReceiver.start();
});
afterEach(async () => {
  await other?.close();
  await app?.close();
  await receiver.stop();
  await second?.stop();
  other = app = second = undefined;
});

const start = async (env: Record<string, string> = {}) =>
  (app = await TestApp.start({ env: { STATUS_WEBHOOK_URL: receiver.url, STATUS_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET, ...env } }));
const deliver = () => app!.services.webhookWorker.runOnce();
const disconnect = (memberId: string, id: string) => app!.gql(DisconnectSocialAccountDocument, { id }, { memberId });
const typesFor = (accountId: string) => receiver.accepted.filter((r) => r.json.data.account.id === accountId).map((r) => r.json.type);

/** A CONNECTED Facebook-flow account inside its reconnect-notice window (data access ends in 6 days). */
async function accountDueForNotice(member: string) {
  const fb = facebookUser(app!, [{ instagram: {} }]);
  const [account] = await connect(app!, member, 'FACEBOOK', fb.userId);
  app!.emulator.control.makeTokensPermanent(fb.userId);
  app!.clock.advance(84 * DAY);
  await app!.services.worker.runOnce(); // learns the data access end (needsReconnectBy)
  return account;
}

/** Resolves once some statement of this database waits for a lock, or `done` settled. */
async function blockedOrDone(done: Promise<unknown>): Promise<void> {
  let settled = false;
  void done.finally(() => (settled = true));
  for (let i = 0; i < 500 && !settled; i++) {
    const [row] = await other!.sql<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
    );
    if (row.n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('account.reconnect_needed and status changes', () => {
  it('a disconnect racing the notice scan: the CONNECTED notice is never delivered after account.disconnected', async () => {
    await start();
    // The member's API instance, on the same database.
    other = await TestApp.start({ share: app, env: { STATUS_WEBHOOK_URL: receiver.url, STATUS_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET } });
    const member = 'member-race-notice';
    const account = await accountDueForNotice(member);

    // The scan read the account as CONNECTED; right before its notice is written, the member
    // disconnects on another instance (a real concurrent transaction).
    const outbox = app!.services.webhooks;
    const original = outbox.enqueueReconnectNeeded.bind(outbox);
    let racing: Promise<unknown> | undefined;
    outbox.enqueueReconnectNeeded = async (...args) => {
      racing ??= other!.gql(DisconnectSocialAccountDocument, { id: account.id }, { memberId: member });
      await blockedOrDone(racing); // committed (no lock held by the scan) or waiting for the scan's lock
      return original(...args);
    };
    await deliver();
    outbox.enqueueReconnectNeeded = original;
    expect(racing).toBeDefined();
    await racing;
    await deliver();
    await deliver();

    const types = typesFor(account.id);
    expect(types).toContain('account.disconnected');
    // Whatever the interleaving, nothing CONNECTED comes after the disconnect.
    expect(types.slice(types.indexOf('account.disconnected') + 1)).toEqual([]);
    expect(types).toEqual(['account.connected', 'account.reconnect_needed', 'account.disconnected']);
  });

  it('a notice whose premise no longer holds (the account was disconnected after the scan read it) is not written', async () => {
    await start();
    const member = 'member-stale-notice';
    const account = await accountDueForNotice(member);
    const notices = (app!.services.webhookWorker as unknown as { deps: { notices: ReconnectNotices } }).deps.notices;
    const original = notices.writeNotice.bind(notices);
    notices.writeNotice = async (accountId, deadline) => {
      await disconnect(member, accountId); // commits between the scan's read and the notice's write
      return original(accountId, deadline);
    };
    expect(await notices.scan()).toBe(0);
    notices.writeNotice = original;
    expect(await app!.sql(`select type from webhook_event where account_id = ? and type = 'account.reconnect_needed'`, [account.id])).toEqual([]);
  });
});

describe('updatedAt', () => {
  it('moves with every change of the account: sync, the worker (raw SQL), disconnect; never earlier than lastSyncedAt', async () => {
    await start();
    const member = 'member-updated-at';
    const ig = instagramUser(app!);
    const [account] = await connect(app!, member, 'INSTAGRAM', ig.userId);
    const row = () =>
      app!.sqlRow<{ updated_at: string; last_synced_at: string; connected_at: string }>(
        'select updated_at, last_synced_at, connected_at from social_account where id = ?',
        [account.id],
      );
    const at = (value: string) => new Date(value).getTime();
    expect(at((await row()).updated_at)).toBe(at((await row()).connected_at));

    app!.clock.advance(MINUTE);
    app!.emulator.control.updateProfile(ig.userId, { followersCount: 25_000 });
    const synced = (await app!.gql(SyncSocialAccountDocument, { id: account.id }, { memberId: member })).data!.syncSocialAccount;
    expect(synced.updatedAt).toBe(synced.lastSyncedAt);
    expect(at((await row()).updated_at)).toBe(app!.clock.nowMs());

    // The lifecycle worker's batch UPDATE (raw SQL) with fresh figures.
    app!.clock.advance(app!.handles.config.worker.syncIntervalHours * HOUR + MINUTE);
    app!.emulator.control.updateProfile(ig.userId, { followersCount: 26_000 });
    await app!.services.worker.runOnce();
    const afterWorker = await row();
    expect(at(afterWorker.last_synced_at)).toBe(app!.clock.nowMs());
    expect(at(afterWorker.updated_at)).toBe(app!.clock.nowMs());

    app!.clock.advance(MINUTE);
    await disconnect(member, account.id);
    await deliver();
    const disconnected = receiver.accepted.find((r) => r.json.type === 'account.disconnected' && r.json.data.account.id === account.id)!;
    expect(disconnected.json.data.account.updatedAt).toBe(disconnected.json.timestamp);
    expect(at(disconnected.json.data.account.updatedAt as string)).toBeGreaterThan(at(disconnected.json.data.account.lastSyncedAt as string));
    expect(at((await row()).updated_at)).toBe(app!.clock.nowMs());
  });
});

describe('STATUS_WEBHOOK_URL changed during a rolling deploy', () => {
  it('an endpoint removed on the new instances: old instances still deliver to it, then its leftovers fail after the grace period and are purged', async () => {
    second = await WebhookReceiver.start();
    // The old instance still has both endpoints; the new one only the first.
    await start({ STATUS_WEBHOOK_URL: `${receiver.url},${second.url}` });
    other = await TestApp.start({ share: app, env: { STATUS_WEBHOOK_URL: receiver.url, STATUS_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET } });
    const member = 'member-rolling';
    const [account] = await connect(app!, member, 'INSTAGRAM', instagramUser(app!).userId); // via the old instance
    const pendingTo = async (url: string) => (await app!.sql(`select id from webhook_delivery where endpoint = ? and status = 'PENDING'`, [url])).length;

    await other.services.webhookWorker.runOnce(); // new worker: sends to the endpoint it knows
    expect(receiver.accepted.map((r) => r.json.type)).toEqual(['account.connected']);
    expect(await pendingTo(second.url)).toBe(1); // within the grace period: left to the old instances
    await deliver(); // an old worker still delivers it
    expect(second.accepted.map((r) => r.json.type)).toEqual(['account.connected']);

    // The old instance queues one more (its API is still up), then goes away before sending it.
    app!.clock.advance(MINUTE);
    await app!.gql(DisconnectSocialAccountDocument, { id: account.id }, { memberId: member });
    await other.services.webhookWorker.runOnce();
    expect(await pendingTo(second.url)).toBe(1);

    app!.clock.advance(app!.handles.config.webhooks.endpointRemovalGraceMinutes * MINUTE + MINUTE);
    await other.services.webhookWorker.runOnce();
    expect(await pendingTo(second.url)).toBe(0);
    const [failed] = await app!.sql<{ status: string; last_error: string }>(
      `select status, last_error from webhook_delivery where endpoint = ? order by id desc`,
      [second.url],
    );
    expect(failed.status).toBe('FAILED');
    expect(failed.last_error).toMatch(/STATUS_WEBHOOK_URL/);
    expect(second.accepted).toHaveLength(1);

    // Nothing pending blocks the purge any more.
    app!.clock.advance(app!.handles.config.webhooks.retentionDays * DAY + MINUTE);
    await other.services.webhookWorker.purge();
    expect(await app!.sql('select id from webhook_event where account_id = ?', [account.id])).toEqual([]);
  });
});

import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { DisconnectSocialAccountDocument, SyncSocialAccountDocument } from '../client/generated/graphql';
import { PERSONAL_DATA_INVENTORY, renderInventoryMarkdown } from '../src/domain/personal-data-inventory';
import { beginConnect, connect, facebookUser, instagramUser } from './helpers/flows';
import { DIST, ensureBuilt, ROOT } from './helpers/dist';
import { waitFor } from './helpers/subscriptions';
import { metaEmulatorEnv, TEST_JWT_SECRET, TEST_TOKEN_KEY, TestApp } from './helpers/test-app';
import { TEST_WEBHOOK_SECRET, WebhookReceiver } from './helpers/webhook-receiver';

/**
 * Where personal data lives, and that every deletion path deletes every copy: the live schema is
 * held to the inventory, and after a completed deletion every column of every table (as text) is
 * searched for what identified the creator or member.
 */
jest.setTimeout(180_000);

let app: TestApp;
let receiver: WebhookReceiver;
beforeAll(async () => {
  receiver = await WebhookReceiver.start();
  app = await TestApp.start({ env: { STATUS_WEBHOOK_URL: receiver.url, STATUS_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET } });
});
afterAll(async () => {
  await app?.close();
  await receiver?.stop();
});

let counter = 0;
const unique = (prefix: string) => `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}`;
const deliver = () => app.services.webhookWorker.runOnce();
const sync = (memberId: string, id: string) => app.gql(SyncSocialAccountDocument, { id }, { memberId });
const disconnect = (memberId: string, id: string) => app.gql(DisconnectSocialAccountDocument, { id }, { memberId });

/** Every `table.column` of the live schema whose value, as text, contains one of `needles`. */
async function whereFound(needles: string[]): Promise<string[]> {
  const columns = await app.sql<{ table_name: string; column_name: string }>(
    `select table_name, column_name from information_schema.columns where table_schema = current_schema() order by table_name, column_name`,
  );
  const hits: string[] = [];
  for (const { table_name: table, column_name: column } of columns) {
    const [row] = await app.sql<{ found: string | null }>(
      `select n as found from "${table}" t, unnest(?::text[]) n where strpos(t."${column}"::text, n) > 0 limit 1`,
      [`{${needles.map((n) => `"${n}"`).join(',')}}`],
    );
    if (row) hits.push(`${table}.${column}`);
  }
  return hits;
}

async function dataDeletion(provider: 'facebook' | 'instagram', userId: string): Promise<string> {
  const { status, body } = await app.emulator.control.sendDataDeletion({ provider, userId, url: `${app.url}/meta/${provider}/data-deletion` });
  expect(status).toBe(200);
  const code = (body as { confirmation_code: string }).confirmation_code;
  app.clock.advance(app.handles.config.meta.dataDeletionGraceSeconds * 1000);
  await app.services.metaCallbacks.completeDueDeletions();
  await waitFor(
    async () => (await app.sqlRow<{ status: string }>('select status from meta_data_deletion where confirmation_code = ?', [code]))?.status === 'COMPLETED',
    'the data deletion to complete',
  );
  return code;
}

async function deletionsMetric(kind: string): Promise<number> {
  const text = await (await fetch(`${app.url}/metrics`)).text();
  return Number(new RegExp(`^personal_data_deletions_completed\\{kind="${kind}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
}

describe('the personal-data inventory', () => {
  it('classifies every column of the migrated schema, and only columns that exist', async () => {
    const live = await app.sql<{ table_name: string; column_name: string }>(
      `select table_name, column_name from information_schema.columns where table_schema = current_schema() order by table_name, ordinal_position`,
    );
    const unclassified = live
      .filter((c) => PERSONAL_DATA_INVENTORY[c.table_name]?.columns[c.column_name] === undefined)
      .map((c) => `${c.table_name}.${c.column_name}`);
    expect(unclassified).toEqual([]);
    const liveNames = new Set(live.map((c) => `${c.table_name}.${c.column_name}`));
    const stale = Object.entries(PERSONAL_DATA_INVENTORY).flatMap(([table, entry]) =>
      Object.keys(entry.columns)
        .map((column) => `${table}.${column}`)
        .filter((name) => !liveNames.has(name)),
    );
    expect(stale).toEqual([]);
    // What the erasure routine deletes by must be a classified identifier column.
    for (const [table, entry] of Object.entries(PERSONAL_DATA_INVENTORY)) {
      const erasure = entry.erasure;
      if (erasure.by === 'account' || erasure.by === 'member') expect({ table, kind: entry.columns[erasure.column] }).toEqual({ table, kind: 'identifier' });
      if (erasure.by === 'account' && erasure.memberColumn) expect(entry.columns[erasure.memberColumn]).toBe('identifier');
    }
  });

  it('docs/personal-data.md carries the inventory as generated from the module', () => {
    const doc = readFileSync(path.join(ROOT, 'docs', 'personal-data.md'), 'utf8');
    const section = /<!-- inventory -->\n([\s\S]*?)<!-- \/inventory -->/.exec(doc)?.[1];
    expect(section).toBe(renderInventoryMarkdown());
  });
});

describe('Meta data deletion leaves nothing behind', () => {
  it('Business Login: accounts of every member, grants, events, webhook bodies, pauses go; a pending webhook goes out redacted', async () => {
    const suffix = unique('');
    const ig = instagramUser(app, { username: `gone_${suffix}`, name: `Gone Person ${suffix}`, biography: `A biography ${suffix}` });
    const member = unique('member-pd-ig-');
    const [account] = await connect(app, member, 'INSTAGRAM', ig.userId);
    const [theirs] = await connect(app, unique('member-pd-ig-other-'), 'INSTAGRAM', ig.userId);
    await deliver(); // the account.connected events are delivered: settled outbox rows
    app.clock.advance(1000);
    expect((await sync(member, account.id)).data?.syncSocialAccount).toBeTruthy();
    // Meta rate-limits this Instagram account once: a pause row names its id.
    app.emulator.control.limitRate({ host: 'instagram', code: 80002, scopeId: ig.userId, minutes: 5 });
    await sync(member, account.id);
    app.emulator.control.liftRateLimits();
    app.clock.advance(1000);
    await disconnect(member, account.id); // account.disconnected is pending when the deletion comes
    await beginConnect(app, member, 'INSTAGRAM');
    const { app_scoped_user_id: appScopedId } = await app.sqlRow<{ app_scoped_user_id: string }>(
      'select app_scoped_user_id from meta_grant where meta_user_id = ? limit 1',
      [ig.userId],
    );
    const needles = [ig.userId, appScopedId, `gone_${suffix}`, `Gone Person ${suffix}`, `A biography ${suffix}`].filter(Boolean);
    expect(await whereFound(needles)).toEqual(
      expect.arrayContaining([
        'social_account.username',
        'social_account.biography',
        'meta_grant.meta_user_id',
        'webhook_event.body',
        'meta_rate_limit_pause.scope',
      ]),
    );
    const before = await deletionsMetric('meta_data_deletion_instagram');

    const code = await dataDeletion('instagram', ig.userId);

    expect(await whereFound(needles)).toEqual([]);
    expect(await app.sql('select id from social_account where id = any(?::uuid[])', [`{${account.id},${theirs.id}}`])).toEqual([]);
    // The audit record is what remains, with no profile field.
    const audit = await app.sqlRow('select * from meta_data_deletion where confirmation_code = ?', [code]);
    expect(audit).toMatchObject({ status: 'COMPLETED', accounts_deleted: 2 });
    expect(await deletionsMetric('meta_data_deletion_instagram')).toBe(before + 1);

    // The receiver still learns of the disconnects, by the same webhook ids, without the profile.
    receiver.received.length = 0;
    await deliver();
    const disconnected = receiver.received.filter((r) => r.json.type === 'account.disconnected' && r.json.data.account.id === account.id);
    expect(disconnected).toHaveLength(1);
    expect(disconnected[0].signatureMatches).toBe(true);
    expect(disconnected[0].json.data).toEqual({
      memberId: member,
      previousStatus: 'CONNECTED',
      status: 'DISCONNECTED',
      reason: null,
      redacted: true,
      account: { id: account.id, connectionStatus: 'DISCONNECTED' },
    });
    expect(await app.sql(`select id from webhook_delivery where status = 'PENDING'`)).toEqual([]);
  });

  it('Facebook Login: the Facebook user, the Page and the Instagram account leave no trace', async () => {
    const suffix = unique('');
    const fb = facebookUser(app, [
      { name: `Page of ${suffix}`, instagram: { username: `fbgone_${suffix}`, name: `FB Person ${suffix}`, biography: `FB bio ${suffix}` } },
    ]);
    const member = unique('member-pd-fb-');
    const [account] = await connect(app, member, 'FACEBOOK', fb.userId);
    await deliver();
    app.clock.advance(1000);
    await sync(member, account.id);
    app.clock.advance(1000);
    await disconnect(member, account.id);
    const needles = [fb.userId, fb.pageIds[0], fb.igIds[0], `Page of ${suffix}`, `fbgone_${suffix}`, `FB Person ${suffix}`, `FB bio ${suffix}`];
    expect(await whereFound(needles)).toEqual(expect.arrayContaining(['social_account.page_name', 'webhook_event.body', 'meta_grant.meta_user_id']));

    await dataDeletion('facebook', fb.userId);

    expect(await whereFound(needles)).toEqual([]);
  });
});

describe('member erasure', () => {
  it('removes every row of the member, revokes only grants nobody else relies on, keeps the other member whole, and is idempotent', async () => {
    const suffix = unique('');
    const leaving = unique('member-leaving-');
    const staying = unique('member-staying-');
    const shared = facebookUser(app, [{ instagram: {} }]); // linked by both members
    const own = facebookUser(app, [
      { name: `Own page ${suffix}`, instagram: { username: `own_${suffix}`, name: `Own Name ${suffix}`, biography: `Own bio ${suffix}` } },
    ]);
    const ig = instagramUser(app, { username: `igown_${suffix}`, name: `IG Name ${suffix}`, biography: `IG bio ${suffix}` });
    await connect(app, leaving, 'FACEBOOK', shared.userId);
    const [kept] = await connect(app, staying, 'FACEBOOK', shared.userId);
    const [ownAccount] = await connect(app, leaving, 'FACEBOOK', own.userId);
    const [igAccount] = await connect(app, leaving, 'INSTAGRAM', ig.userId);
    await deliver();
    app.clock.advance(1000);
    await sync(leaving, ownAccount.id);
    await disconnect(leaving, igAccount.id); // pending account.disconnected
    await beginConnect(app, leaving, 'FACEBOOK');
    const needles = [leaving, own.userId, own.pageIds[0], own.igIds[0], `own_${suffix}`, `Own Name ${suffix}`, `Own bio ${suffix}`, `Own page ${suffix}`];
    needles.push(ig.userId, `igown_${suffix}`, `IG Name ${suffix}`, `IG bio ${suffix}`);
    expect(await whereFound(needles)).toEqual(
      expect.arrayContaining([
        'social_account.member_id',
        'oauth_state.member_id',
        'member_event_seq.member_id',
        'member_rate_limit.key',
        'webhook_event.body',
      ]),
    );
    const erasuresBefore = await deletionsMetric('member_erasure');
    app.emulator.control.resetCalls();

    const counts = await app.services.privacy.eraseMember(leaving);

    expect(counts).toMatchObject({ accounts: 3, grants: 3, grantsRevoked: 1, oauthStates: 4, eventSequences: 1 }); // three used states and a pending one
    expect(counts.statusEvents).toBeGreaterThanOrEqual(4);
    expect(counts.webhookEvents).toBe(counts.statusEvents);
    const revokes = app.emulator.control.calls.filter((c) => c.method === 'DELETE' && c.path.endsWith('/permissions'));
    expect(revokes.map((c) => c.path)).toEqual([expect.stringContaining(`/${own.userId}/permissions`)]);
    expect(await whereFound(needles)).toEqual([]);
    // The other member's connection to the shared Facebook user is untouched and still works.
    expect((await sync(staying, kept.id)).data?.syncSocialAccount).toMatchObject({ connectionStatus: 'CONNECTED' });
    expect(await deletionsMetric('member_erasure')).toBe(erasuresBefore + 1);
    const [audit] = await app.sql('select * from member_erasure order by erased_at desc limit 1');
    expect(audit).toMatchObject({ accounts_deleted: 3, grants_deleted: 3, grants_revoked: 1 });
    expect(JSON.stringify(audit)).not.toContain(leaving);

    // Again: nothing left, nothing removed, no second audit record.
    expect(Object.values(await app.services.privacy.eraseMember(leaving)).every((n) => n === 0)).toBe(true);
    expect(await deletionsMetric('member_erasure')).toBe(erasuresBefore + 1);
  });

  it('`npm run members -- erase <memberId>` erases and prints what it removed, then that nothing is left', async () => {
    await ensureBuilt();
    const member = unique('member-cli-');
    const ig = instagramUser(app);
    await connect(app, member, 'INSTAGRAM', ig.userId);
    const env = {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      DATABASE_URL: app.databaseUrl,
      JWT_SECRET: TEST_JWT_SECRET,
      TOKEN_ENCRYPTION_KEY: TEST_TOKEN_KEY,
      LOG_LEVEL: 'warn',
      ...metaEmulatorEnv(app.emulator),
    };
    const run = () => promisify(execFile)(process.execPath, [path.join(DIST, 'cli', 'members.js'), 'erase', member], { cwd: ROOT, env });
    const first = await run();
    expect(first.stdout).toContain(`Erased member ${member}:`);
    expect(first.stdout).toMatch(/linked accounts\s+1\n/);
    expect(await app.sql('select id from social_account where member_id = ?', [member])).toEqual([]);
    const second = await run();
    expect(second.stdout).toContain(`Nothing left to erase for member ${member}:`);
    expect(second.stdout).toMatch(/linked accounts\s+0\n/);
    await expect(promisify(execFile)(process.execPath, [path.join(DIST, 'cli', 'members.js'), 'erase'], { cwd: ROOT, env })).rejects.toMatchObject({
      code: 64,
    });
  });
});

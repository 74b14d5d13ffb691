import { createHash } from 'node:crypto';
import { SyncSocialAccountDocument } from '../client/generated/graphql';
import { callbackPayload, postSignedRequest, signRequest } from '../src/sandbox/emulator/callbacks';
import { beginConnect, connect, facebookUser, instagramUser } from './helpers/flows';
import { StatusSubscriber, waitFor } from './helpers/subscriptions';
import { appForThisFile, onlyError, TEST_APPS } from './helpers/test-app';

const app = appForThisFile();
const open: StatusSubscriber[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function subscriber(memberId: string): Promise<StatusSubscriber> {
  const before = app.services.events.subscriberCount;
  const s = new StatusSubscriber(app, `Bearer ${app.tokenFor(memberId)}`);
  open.push(s);
  await s.ready(app, before + 1);
  return s;
}

const endpoint = (path: string) => `${app.url}${path}`;

/** Everything the callbacks could change, to prove a refused one changed nothing. */
async function storedState() {
  return {
    accounts: await app.sql('select id, connection_status, status_reason, token_encrypted, next_check_at from social_account order by id'),
    grants: await app.sql('select id, token_encrypted from meta_grant order by id'),
    events: await app.sql('select id from connection_event order by id'),
    states: await app.sql('select id from oauth_state order by id'),
    deletions: await app.sql('select id from meta_data_deletion order by id'),
  };
}

async function accountRows(ids: string[]) {
  return app.sql<{
    id: string;
    member_id: string;
    connection_status: string;
    status_reason: string | null;
    account_token: string | null;
    grant_token: string | null;
  }>(
    `select a.id, a.member_id, a.connection_status, a.status_reason, a.token_encrypted as account_token, g.token_encrypted as grant_token
       from social_account a left join meta_grant g on g.id = a.grant_id where a.id = any(?::uuid[]) order by a.id`,
    [`{${ids.join(',')}}`],
  );
}

async function disconnectEvents(ids: string[]): Promise<number> {
  const [row] = await app.sql<{ n: number }>(`select count(*)::int as n from connection_event where status = 'DISCONNECTED' and account_id = any(?::uuid[])`, [
    `{${ids.join(',')}}`,
  ]);
  return row.n;
}

async function statusPage(code: string): Promise<{ status: number; html: string }> {
  const response = await fetch(endpoint(`/meta/data-deletion/${code}`));
  return { status: response.status, html: await response.text() };
}

describe('refused callbacks', () => {
  const paths = ['/meta/facebook/deauthorize', '/meta/facebook/data-deletion', '/meta/instagram/deauthorize', '/meta/instagram/data-deletion'];

  it('answer 400 BAD_SIGNED_REQUEST (or 413) and change nothing', async () => {
    const fb = facebookUser(app, [{ instagram: {} }]);
    const ig = instagramUser(app);
    const [fbAccount] = await connect(app, 'member-refused', 'FACEBOOK', fb.userId);
    const [igAccount] = await connect(app, 'member-refused', 'INSTAGRAM', ig.userId);
    await beginConnect(app, 'member-refused', 'FACEBOOK'); // a pending state data deletion would remove
    const before = await storedState();

    const now = app.clock.nowMs();
    const sent: string[] = [];
    for (const path of paths) {
      const isFacebook = path.includes('/facebook/');
      const userId = isFacebook ? fb.userId : ig.userId;
      const secret = isFacebook ? TEST_APPS.facebook.secret : TEST_APPS.instagram.secret;
      const otherSecret = isFacebook ? TEST_APPS.instagram.secret : TEST_APPS.facebook.secret;
      const valid = signRequest(callbackPayload(userId, now), secret);
      const [signature, payload] = valid.split('.');
      const tampered = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}.${payload}`;
      const cases: Array<[string, string]> = [
        ['tampered signature', tampered],
        ["the other flow's app secret", signRequest(callbackPayload(userId, now), otherSecret)],
        ['wrong algorithm', signRequest({ ...callbackPayload(userId, now), algorithm: 'HMAC-SHA1' }, secret)],
        ['stale issued_at', signRequest(callbackPayload(userId, now - 3601_000), secret)],
        ['missing user_id', signRequest({ algorithm: 'HMAC-SHA256', issued_at: Math.floor(now / 1000) }, secret)],
        ['garbage', 'this is not a signed request'],
        ['empty', ''],
      ];
      for (const [what, signedRequest] of cases) {
        if (signedRequest) sent.push(signedRequest);
        const { status, body } = await postSignedRequest(endpoint(path), signedRequest);
        expect({ what, path, status, code: (body as { error?: { code?: string } }).error?.code }).toEqual({
          what,
          path,
          status: 400,
          code: 'BAD_SIGNED_REQUEST',
        });
      }

      const noField = await fetch(endpoint(path), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'other=1' });
      expect(noField.status).toBe(400);
      expect(await noField.json()).toEqual({ error: { code: 'BAD_SIGNED_REQUEST', message: 'signed_request is missing.' } });

      const json = await fetch(endpoint(path), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ signed_request: valid }),
      });
      expect(json.status).toBe(400);

      const oversized = await fetch(endpoint(path), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ signed_request: valid, padding: 'x'.repeat(20_000) }).toString(),
      });
      expect(oversized.status).toBe(413);
      expect(await oversized.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    }

    expect(await storedState()).toEqual(before);
    expect((await accountRows([fbAccount.id, igAccount.id])).map((a) => a.connection_status)).toEqual(['CONNECTED', 'CONNECTED']);
    // Refusals are logged with the reason, never with the signed_request itself.
    const logs = app.logs.join('\n');
    expect(logs).toContain('refused a Meta callback');
    for (const signedRequest of sent) expect(logs).not.toContain(signedRequest);
  });
});

describe('deauthorize', () => {
  it('disconnects every account of a Facebook user for every member, deletes tokens, one event each; repeating is harmless', async () => {
    const fb = facebookUser(app, [{ instagram: {} }, { instagram: {} }]);
    const other = facebookUser(app, [{ instagram: {} }]);
    const first = await connect(app, 'member-deauth-a', 'FACEBOOK', fb.userId);
    const second = await connect(app, 'member-deauth-b', 'FACEBOOK', fb.userId);
    const [bystander] = await connect(app, 'member-deauth-a', 'FACEBOOK', other.userId);
    const ids = [...first, ...second].map((a) => a.id);
    expect(new Set(ids).size).toBe(4);
    const subA = await subscriber('member-deauth-a');
    const subB = await subscriber('member-deauth-b');

    const result = await app.emulator.control.sendDeauthorize({ provider: 'facebook', userId: fb.userId, url: endpoint('/meta/facebook/deauthorize') });
    expect(result).toEqual({ status: 200, body: { success: true, disconnected_accounts: 4 } });

    const rows = await accountRows(ids);
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      expect(row).toMatchObject({ connection_status: 'DISCONNECTED', account_token: null, grant_token: null });
      expect(row.status_reason).toMatch(/removed the app on Facebook/);
    }
    expect(await disconnectEvents(ids)).toBe(4);

    // Both members heard about each of their accounts, loaded fresh.
    const heardA = [await subA.next(), await subA.next()];
    const heardB = [await subB.next(), await subB.next()];
    expect(heardA.map((e) => e.account.id).sort()).toEqual(first.map((a) => a.id).sort());
    expect(heardB.map((e) => e.account.id).sort()).toEqual(second.map((a) => a.id).sort());
    for (const event of [...heardA, ...heardB]) {
      expect(event).toMatchObject({ previousStatus: 'CONNECTED', status: 'DISCONNECTED', account: { connectionStatus: 'DISCONNECTED' } });
      expect(event.reason).toMatch(/removed the app on Facebook/);
    }

    // The member's other Facebook user is untouched.
    const [kept] = await accountRows([bystander.id]);
    expect(kept.connection_status).toBe('CONNECTED');
    expect(kept.account_token).not.toBeNull();
    expect(kept.grant_token).not.toBeNull();

    // Meta retries callbacks: the second one changes nothing and announces nothing.
    const before = await storedState();
    const again = await app.emulator.control.sendDeauthorize({ provider: 'facebook', userId: fb.userId, url: endpoint('/meta/facebook/deauthorize') });
    expect(again).toEqual({ status: 200, body: { success: true, disconnected_accounts: 0 } });
    expect(await storedState()).toEqual(before);
    expect(await disconnectEvents(ids)).toBe(4);

    // A sync now says so instead of calling Meta with a dead token.
    const sync = await app.gql(SyncSocialAccountDocument, { id: first[0].id }, { memberId: 'member-deauth-a' });
    expect(onlyError(sync).extensions.code).toBe('ACCOUNT_DISCONNECTED');
  });

  it('disconnects an Instagram-flow account for every member, and only through the Instagram endpoint', async () => {
    const ig = instagramUser(app);
    const [mine] = await connect(app, 'member-deauth-ig-1', 'INSTAGRAM', ig.userId);
    const [theirs] = await connect(app, 'member-deauth-ig-2', 'INSTAGRAM', ig.userId);
    const sub = await subscriber('member-deauth-ig-1');

    // The same id sent to the Facebook endpoint is a Facebook user id: nothing of the Instagram flow matches.
    const asFacebookUser = signRequest(callbackPayload(ig.userId, app.clock.nowMs()), TEST_APPS.facebook.secret);
    const wrongFlow = await postSignedRequest(endpoint('/meta/facebook/deauthorize'), asFacebookUser);
    expect(wrongFlow).toEqual({ status: 200, body: { success: true, disconnected_accounts: 0 } });
    expect((await accountRows([mine.id, theirs.id])).map((a) => a.connection_status)).toEqual(['CONNECTED', 'CONNECTED']);

    // Through the emulator's HTTP control API, as a browser test or another process would.
    const response = await fetch(`${app.emulator.url}/_control/sendDeauthorize`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'instagram', userId: ig.userId, url: endpoint('/meta/instagram/deauthorize') }),
    });
    expect(await response.json()).toEqual({ result: { status: 200, body: { success: true, disconnected_accounts: 2 } } });

    for (const row of await accountRows([mine.id, theirs.id])) {
      expect(row).toMatchObject({ connection_status: 'DISCONNECTED', account_token: null, grant_token: null });
      expect(row.status_reason).toMatch(/removed the app on Instagram/);
    }
    expect(await sub.next()).toMatchObject({ status: 'DISCONNECTED', account: { id: mine.id } });
    expect(await disconnectEvents([mine.id, theirs.id])).toBe(2);
  });
});

describe('data deletion', () => {
  const grace = () => app.handles.config.meta.dataDeletionGraceSeconds * 1000;

  it('disconnects (subscribers hear it), then deletes everything but the audit row; the status page follows', async () => {
    const fb = facebookUser(app, [{ instagram: { username: 'deleted_creator' } }]);
    const other = facebookUser(app, [{ instagram: {} }]);
    const [mine] = await connect(app, 'member-delete-a', 'FACEBOOK', fb.userId);
    const [theirs] = await connect(app, 'member-delete-b', 'FACEBOOK', fb.userId);
    const [kept] = await connect(app, 'member-delete-a', 'FACEBOOK', other.userId);
    await beginConnect(app, 'member-delete-a', 'FACEBOOK');
    await beginConnect(app, 'member-delete-c', 'FACEBOOK'); // another member's flow in progress
    const [{ n: affectedStates }] = await app.sql(`select count(*)::int as n from oauth_state where member_id in ('member-delete-a', 'member-delete-b')`);
    const keptEvents = await app.sql('select id from connection_event where account_id = ?', [kept.id]);
    const sub = await subscriber('member-delete-a');

    const { status, body } = await app.emulator.control.sendDataDeletion({
      provider: 'facebook',
      userId: fb.userId,
      url: endpoint('/meta/facebook/data-deletion'),
    });
    expect(status).toBe(200);
    const { url, confirmation_code: code } = body as { url: string; confirmation_code: string };
    expect(code).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(url).toBe(`${app.handles.config.publicUrl}/meta/data-deletion/${code}`);

    // The event arrives with the account still readable: the rows wait for the grace period.
    expect(await sub.next()).toMatchObject({ status: 'DISCONNECTED', account: { id: mine.id, username: 'deleted_creator', connectionStatus: 'DISCONNECTED' } });
    for (const row of await accountRows([mine.id, theirs.id])) {
      expect(row).toMatchObject({ connection_status: 'DISCONNECTED', account_token: null, grant_token: null });
      expect(row.status_reason).toMatch(/removed the app on Facebook/);
    }
    expect(await app.sql(`select member_id from oauth_state where member_id like 'member-delete-%' order by member_id`)).toEqual([
      { member_id: 'member-delete-c' },
    ]);
    const received = await statusPage(code);
    expect(received.status).toBe(200);
    expect(received.html).toContain('Received');

    // Nothing goes before the grace period has passed...
    expect(await app.services.metaCallbacks.completeDueDeletions()).toBe(0);
    expect(await accountRows([mine.id, theirs.id])).toHaveLength(2);
    // ...and everything goes once it has (the background sweep may get there first).
    app.clock.advance(grace());
    await app.services.metaCallbacks.completeDueDeletions();
    await waitFor(async () => (await statusPage(code)).html.includes('Completed'), 'the deletion to complete');

    const ids = [mine.id, theirs.id];
    expect(await accountRows(ids)).toEqual([]);
    expect(await app.sql('select id from meta_grant where meta_user_id = ?', [fb.userId])).toEqual([]);
    expect(await app.sql(`select id from connection_event where account_id = any(?::uuid[])`, [`{${ids.join(',')}}`])).toEqual([]);
    // The member's other connection and its history are untouched.
    expect((await accountRows([kept.id]))[0]).toMatchObject({ connection_status: 'CONNECTED' });
    expect(await app.sql('select id from connection_event where account_id = ?', [kept.id])).toEqual(keptEvents);

    const [audit] = await app.sql('select * from meta_data_deletion where confirmation_code = ?', [code]);
    expect(audit).toMatchObject({
      provider: 'FACEBOOK',
      status: 'COMPLETED',
      meta_user_hash: createHash('sha256').update(fb.userId).digest('hex'),
      accounts_deleted: 2,
      grants_deleted: 2,
      oauth_states_deleted: affectedStates,
      events_deleted: 4, // a CONNECTED and a DISCONNECTED each
      pending_account_ids: [],
      pending_grant_ids: [],
    });
    const auditText = JSON.stringify(audit);
    for (const personal of [fb.userId, 'deleted_creator', mine.id, 'member-delete-a']) expect(auditText).not.toContain(personal);

    const completed = await statusPage(code);
    expect(completed.status).toBe(200);
    expect(completed.html).toContain(code);
    for (const personal of [fb.userId, 'deleted_creator', 'member-delete']) expect(completed.html).not.toContain(personal);
  });

  it('completes at once, in the request, when the accounts were already disconnected long enough ago', async () => {
    const ig = instagramUser(app, { username: 'gone_for_good' });
    const [account] = await connect(app, 'member-delete-ig', 'INSTAGRAM', ig.userId);
    await app.emulator.control.sendDeauthorize({ provider: 'instagram', userId: ig.userId, url: endpoint('/meta/instagram/deauthorize') });
    app.clock.advance(grace());

    const { status, body } = await app.emulator.control.sendDataDeletion({
      provider: 'instagram',
      userId: ig.userId,
      url: endpoint('/meta/instagram/data-deletion'),
    });
    expect(status).toBe(200);
    const code = (body as { confirmation_code: string }).confirmation_code;
    expect((await statusPage(code)).html).toContain('Completed');
    expect(await accountRows([account.id])).toEqual([]);
    expect(await app.sql('select id from connection_event where account_id = ?', [account.id])).toEqual([]);
    expect(await app.sql('select id from meta_grant where meta_user_id = ?', [ig.userId])).toEqual([]);
  });

  it('answers a request for a user it never saw with a receipt that says no data was found', async () => {
    const { status, body } = await app.emulator.control.sendDataDeletion({
      provider: 'facebook',
      userId: '1000000000000',
      url: endpoint('/meta/facebook/data-deletion'),
    });
    expect(status).toBe(200);
    const code = (body as { confirmation_code: string }).confirmation_code;
    const [audit] = await app.sql('select status, accounts_deleted from meta_data_deletion where confirmation_code = ?', [code]);
    expect(audit).toEqual({ status: 'NO_DATA_FOUND', accounts_deleted: 0 });
  });

  it('the status page answers 404 for an unknown or malformed code', async () => {
    expect((await statusPage('AAAAAAAAAAAAAAAA')).status).toBe(404);
    expect((await statusPage('not-a-code')).status).toBe(404);
    expect((await statusPage('%3Cscript%3E')).status).toBe(404);
  });
});

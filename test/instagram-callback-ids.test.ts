import { SyncSocialAccountDocument } from '../client/generated/graphql';
import { connect } from './helpers/flows';
import { waitFor } from './helpers/subscriptions';
import { appForThisFile } from './helpers/test-app';

/**
 * Business Login's /me answers two ids for one Instagram user: `user_id` (the professional
 * account) and `id` (app-scoped). Meta does not say which one a deauthorize or data deletion
 * signed_request carries, nor whether user_id comes as a string or a bare JSON number (which can
 * exceed 2^53). Every combination must find the user's accounts, for every member, and only them.
 */
const app = appForThisFile();
const endpoint = (path: string) => `${app.url}${path}`;
const DEAUTHORIZE = () => endpoint('/meta/instagram/deauthorize');
const DATA_DELETION = () => endpoint('/meta/instagram/data-deletion');
const grace = () => app.handles.config.meta.dataDeletionGraceSeconds * 1000 + 1;

/** Meta posts a data deletion request to our callback; the confirmation code we answered with. */
async function dataDeletion(request: Parameters<typeof app.emulator.control.sendDataDeletion>[0]): Promise<string> {
  const { status, body } = await app.emulator.control.sendDataDeletion(request);
  expect(status).toBe(200);
  return (body as { confirmation_code: string }).confirmation_code;
}
const appScopedDeletion = (userId: string) => dataDeletion({ provider: 'instagram', userId, idKind: 'app-scoped', url: DATA_DELETION() });

let fixture = 0;
function igUser(userId?: string) {
  fixture++;
  return app.emulator.control.addInstagramUser({ userId, username: `ig_ids_${fixture}`, accountType: 'BUSINESS', followersCount: 12_000 });
}

async function statuses(ids: string[]): Promise<string[]> {
  const rows = await app.sql<{ id: string; connection_status: string }>('select id, connection_status from social_account where id = any(?::uuid[])', [
    `{${ids.join(',')}}`,
  ]);
  return ids.map((id) => rows.find((r) => r.id === id)?.connection_status ?? 'GONE');
}

async function statusPage(code: string): Promise<string> {
  return (await fetch(endpoint(`/meta/data-deletion/${code}`))).text();
}

/** Two members (an agency and the creator) link the same Instagram user through Business Login. */
async function linkedTwice(userId?: string) {
  const ig = igUser(userId);
  const [a] = await connect(app, `agency-${fixture}`, 'INSTAGRAM', ig.userId);
  const [b] = await connect(app, `creator-${fixture}`, 'INSTAGRAM', ig.userId);
  return { ig, ids: [a.id, b.id], members: [`agency-${fixture}`, `creator-${fixture}`] };
}

describe('Instagram (Business Login) callbacks match the user by either of its ids', () => {
  it('stores both ids at connect', async () => {
    const { ig, members } = await linkedTwice();
    expect(ig.appScopedId).not.toBe(ig.userId);
    const grants = await app.sql('select member_id, meta_user_id, app_scoped_user_id from meta_grant where member_id = any(?::text[]) order by member_id', [
      `{${members.join(',')}}`,
    ]);
    expect(grants).toEqual(members.sort().map((member_id) => ({ member_id, meta_user_id: ig.userId, app_scoped_user_id: ig.appScopedId })));
  });

  it.each([
    ['the app-scoped id', 'app-scoped' as const],
    ['the professional account id', 'as-given' as const],
  ])('deauthorize carrying %s disconnects the accounts of every member', async (_label, idKind) => {
    const { ig, ids } = await linkedTwice();
    const bystander = await linkedTwice();
    const result = await app.emulator.control.sendDeauthorize({ provider: 'instagram', userId: ig.userId, idKind, url: DEAUTHORIZE() });
    expect(result).toEqual({ status: 200, body: { success: true, disconnected_accounts: 2 } });
    expect(await statuses(ids)).toEqual(['DISCONNECTED', 'DISCONNECTED']);
    expect(await statuses(bystander.ids)).toEqual(['CONNECTED', 'CONNECTED']);
  });

  it('matches through the professional id an older link that has no app-scoped id stored', async () => {
    const { ig, ids, members } = await linkedTwice();
    // A grant linked before the app-scoped id was stored (the migration cannot backfill it).
    await app.sql('update meta_grant set app_scoped_user_id = null where member_id = ?', [members[0]]);
    const result = await app.emulator.control.sendDeauthorize({ provider: 'instagram', userId: ig.userId, idKind: 'app-scoped', url: DEAUTHORIZE() });
    expect(result.body).toMatchObject({ disconnected_accounts: 2 });
    expect(await statuses(ids)).toEqual(['DISCONNECTED', 'DISCONNECTED']);
  });

  it('data deletion carrying the app-scoped id deletes the data of every member', async () => {
    const { ig, ids } = await linkedTwice();
    const code = await appScopedDeletion(ig.userId);
    expect(await statuses(ids)).toEqual(['DISCONNECTED', 'DISCONNECTED']);
    app.clock.advance(grace());
    await app.services.metaCallbacks.completeDueDeletions();
    await waitFor(async () => (await statusPage(code)).includes('Completed'), 'the deletion to complete');
    expect(await statuses(ids)).toEqual(['GONE', 'GONE']);
    const [audit] = await app.sql('select status, accounts_deleted, grants_deleted from meta_data_deletion where confirmation_code = ?', [code]);
    expect(audit).toEqual({ status: 'COMPLETED', accounts_deleted: 2, grants_deleted: 2 });
  });

  it('data deletion carrying the professional id as a bare JSON number also matches', async () => {
    const { ig, ids } = await linkedTwice();
    const code = await dataDeletion({ provider: 'instagram', userId: ig.userId, userIdAs: 'number', url: DATA_DELETION() });
    expect(await statuses(ids)).toEqual(['DISCONNECTED', 'DISCONNECTED']);
    expect(await statusPage(code)).toContain('Received');
  });
});

describe('a user_id sent as a bare JSON number beyond 2^53', () => {
  it('matches exactly that user, not the neighbours a rounded number would hit', async () => {
    // 17841400000000001 is not a double: JSON.parse reads it as 17841400000000000.
    expect(String(JSON.parse('17841400000000001'))).not.toBe('17841400000000001');
    const target = await linkedTwice('17841400000000001');
    const below = await linkedTwice('17841400000000000');
    const above = await linkedTwice('17841400000000002');
    const result = await app.emulator.control.sendDeauthorize({ provider: 'instagram', userId: target.ig.userId, userIdAs: 'number', url: DEAUTHORIZE() });
    expect(result).toEqual({ status: 200, body: { success: true, disconnected_accounts: 2 } });
    expect(await statuses(target.ids)).toEqual(['DISCONNECTED', 'DISCONNECTED']);
    expect(await statuses([...below.ids, ...above.ids])).toEqual(['CONNECTED', 'CONNECTED', 'CONNECTED', 'CONNECTED']);
    // The neighbours really still work.
    const synced = await app.gql(SyncSocialAccountDocument, { id: below.ids[0] }, { memberId: below.members[0] });
    expect(synced.data?.syncSocialAccount.connectionStatus).toBe('CONNECTED');
  });

  it('the app-scoped id as a bare number matches too', async () => {
    const { ig, ids } = await linkedTwice();
    const result = await app.emulator.control.sendDeauthorize({
      provider: 'instagram',
      userId: ig.userId,
      idKind: 'app-scoped',
      userIdAs: 'number',
      url: DEAUTHORIZE(),
    });
    expect(result.body).toMatchObject({ disconnected_accounts: 2 });
    expect(await statuses(ids)).toEqual(['DISCONNECTED', 'DISCONNECTED']);
  });
});

describe('a data deletion that matches nothing', () => {
  it('is recorded and shown as "no data found", not as completed', async () => {
    const stranger = igUser(); // exists at Meta, never connected here
    const code = await appScopedDeletion(stranger.userId);
    const [audit] = await app.sql('select status, completed_at, accounts_deleted, grants_deleted from meta_data_deletion where confirmation_code = ?', [code]);
    expect(audit).toMatchObject({ status: 'NO_DATA_FOUND', accounts_deleted: 0, grants_deleted: 0 });
    expect(audit.completed_at).not.toBeNull();
    const page = await statusPage(code);
    expect(page).toContain('No data found');
    expect(page).not.toContain('Completed');
    expect(page).not.toContain('was deleted');
  });
});

import { DisconnectSocialAccountDocument, SocialAccountDocument, SocialAccountsDocument, SyncSocialAccountDocument } from '../client/generated/graphql';
import { connect, facebookUser, instagramUser } from './helpers/flows';
import { onlyError, appForThisFile } from './helpers/test-app';

const app = appForThisFile();

const accountRow = async (id: string) =>
  (await app.sql('select connection_status, status_reason, token_encrypted, followers_count from social_account where id = ?', [id]))[0];

describe('socialAccounts and socialAccount', () => {
  it('lists newest first, hides DISCONNECTED by default, and filters by status', async () => {
    const member = 'member-list';
    const fb = facebookUser(app, [{ instagram: { username: 'older' } }]);
    await connect(app, member, 'FACEBOOK', fb.userId);
    app.clock.advance(1_000);
    const ig = instagramUser(app, { username: 'newer' });
    const [newer] = await connect(app, member, 'INSTAGRAM', ig.userId);
    app.clock.advance(1_000);
    const gone = instagramUser(app, { username: 'gone' });
    const [goneAccount] = await connect(app, member, 'INSTAGRAM', gone.userId);
    await app.gql(DisconnectSocialAccountDocument, { id: goneAccount.id }, { memberId: member });

    const all = await app.gql(SocialAccountsDocument, {}, { memberId: member });
    expect(all.data!.socialAccounts.map((a) => a.username)).toEqual(['newer', 'older']);
    const disconnected = await app.gql(SocialAccountsDocument, { statuses: ['DISCONNECTED'] }, { memberId: member });
    expect(disconnected.data!.socialAccounts.map((a) => a.username)).toEqual(['gone']);
    const one = await app.gql(SocialAccountDocument, { id: newer.id }, { memberId: member });
    expect(one.data!.socialAccount?.username).toBe('newer');
  });

  it("treats another member's account exactly like a missing one, on every operation", async () => {
    const ig = instagramUser(app);
    const [account] = await connect(app, 'member-owner', 'INSTAGRAM', ig.userId);
    const missing = '00000000-0000-4000-8000-000000000000';
    for (const id of [account.id, missing]) {
      expect((await app.gql(SocialAccountDocument, { id }, { memberId: 'member-intruder' })).data).toEqual({ socialAccount: null });
      const sync = onlyError(await app.gql(SyncSocialAccountDocument, { id }, { memberId: 'member-intruder' }));
      const disconnect = onlyError(await app.gql(DisconnectSocialAccountDocument, { id }, { memberId: 'member-intruder' }));
      expect([sync.extensions.code, disconnect.extensions.code]).toEqual(['NOT_FOUND', 'NOT_FOUND']);
      expect(sync.message).toBe(disconnect.message);
    }
    expect((await app.gql(SocialAccountsDocument, {}, { memberId: 'member-intruder' })).data!.socialAccounts).toEqual([]);
    expect((await accountRow(account.id)).connection_status).toBe('CONNECTED');
  });

  it('rejects a malformed id with BAD_USER_INPUT', async () => {
    const response = await app.gql(SocialAccountDocument, { id: "1' or '1'='1" }, { memberId: 'member-x' });
    expect(onlyError(response).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
  });
});

describe('syncSocialAccount', () => {
  it('fetches fresh figures, reprices, and sets lastSyncedAt (Facebook and Instagram flows)', async () => {
    const fb = facebookUser(app, [{ instagram: { followersCount: 9_000 } }]);
    const [fbAccount] = await connect(app, 'member-sync', 'FACEBOOK', fb.userId);
    const ig = instagramUser(app, { followersCount: 500 });
    const [igAccount] = await connect(app, 'member-sync', 'INSTAGRAM', ig.userId);

    app.emulator.control.updateProfile(fb.igIds[0], { followersCount: 150_000, mediaCount: 77, biography: 'new bio', website: 'https://new.example' });
    app.emulator.control.updateProfile(ig.userId, { followersCount: 2_000_000 });
    app.clock.advance(5_000);

    const synced = (await app.gql(SyncSocialAccountDocument, { id: fbAccount.id }, { memberId: 'member-sync' })).data!.syncSocialAccount;
    expect(synced).toMatchObject({
      followersCount: 150_000,
      mediaCount: 77,
      biography: 'new bio',
      website: 'https://new.example',
      priceTier: 'A',
      price: 150_000,
    });
    expect(new Date(synced.lastSyncedAt!).getTime()).toBeGreaterThan(new Date(fbAccount.lastSyncedAt!).getTime());
    const igSynced = (await app.gql(SyncSocialAccountDocument, { id: igAccount.id }, { memberId: 'member-sync' })).data!.syncSocialAccount;
    expect(igSynced).toMatchObject({ followersCount: 2_000_000, priceTier: 'S' });
  });

  it.each([
    [460, /password/],
    [463, /expired/],
    [459, /checkpoint/],
    [467, /logged out|invalidated/],
  ])('marks the account EXPIRED on 190/%i with the cause, and answers TOKEN_EXPIRED', async (subcode, reason) => {
    const ig = instagramUser(app);
    const [account] = await connect(app, `member-expired-${subcode}`, 'INSTAGRAM', ig.userId);
    app.emulator.control.invalidateUser(ig.userId, subcode);
    const error = onlyError(await app.gql(SyncSocialAccountDocument, { id: account.id }, { memberId: `member-expired-${subcode}` }));
    expect(error.extensions.code).toBe('TOKEN_EXPIRED');
    const after = (await app.gql(SocialAccountDocument, { id: account.id }, { memberId: `member-expired-${subcode}` })).data!.socialAccount!;
    expect(after.connectionStatus).toBe('EXPIRED');
    expect(after.statusReason).toMatch(reason);
  });

  it('marks the account DISCONNECTED when the app was removed (190/458) and deletes its token', async () => {
    const fb = facebookUser(app, [{ instagram: {} }]);
    const [account] = await connect(app, 'member-458', 'FACEBOOK', fb.userId);
    app.emulator.control.invalidateUser(fb.userId, 458);
    const error = onlyError(await app.gql(SyncSocialAccountDocument, { id: account.id }, { memberId: 'member-458' }));
    expect(error.extensions.code).toBe('ACCOUNT_DISCONNECTED');
    const row = await accountRow(account.id);
    expect(row.connection_status).toBe('DISCONNECTED');
    expect(row.token_encrypted).toBeNull();
    // Syncing a disconnected account is refused up front.
    expect(onlyError(await app.gql(SyncSocialAccountDocument, { id: account.id }, { memberId: 'member-458' })).extensions.code).toBe('ACCOUNT_DISCONNECTED');
  });

  it('marks the account ERROR on a permission error and answers PERMISSION_MISSING', async () => {
    const fb = facebookUser(app, [{ instagram: {} }]);
    const [account] = await connect(app, 'member-perm', 'FACEBOOK', fb.userId);
    app.emulator.control.failNext({ host: 'facebook', pathIncludes: fb.igIds[0], count: 1, kind: 'permission', code: 10 });
    const error = onlyError(await app.gql(SyncSocialAccountDocument, { id: account.id }, { memberId: 'member-perm' }));
    expect(error.extensions.code).toBe('PERMISSION_MISSING');
    const row = await accountRow(account.id);
    expect(row.connection_status).toBe('ERROR');
    expect(row.status_reason).toMatch(/permission/);
  });

  it('answers RATE_LIMITED with retryAfterSeconds and leaves the status alone', async () => {
    const fb = facebookUser(app, [{ instagram: {} }]);
    const [account] = await connect(app, 'member-rl', 'FACEBOOK', fb.userId);
    app.emulator.control.failNext({ host: 'facebook', pathIncludes: fb.igIds[0], count: 1, kind: 'rate_limit', code: 80002 });
    const error = onlyError(await app.gql(SyncSocialAccountDocument, { id: account.id }, { memberId: 'member-rl' }));
    expect(error.extensions.code).toBe('RATE_LIMITED');
    expect(error.extensions.retryAfterSeconds).toBeGreaterThan(0);
    expect((await accountRow(account.id)).connection_status).toBe('CONNECTED');
    // While paused, we do not call Meta at all.
    app.emulator.control.resetCalls();
    expect(onlyError(await app.gql(SyncSocialAccountDocument, { id: account.id }, { memberId: 'member-rl' })).extensions.code).toBe('RATE_LIMITED');
    expect(app.emulator.control.calls.filter((c) => c.path.includes(fb.igIds[0]))).toHaveLength(0);
    app.clock.advance(3_600_000);
  });

  it('retries transient failures, then answers UPSTREAM_UNAVAILABLE without touching the status', async () => {
    const ig = instagramUser(app, { followersCount: 3_000 });
    const [account] = await connect(app, 'member-5xx', 'INSTAGRAM', ig.userId);
    app.emulator.control.failNext({ host: 'instagram', pathIncludes: '/me', count: 2, kind: 'server_error' });
    app.emulator.control.updateProfile(ig.userId, { followersCount: 4_000 });
    const recovered = await app.gql(SyncSocialAccountDocument, { id: account.id }, { memberId: 'member-5xx' });
    expect(recovered.data?.syncSocialAccount.followersCount).toBe(4_000);

    for (const kind of ['server_error', 'transient', 'network_reset'] as const) {
      app.emulator.control.failNext({ host: 'instagram', pathIncludes: '/me', count: 10, kind });
      const error = onlyError(await app.gql(SyncSocialAccountDocument, { id: account.id }, { memberId: 'member-5xx' }));
      expect(error.extensions.code).toBe('UPSTREAM_UNAVAILABLE');
      expect((await accountRow(account.id)).connection_status).toBe('CONNECTED');
      app.emulator.control.failNext({ host: 'instagram', pathIncludes: '/me', count: 0, kind });
    }
  });

  it('brings an EXPIRED account back to CONNECTED when its token works again', async () => {
    const ig = instagramUser(app);
    const [account] = await connect(app, 'member-heal', 'INSTAGRAM', ig.userId);
    app.emulator.control.failNext({ host: 'instagram', pathIncludes: '/me', count: 1, kind: 'permission', code: 200 });
    await app.gql(SyncSocialAccountDocument, { id: account.id }, { memberId: 'member-heal' });
    expect((await accountRow(account.id)).connection_status).toBe('ERROR');
    const healed = await app.gql(SyncSocialAccountDocument, { id: account.id }, { memberId: 'member-heal' });
    expect(healed.data?.syncSocialAccount).toMatchObject({ connectionStatus: 'CONNECTED', statusReason: null });
  });
});

describe('disconnectSocialAccount', () => {
  it('is idempotent and deletes the stored tokens', async () => {
    const ig = instagramUser(app);
    const [account] = await connect(app, 'member-disc', 'INSTAGRAM', ig.userId);
    const first = await app.gql(DisconnectSocialAccountDocument, { id: account.id }, { memberId: 'member-disc' });
    expect(first.data?.disconnectSocialAccount).toMatchObject({ connectionStatus: 'DISCONNECTED', statusReason: 'Disconnected by the member.' });
    const second = await app.gql(DisconnectSocialAccountDocument, { id: account.id }, { memberId: 'member-disc' });
    expect(second.data?.disconnectSocialAccount.connectionStatus).toBe('DISCONNECTED');
    expect((await accountRow(account.id)).token_encrypted).toBeNull();
    const grants = await app.sql('select token_encrypted from meta_grant where member_id = ?', ['member-disc']);
    expect(grants.every((g: { token_encrypted: string | null }) => g.token_encrypted === null)).toBe(true);
  });

  it('revokes the Facebook grant only when no other linked account of the member uses it', async () => {
    const fb = facebookUser(app, [{ instagram: {} }, { instagram: {} }]);
    const [a, b] = await connect(app, 'member-revoke', 'FACEBOOK', fb.userId);
    const revokes = () => app.emulator.control.calls.filter((c) => c.method === 'DELETE' && c.path.endsWith('/permissions'));
    app.emulator.control.resetCalls();
    await app.gql(DisconnectSocialAccountDocument, { id: a.id }, { memberId: 'member-revoke' });
    expect(revokes()).toHaveLength(0);
    // The other account still works with the same grant.
    expect((await app.gql(SyncSocialAccountDocument, { id: b.id }, { memberId: 'member-revoke' })).data?.syncSocialAccount.connectionStatus).toBe('CONNECTED');
    await app.gql(DisconnectSocialAccountDocument, { id: b.id }, { memberId: 'member-revoke' });
    expect(revokes()).toHaveLength(1);
    expect(revokes()[0].hadAppsecretProof).toBe(true);
  });

  it('still disconnects when the revoke call fails', async () => {
    const fb = facebookUser(app, [{ instagram: {} }]);
    const [account] = await connect(app, 'member-revoke-fail', 'FACEBOOK', fb.userId);
    app.emulator.control.failNext({ host: 'facebook', pathIncludes: '/permissions', count: 10, kind: 'server_error' });
    const response = await app.gql(DisconnectSocialAccountDocument, { id: account.id }, { memberId: 'member-revoke-fail' });
    expect(response.data?.disconnectSocialAccount.connectionStatus).toBe('DISCONNECTED');
    expect(app.logs.some((line) => line.includes('revoking the Facebook grant failed'))).toBe(true);
    app.emulator.control.failNext({ host: 'facebook', pathIncludes: '/permissions', count: 0, kind: 'server_error' });
  });
});

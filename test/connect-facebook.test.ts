import { DisconnectSocialAccountDocument, SocialAccountsDocument } from '../client/generated/graphql';
import { allow, beginConnect, connect, facebookUser, finishConnect } from './helpers/flows';
import { OTHER_REDIRECT_URI, onlyError, appForThisFile } from './helpers/test-app';

const app = appForThisFile();

describe('connectInstagram with Facebook Login', () => {
  it('links every Page with an Instagram account, with profile figures and a price', async () => {
    const fb = facebookUser(app, [
      {
        instagram: {
          username: 'big_brand',
          followersCount: 250_000,
          followsCount: 12,
          mediaCount: 900,
          biography: 'We sell things',
          website: 'https://brand.example',
        },
      },
      { instagram: { username: 'small_shop', followersCount: 12_000 } },
      { instagram: null },
    ]);
    const accounts = await connect(app, 'member-fb-1', 'FACEBOOK', fb.userId);
    expect(accounts.map((a) => a.username).sort()).toEqual(['big_brand', 'small_shop']);
    const big = accounts.find((a) => a.username === 'big_brand')!;
    expect(big).toMatchObject({
      provider: 'FACEBOOK',
      platform: 'INSTAGRAM',
      connectionStatus: 'CONNECTED',
      followersCount: 250_000,
      followingCount: 12,
      mediaCount: 900,
      biography: 'We sell things',
      website: 'https://brand.example',
      priceTier: 'A',
      price: 250_000,
      currency: 'USD',
      statusReason: null,
    });
    expect(fb.igIds).toContain(big.platformUserId);
    expect(accounts.find((a) => a.username === 'small_shop')).toMatchObject({ priceTier: 'B', price: 9_600 });
    expect(new Date(big.connectedAt).getTime()).toBeGreaterThan(0);
    expect(big.needsReconnectBy).not.toBeNull();
  });

  it('follows paging.next through every page of /me/accounts', async () => {
    const fb = facebookUser(
      app,
      Array.from({ length: 30 }, (_, i) => ({ instagram: { username: `paged_${i}_${Date.now()}` } })),
    );
    app.emulator.control.resetCalls();
    const accounts = await connect(app, 'member-fb-paging', 'FACEBOOK', fb.userId);
    expect(accounts).toHaveLength(30);
    const pageCalls = app.emulator.control.calls.filter((c) => c.path.endsWith('/me/accounts'));
    expect(pageCalls.length).toBeGreaterThanOrEqual(2);
  });

  it('finds Pages that live only in a Business Portfolio', async () => {
    const fb = facebookUser(app, [{ viaBusinessOnly: true, instagram: { username: `portfolio_${Date.now()}` } }]);
    const accounts = await connect(app, 'member-fb-portfolio', 'FACEBOOK', fb.userId);
    expect(accounts).toHaveLength(1);
  });

  it('sends appsecret_proof on every graph.facebook.com call made with a user or page token', async () => {
    const fb = facebookUser(app, [{ instagram: {} }]);
    app.emulator.control.resetCalls();
    await connect(app, 'member-fb-proof', 'FACEBOOK', fb.userId);
    const tokenCalls = app.emulator.control.calls.filter(
      (c) => c.host === 'facebook-graph' && !c.path.includes('oauth/access_token') && !c.path.includes('debug_token'),
    );
    expect(tokenCalls.length).toBeGreaterThanOrEqual(2);
    expect(tokenCalls.every((c) => c.hadAppsecretProof)).toBe(true);
  });

  it('says NO_PAGES_GRANTED when no Page was shared', async () => {
    const fb = facebookUser(app, []);
    const state = await beginConnect(app, 'member-fb-nopages', 'FACEBOOK');
    const error = onlyError(await finishConnect(app, 'member-fb-nopages', allow(app, 'FACEBOOK', fb.userId, state), state));
    expect(error.extensions).toMatchObject({ code: 'NO_INSTAGRAM_ACCOUNT', reason: 'NO_PAGES_GRANTED' });
    expect(error.message).toMatch(/select the Page/);
  });

  it('says NO_LINKED_INSTAGRAM when the shared Pages have no Instagram account, naming them', async () => {
    const fb = facebookUser(app, [
      { name: 'Bakery Page', instagram: null },
      { name: 'Band Page', instagram: null },
    ]);
    const state = await beginConnect(app, 'member-fb-unlinked', 'FACEBOOK');
    const error = onlyError(await finishConnect(app, 'member-fb-unlinked', allow(app, 'FACEBOOK', fb.userId, state), state));
    expect(error.extensions).toMatchObject({ code: 'NO_INSTAGRAM_ACCOUNT', reason: 'NO_LINKED_INSTAGRAM' });
    expect(error.message).toContain('Bakery Page');
    const list = await app.gql(SocialAccountsDocument, {}, { memberId: 'member-fb-unlinked' });
    expect(list.data?.socialAccounts).toEqual([]);
  });

  it('maps a cancelled dialog to OAUTH_DENIED', async () => {
    const state = await beginConnect(app, 'member-fb-cancel', 'FACEBOOK');
    const response = await app.post(
      {
        query: 'mutation($s: String!) { connectInstagram(code: "", state: $s, error: "access_denied", errorReason: "user_denied") { id } }',
        variables: { s: state },
      },
      { memberId: 'member-fb-cancel' },
    );
    expect(onlyError(response).extensions).toMatchObject({ code: 'OAUTH_DENIED', reason: 'user_denied' });
  });

  it("rejects a used code and a redirect URI mismatch with OAUTH_CODE_REJECTED and Meta's reason", async () => {
    const fb = facebookUser(app, [{ instagram: {} }]);
    const first = await beginConnect(app, 'member-fb-code', 'FACEBOOK');
    const code = allow(app, 'FACEBOOK', fb.userId, first);
    expect((await finishConnect(app, 'member-fb-code', code, first)).data?.connectInstagram).toHaveLength(1);

    const second = await beginConnect(app, 'member-fb-code', 'FACEBOOK');
    const reused = onlyError(await finishConnect(app, 'member-fb-code', code, second));
    expect(reused.extensions.code).toBe('OAUTH_CODE_REJECTED');
    expect(reused.extensions.metaSubcode).toBe(36009);

    // The dialog was opened with one redirect URI; the state says another.
    const third = await beginConnect(app, 'member-fb-code', 'FACEBOOK', OTHER_REDIRECT_URI);
    const mismatched = onlyError(await finishConnect(app, 'member-fb-code', allow(app, 'FACEBOOK', fb.userId, third), third));
    expect(mismatched.extensions.code).toBe('OAUTH_CODE_REJECTED');
    expect(String(mismatched.extensions.metaReason)).toMatch(/redirect_uri/);
  });

  it('reconnecting revives a disconnected account in place', async () => {
    const fb = facebookUser(app, [{ instagram: {} }]);
    const [first] = await connect(app, 'member-fb-revive', 'FACEBOOK', fb.userId);
    await app.gql(DisconnectSocialAccountDocument, { id: first.id }, { memberId: 'member-fb-revive' });
    app.clock.advance(60_000);
    const [again] = await connect(app, 'member-fb-revive', 'FACEBOOK', fb.userId);
    expect(again.id).toBe(first.id);
    expect(again.connectionStatus).toBe('CONNECTED');
    expect(new Date(again.connectedAt).getTime()).toBeGreaterThan(new Date(first.connectedAt).getTime());
    const rows = await app.sql('select count(*)::int as n from social_account where member_id = ?', ['member-fb-revive']);
    expect(rows[0].n).toBe(1);
  });

  it('lets one member link accounts from several Facebook users, and two members the same account', async () => {
    const a = facebookUser(app, [{ instagram: {} }]);
    const b = facebookUser(app, [{ instagram: {} }]);
    await connect(app, 'member-fb-multi', 'FACEBOOK', a.userId);
    await connect(app, 'member-fb-multi', 'FACEBOOK', b.userId);
    await connect(app, 'member-fb-multi-2', 'FACEBOOK', a.userId);
    const list = await app.gql(SocialAccountsDocument, {}, { memberId: 'member-fb-multi' });
    expect(list.data?.socialAccounts).toHaveLength(2);
    const other = await app.gql(SocialAccountsDocument, {}, { memberId: 'member-fb-multi-2' });
    expect(other.data?.socialAccounts).toHaveLength(1);
  });
});

import { OAuthUrlDocument } from '../client/generated/graphql';
import { allow, beginConnect, facebookUser, finishConnect, instagramUser } from './helpers/flows';
import { onlyError, OTHER_REDIRECT_URI, REDIRECT_URI, appForThisFile } from './helpers/test-app';

const app = appForThisFile();

describe('oauthUrl', () => {
  it('builds a properly encoded Facebook dialog URL with the required scopes and a strong state', async () => {
    const response = await app.gql(OAuthUrlDocument, {}, { memberId: 'member-url' });
    const url = new URL(response.data!.oauthUrl);
    expect(url.pathname).toBe(`${new URL(app.emulator.urls.facebookWww).pathname}/v25.0/dialog/oauth`);
    expect(url.searchParams.get('client_id')).toBe(app.handles.config.meta.facebook.id);
    expect(url.searchParams.get('redirect_uri')).toBe(REDIRECT_URI);
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('scope')).toBe('instagram_basic,pages_show_list,pages_read_engagement,business_management');
    const state = url.searchParams.get('state')!;
    expect(Buffer.from(state, 'base64url').length).toBeGreaterThanOrEqual(16);
    expect(response.data!.oauthUrl).toContain(encodeURIComponent(REDIRECT_URI));
  });

  it('gives a different state every time and stores only its hash', async () => {
    const a = await beginConnect(app, 'member-url-2', 'FACEBOOK');
    const b = await beginConnect(app, 'member-url-2', 'FACEBOOK');
    expect(a).not.toBe(b);
    const rows = await app.sql('select state_hash from oauth_state where member_id = ?', ['member-url-2']);
    expect(rows).toHaveLength(2);
    expect(rows.map((r: { state_hash: string }) => r.state_hash)).not.toContain(a);
  });

  it('accepts another allow-listed redirect URI and refuses any other', async () => {
    const ok = await app.gql(OAuthUrlDocument, { redirectUri: OTHER_REDIRECT_URI }, { memberId: 'member-url-3' });
    expect(new URL(ok.data!.oauthUrl).searchParams.get('redirect_uri')).toBe(OTHER_REDIRECT_URI);
    const bad = await app.gql(OAuthUrlDocument, { redirectUri: 'https://evil.example/cb' }, { memberId: 'member-url-3' });
    expect(onlyError(bad).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'redirectUri' });
  });
});

describe('the OAuth state on connectInstagram', () => {
  it('expires after 10 minutes', async () => {
    const fb = facebookUser(app, [{ instagram: {} }]);
    const state = await beginConnect(app, 'member-state-exp', 'FACEBOOK');
    const code = allow(app, 'FACEBOOK', fb.userId, state);
    app.clock.advance(10 * 60_000 + 1_000);
    expect(onlyError(await finishConnect(app, 'member-state-exp', code, state)).extensions.code).toBe('INVALID_OAUTH_STATE');
  });

  it('cannot be replayed', async () => {
    const fb = facebookUser(app, [{ instagram: {} }]);
    const state = await beginConnect(app, 'member-state-replay', 'FACEBOOK');
    const code = allow(app, 'FACEBOOK', fb.userId, state);
    expect((await finishConnect(app, 'member-state-replay', code, state)).data?.connectInstagram).toHaveLength(1);
    expect(onlyError(await finishConnect(app, 'member-state-replay', code, state)).extensions.code).toBe('INVALID_OAUTH_STATE');
  });

  it.each([
    ['FACEBOOK', '#_=_'],
    ['INSTAGRAM', '#_'],
  ] as const)("accepts a %s state copied with Meta's trailing %s from the redirect's address", async (provider, fragment) => {
    const metaUserId = provider === 'FACEBOOK' ? facebookUser(app, [{ instagram: {} }]).userId : instagramUser(app).userId;
    const member = `member-state-fragment-${provider}`;
    const state = await beginConnect(app, member, provider);
    const { redirectUrl } = app.emulator.control.authorize({
      provider: provider === 'FACEBOOK' ? 'facebook' : 'instagram',
      userId: metaUserId,
      redirectUri: REDIRECT_URI,
      state,
    });
    expect(redirectUrl.endsWith(fragment)).toBe(true);
    // What a person copies from the address bar: each parameter up to the next `&`, the fragment
    // riding on the last one (state), decoded as a shell user would paste it.
    const copied = Object.fromEntries(
      redirectUrl
        .split('?')[1]
        .split('&')
        .map((pair) => pair.split('=').map((part) => decodeURIComponent(part)))
        .map(([key, ...rest]) => [key, rest.join('=')]),
    ) as { code: string; state: string };
    expect(copied.state).toBe(`${state}${fragment}`);
    expect((await finishConnect(app, member, copied.code, copied.state)).data?.connectInstagram).toHaveLength(1);
  });

  it('cannot be forged', async () => {
    const forged = Buffer.alloc(32, 1).toString('base64url');
    expect(onlyError(await finishConnect(app, 'member-state-forged', 'some-code', forged)).extensions.code).toBe('INVALID_OAUTH_STATE');
  });

  it('belongs to the member who asked for it: another member cannot use it, nor burn it', async () => {
    const fb = facebookUser(app, [{ instagram: {} }]);
    const state = await beginConnect(app, 'member-state-owner', 'FACEBOOK');
    const code = allow(app, 'FACEBOOK', fb.userId, state);
    expect(onlyError(await finishConnect(app, 'member-state-thief', code, state)).extensions.code).toBe('INVALID_OAUTH_STATE');
    expect((await finishConnect(app, 'member-state-owner', code, state)).data?.connectInstagram).toHaveLength(1);
  });

  it('lets exactly one of two concurrent calls with the same state proceed', async () => {
    const fb = facebookUser(app, [{ instagram: {} }]);
    const state = await beginConnect(app, 'member-state-race', 'FACEBOOK');
    const code = allow(app, 'FACEBOOK', fb.userId, state);
    const results = await Promise.all([
      finishConnect(app, 'member-state-race', code, state),
      finishConnect(app, 'member-state-race', code, state),
      finishConnect(app, 'member-state-race', code, state),
    ]);
    const succeeded = results.filter((r) => r.data?.connectInstagram);
    const refused = results.filter((r) => r.errors?.[0]?.extensions?.code === 'INVALID_OAUTH_STATE');
    expect(succeeded).toHaveLength(1);
    expect(refused).toHaveLength(2);
  });
});

describe('a connect that fails before Meta exchanged the code', () => {
  it('keeps the state valid after RATE_LIMITED (429 on the code exchange): the same code and state work after the wait', async () => {
    const ig = instagramUser(app);
    const state = await beginConnect(app, 'member-state-429', 'INSTAGRAM');
    const code = allow(app, 'INSTAGRAM', ig.userId, state);
    app.emulator.control.throttle({ host: 'instagram', pathIncludes: '/oauth/access_token', count: 1, retryAfterSeconds: 30 });

    expect(onlyError(await finishConnect(app, 'member-state-429', code, state)).extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 30 });
    // Retried during the pause: still RATE_LIMITED (our gate, no Meta call), and still not burnt.
    expect(onlyError(await finishConnect(app, 'member-state-429', code, state)).extensions.code).toBe('RATE_LIMITED');
    app.clock.advance(31_000);
    const retried = await finishConnect(app, 'member-state-429', code, state);
    expect(retried.data?.connectInstagram).toHaveLength(1);
    expect(onlyError(await finishConnect(app, 'member-state-429', code, state)).extensions.code).toBe('INVALID_OAUTH_STATE');
  });

  it('keeps the state valid after UPSTREAM_UNAVAILABLE on the code exchange', async () => {
    const fb = facebookUser(app, [{ instagram: {} }]);
    const state = await beginConnect(app, 'member-state-5xx', 'FACEBOOK');
    const code = allow(app, 'FACEBOOK', fb.userId, state);
    app.emulator.control.failNext({ host: 'facebook', pathIncludes: '/oauth/access_token', count: 10, kind: 'server_error' });

    expect(onlyError(await finishConnect(app, 'member-state-5xx', code, state)).extensions.code).toBe('UPSTREAM_UNAVAILABLE');
    app.emulator.control.failNext({ host: 'facebook', pathIncludes: '/oauth/access_token', count: 0, kind: 'server_error' });
    expect((await finishConnect(app, 'member-state-5xx', code, state)).data?.connectInstagram).toHaveLength(1);
  });

  it('spends the state once Meta has exchanged the code, even when a later step fails', async () => {
    const fb = facebookUser(app, [{ instagram: {} }]);
    const state = await beginConnect(app, 'member-state-spent', 'FACEBOOK');
    const code = allow(app, 'FACEBOOK', fb.userId, state);
    app.emulator.control.failNext({ host: 'facebook', pathIncludes: '/me/accounts', count: 10, kind: 'server_error' });

    expect(onlyError(await finishConnect(app, 'member-state-spent', code, state)).extensions.code).toBe('UPSTREAM_UNAVAILABLE');
    app.emulator.control.failNext({ host: 'facebook', pathIncludes: '/me/accounts', count: 0, kind: 'server_error' });
    expect(onlyError(await finishConnect(app, 'member-state-spent', code, state)).extensions.code).toBe('INVALID_OAUTH_STATE');
  });

  it('lets one of two concurrent retries of a released state exchange the code', async () => {
    const ig = instagramUser(app);
    const state = await beginConnect(app, 'member-state-retry-race', 'INSTAGRAM');
    const code = allow(app, 'INSTAGRAM', ig.userId, state);
    app.emulator.control.failNext({ host: 'instagram', pathIncludes: '/oauth/access_token', count: 10, kind: 'server_error' });
    expect(onlyError(await finishConnect(app, 'member-state-retry-race', code, state)).extensions.code).toBe('UPSTREAM_UNAVAILABLE');
    app.emulator.control.failNext({ host: 'instagram', pathIncludes: '/oauth/access_token', count: 0, kind: 'server_error' });
    app.emulator.control.resetCalls();

    const results = await Promise.all([1, 2, 3].map(() => finishConnect(app, 'member-state-retry-race', code, state)));
    expect(results.filter((r) => r.data?.connectInstagram)).toHaveLength(1);
    expect(results.filter((r) => r.errors?.[0]?.extensions?.code === 'INVALID_OAUTH_STATE')).toHaveLength(2);
    expect(app.emulator.control.calls.filter((c) => c.host === 'instagram-api')).toHaveLength(1);
  });
});

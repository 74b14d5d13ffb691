import { createHmac } from 'node:crypto';
import { Writable } from 'node:stream';
import { DisconnectSocialAccountDocument, SyncSocialAccountDocument } from '../client/generated/graphql';
import { createLogger } from '../src/logger';
import { MetaAuthError } from '../src/services/meta/errors';
import { allow, beginConnect, connect, facebookUser, finishConnect, instagramUser } from './helpers/flows';
import { appForThisFile, stateOf, TEST_APPS } from './helpers/test-app';

/**
 * Log lines show Meta's error codes (an operator needs 190 vs 4 vs 80002) and never show a token,
 * a secret, an appsecret_proof or an OAuth authorization code.
 */
const app = appForThisFile();

const lines = () => app.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
const linesWith = (msg: string) => lines().filter((l) => l.msg === msg);

describe('Meta error codes in log lines', () => {
  it('a transient Meta failure is logged with its numeric code', async () => {
    const ig = instagramUser(app);
    const [account] = await connect(app, 'member-log-code', 'INSTAGRAM', ig.userId);
    app.emulator.control.failNext({ host: 'instagram', pathIncludes: '/me', count: 1, kind: 'transient', code: 2 });
    const synced = await app.gql(SyncSocialAccountDocument, { id: account.id }, { memberId: 'member-log-code' });
    expect(synced.data?.syncSocialAccount.connectionStatus).toBe('CONNECTED');
    expect(linesWith('transient Meta failure, retrying')).toContainEqual(expect.objectContaining({ operation: 'ig-me', code: 2 }));
  });

  it('a failed revoke is logged with Meta code and kind', async () => {
    const fb = facebookUser(app, [{ instagram: {} }]);
    const [account] = await connect(app, 'member-log-revoke', 'FACEBOOK', fb.userId);
    app.emulator.control.failNext({ host: 'facebook', pathIncludes: '/permissions', count: 10, kind: 'server_error', code: 1 });
    await app.gql(DisconnectSocialAccountDocument, { id: account.id }, { memberId: 'member-log-revoke' });
    app.emulator.control.failNext({ host: 'facebook', pathIncludes: '/permissions', count: 0, kind: 'server_error' });
    expect(linesWith('revoking the Facebook grant failed; the account is disconnected anyway')).toContainEqual(
      expect.objectContaining({ accountId: account.id, code: 1, kind: 'transient' }),
    );
  });

  it('the logger keeps code, subcode and metaCode, and redacts OAuth codes by the paths they travel under', () => {
    const written: string[] = [];
    const logger = createLogger('info', new Writable({ write: (chunk, _encoding, done) => (written.push(String(chunk)), done()) }));
    logger.warn(
      {
        code: 190,
        subcode: 463,
        metaCode: 80002,
        err: new MetaAuthError({ message: 'Error validating access token', code: 190, subcode: 460 }),
        oauthCode: 'AQ-oauth-field',
        req: { query: { code: 'AQ-query' }, body: { code: 'AQ-body', client_secret: 'shh-1' }, headers: { authorization: 'Bearer jwt-1' } },
        query: { code: 'AQ-bare-query' },
        body: { code: 'AQ-bare-body' },
        form: { code: 'AQ-form', client_secret: 'shh-2' },
        variables: { code: 'AQ-variables', state: 'state-is-fine' },
        operation: { variables: { code: 'AQ-nested-variables' } },
        meta: { access_token: 'EAA-token', appsecret_proof: 'proof-1', input_token: 'EAA-input', fb_exchange_token: 'EAA-exchange' },
        signed_request: 'sig.payload',
      },
      'probe',
    );
    const [line] = written;
    const parsed = JSON.parse(line);
    expect(parsed).toMatchObject({ code: 190, subcode: 463, metaCode: 80002, err: { code: 190, subcode: 460 }, variables: { state: 'state-is-fine' } });
    for (const secret of ['AQ-', 'shh-', 'jwt-1', 'EAA-', 'proof-1', 'sig.payload']) expect(line).not.toContain(secret);
  });
});

describe('secrets never reach a log line', () => {
  it('not the OAuth codes, tokens, appsecret_proofs or client secrets of connect flows, failed or not', async () => {
    const codes: string[] = [];
    const member = 'member-log-secrets';
    // Facebook over GraphQL, with a transient failure during the code exchange (so the retry is logged).
    const fb = facebookUser(app, [{ instagram: {} }, { instagram: {} }]);
    let state = await beginConnect(app, member, 'FACEBOOK');
    let code = allow(app, 'FACEBOOK', fb.userId, state);
    codes.push(code);
    app.emulator.control.failNext({ host: 'facebook', pathIncludes: '/oauth/access_token', count: 1, kind: 'transient' });
    expect((await finishConnect(app, member, code, state)).data?.connectInstagram).toHaveLength(2);
    // The same code again: Meta rejects it; the rejection carries no code.
    state = await beginConnect(app, member, 'FACEBOOK');
    expect((await finishConnect(app, member, code, state)).errors?.[0].extensions?.code).toBe('OAUTH_CODE_REJECTED');
    // Instagram over GraphQL.
    const ig = instagramUser(app);
    state = await beginConnect(app, member, 'INSTAGRAM');
    code = allow(app, 'INSTAGRAM', ig.userId, state);
    codes.push(code);
    expect((await finishConnect(app, member, `${code}#_`, state)).data?.connectInstagram).toHaveLength(1);
    // Instagram over REST, the code in the query string, with the code exchange failing for good.
    const rest = (method: string, path: string) =>
      fetch(`${app.url}/ai/instagram${path}`, { method, headers: { authorization: `Bearer ${app.tokenFor(member)}` } }).then(
        (r) => r.json() as Promise<{ data: any; code?: string }>,
      );
    const ig2 = instagramUser(app);
    state = stateOf((await rest('GET', '/oauth/url?provider=INSTAGRAM')).data.url);
    code = allow(app, 'INSTAGRAM', ig2.userId, state);
    codes.push(code);
    app.emulator.control.failNext({ host: 'instagram', pathIncludes: '/oauth/access_token', count: 10, kind: 'server_error' });
    expect((await rest('POST', `/oauth/connect?code=${encodeURIComponent(code)}&state=${state}`)).code).toBe('UPSTREAM_UNAVAILABLE');
    app.emulator.control.failNext({ host: 'instagram', pathIncludes: '/oauth/access_token', count: 0, kind: 'server_error' });
    state = stateOf((await rest('GET', '/oauth/url?provider=INSTAGRAM')).data.url);
    code = allow(app, 'INSTAGRAM', ig2.userId, state);
    codes.push(code);
    expect((await rest('POST', `/oauth/connect?code=${encodeURIComponent(code)}&state=${state}`)).data).toHaveLength(1);

    const fbTokens = app.emulator.control.tokensOf(fb.userId);
    const igTokens = [...app.emulator.control.tokensOf(ig.userId), ...app.emulator.control.tokensOf(ig2.userId)];
    expect(fbTokens.length).toBeGreaterThanOrEqual(3);
    const proofs = fbTokens.map((token) => createHmac('sha256', TEST_APPS.facebook.secret).update(token).digest('hex'));
    const secrets = [...codes, ...fbTokens, ...igTokens, ...proofs, TEST_APPS.facebook.secret, TEST_APPS.instagram.secret, app.tokenFor(member)];
    const everything = app.logs.join('\n');
    expect(everything).toContain('transient Meta failure, retrying'); // the failures above were logged...
    for (const secret of secrets) expect(everything).not.toContain(secret); // ...without any secret
  });
});

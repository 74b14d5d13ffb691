import { SocialAccountDocument, SyncSocialAccountDocument } from '../client/generated/graphql';
import { connect, facebookUser, instagramUser, beginConnect } from './helpers/flows';
import { onlyError, appForThisFile } from './helpers/test-app';

const app = appForThisFile();

describe('bad input', () => {
  it('answers clear errors with codes and changes nothing', async () => {
    const member = 'member-input';
    const ig = instagramUser(app);
    const [account] = await connect(app, member, 'INSTAGRAM', ig.userId);
    const before = (await app.gql(SocialAccountDocument, { id: account.id }, { memberId: member })).data!.socialAccount;

    const state = await beginConnect(app, member, 'INSTAGRAM');
    const empty = onlyError(
      await app.post({ query: 'mutation($s:String!){ connectInstagram(code: "", state: $s) { id } }', variables: { s: state } }, { memberId: member }),
    );
    expect(empty.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'code' });
    const huge = onlyError(
      await app.post(
        { query: 'mutation($c:String!,$s:String!){ connectInstagram(code: $c, state: $s) { id } }', variables: { c: 'x'.repeat(50_000), s: state } },
        { memberId: member },
      ),
    );
    expect(huge.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'code' });
    const hugeState = onlyError(
      await app.post(
        { query: 'mutation($s:String!){ connectInstagram(code: "abc", state: $s) { id } }', variables: { s: 'y'.repeat(50_000) } },
        { memberId: member },
      ),
    );
    expect(hugeState.extensions.code).toBe('INVALID_OAUTH_STATE');
    const badEnum = await app.post({ query: '{ socialAccounts(statuses: [SLEEPING]) { id } }' }, { memberId: member });
    expect(onlyError(badEnum).extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const badVariable = await app.post({ query: 'query($p: LoginProvider){ oauthUrl(provider: $p) }', variables: { p: 'TIKTOK' } }, { memberId: member });
    expect(onlyError(badVariable).extensions.code).toBe('BAD_USER_INPUT');
    const syntax = await app.post({ query: '{ socialAccounts { id ' }, { memberId: member });
    expect(onlyError(syntax).extensions.code).toBe('GRAPHQL_PARSE_FAILED');

    const tooLarge = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${app.tokenFor(member)}` },
      body: JSON.stringify({ query: '{ socialAccounts { id } }', variables: { pad: 'z'.repeat(2_000_000) } }),
    });
    expect(tooLarge.status).toBe(413);
    expect(((await tooLarge.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe('BAD_USER_INPUT');

    // The stored account survived all of it, and the state is still usable.
    expect((await app.gql(SocialAccountDocument, { id: account.id }, { memberId: member })).data!.socialAccount).toEqual(before);
  });
});

describe('secrets', () => {
  it('never stores, returns or logs a token or app secret in plain text', async () => {
    const fb = facebookUser(app, [{ instagram: {} }, { instagram: {} }]);
    const ig = instagramUser(app);
    const member = 'member-secrets';
    const accounts = [...(await connect(app, member, 'FACEBOOK', fb.userId)), ...(await connect(app, member, 'INSTAGRAM', ig.userId))];
    const responses: string[] = [];
    for (const account of accounts) {
      responses.push(JSON.stringify(await app.gql(SyncSocialAccountDocument, { id: account.id }, { memberId: member })));
    }
    const tokens = [...app.emulator.control.tokensOf(fb.userId), ...app.emulator.control.tokensOf(ig.userId)];
    expect(tokens.length).toBeGreaterThanOrEqual(3);

    const dump = JSON.stringify([
      await app.sql('select * from social_account'),
      await app.sql('select * from meta_grant'),
      await app.sql('select * from oauth_state'),
      await app.sql('select * from connection_event'),
    ]);
    const secrets = [...tokens, app.handles.config.meta.facebook.secret, app.handles.config.meta.instagram.secret];
    for (const secret of secrets) {
      expect(dump).not.toContain(secret);
      expect(responses.join()).not.toContain(secret);
      expect(app.logs.join()).not.toContain(secret);
    }
    expect(dump).toContain('v1.'); // the encrypted envelopes are there
  });

  it('hides unexpected failures behind INTERNAL_SERVER_ERROR without internals', async () => {
    const ig = instagramUser(app);
    const [account] = await connect(app, 'member-internal', 'INSTAGRAM', ig.userId);
    // A database failure with a detailed driver message is our fault, not the caller's.
    // (the driver's message would name the missing column; the caller must see none of it).
    await app.sql('alter table social_account rename column biography to biography_gone');
    try {
      const error = onlyError(await app.gql(SyncSocialAccountDocument, { id: account.id }, { memberId: 'member-internal' }));
      expect(error.extensions.code).toBe('INTERNAL_SERVER_ERROR');
      expect(JSON.stringify(error)).not.toMatch(/biography|does not exist|stack|\.ts:/);
    } finally {
      await app.sql('alter table social_account rename column biography_gone to biography');
    }
  });

  it('a token no configured key opens (a lost key) asks for a reconnect, without internals', async () => {
    const ig = instagramUser(app);
    const [account] = await connect(app, 'member-lost-key', 'INSTAGRAM', ig.userId);
    await app.sql("update meta_grant set token_encrypted = 'v1.lost.AAAA.AAAA.AAAA' where member_id = ?", ['member-lost-key']);
    const error = onlyError(await app.gql(SyncSocialAccountDocument, { id: account.id }, { memberId: 'member-lost-key' }));
    expect(error.extensions.code).toBe('TOKEN_EXPIRED');
    expect(error.message).toMatch(/reconnect the account/);
    expect(JSON.stringify(error)).not.toMatch(/lost|stack|TokenDecryption|\.ts:/);
  });
});

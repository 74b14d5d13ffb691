import { SocialAccountsDocument } from '../client/generated/graphql';
import { allow, beginConnect, connect, finishConnect, instagramUser } from './helpers/flows';
import { onlyError, appForThisFile } from './helpers/test-app';

const app = appForThisFile();

describe('connectInstagram with Business Login for Instagram', () => {
  it('keeps a user_id beyond 2^53 exact from the flat token response, and strips #_ from the code', async () => {
    const ig = instagramUser(app, { userId: '17841400000000009999', accountType: 'BUSINESS', tokenResponseShape: 'flat', followersCount: 1_200_000 });
    const [account] = await connect(app, 'member-ig-1', 'INSTAGRAM', ig.userId);
    expect(account).toMatchObject({
      platformUserId: '17841400000000009999',
      provider: 'INSTAGRAM',
      accountType: 'BUSINESS',
      connectionStatus: 'CONNECTED',
      priceTier: 'S',
      price: 1_440_000,
    });
    expect(account.tokenExpiresAt).not.toBeNull();
  });

  it('accepts the documented token response shape and maps MEDIA_CREATOR to CREATOR', async () => {
    const ig = instagramUser(app, { accountType: 'MEDIA_CREATOR', tokenResponseShape: 'documented', followersCount: 800 });
    const [account] = await connect(app, 'member-ig-2', 'INSTAGRAM', ig.userId);
    expect(account).toMatchObject({ accountType: 'CREATOR', priceTier: 'N', price: 0, platformUserId: ig.userId });
  });

  it('refuses a personal account with a message that says how to fix it, storing nothing', async () => {
    const ig = instagramUser(app, { accountType: 'PERSONAL', username: 'just_me' });
    const state = await beginConnect(app, 'member-ig-personal', 'INSTAGRAM');
    const error = onlyError(await finishConnect(app, 'member-ig-personal', allow(app, 'INSTAGRAM', ig.userId, state), state));
    expect(error.extensions.code).toBe('PERSONAL_ACCOUNT_NOT_SUPPORTED');
    expect(error.message).toMatch(/@just_me.*Business or Creator/);
    const list = await app.gql(SocialAccountsDocument, { statuses: ['CONNECTED', 'DISCONNECTED', 'EXPIRED', 'ERROR'] }, { memberId: 'member-ig-personal' });
    expect(list.data?.socialAccounts).toEqual([]);
  });

  it('builds the Instagram authorize URL with the business scope', async () => {
    const response = await app.post({ query: '{ oauthUrl(provider: INSTAGRAM) }' }, { memberId: 'member-ig-url' });
    const url = new URL((response.data as { oauthUrl: string }).oauthUrl);
    expect(url.pathname).toMatch(/\/oauth\/authorize$/);
    expect(url.searchParams.get('scope')).toBe('instagram_business_basic');
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('client_id')).toBe(app.handles.config.meta.instagram.id);
  });
});

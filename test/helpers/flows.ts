import { ConnectInstagramDocument, OAuthUrlDocument, type SocialAccountFieldsFragment } from '../../client/generated/graphql';
import { REDIRECT_URI, stateOf, type GraphQLResponse, type TestApp } from './test-app';

type Provider = 'FACEBOOK' | 'INSTAGRAM';

/** oauthUrl → the state the dialog will carry back. */
export async function beginConnect(app: TestApp, memberId: string, provider: Provider, redirectUri = REDIRECT_URI): Promise<string> {
  const response = await app.gql(OAuthUrlDocument, { provider, redirectUri }, { memberId });
  if (!response.data?.oauthUrl) throw new Error(`oauthUrl failed: ${JSON.stringify(response.errors)}`);
  return stateOf(response.data.oauthUrl);
}

/** What clicking "Allow" in the emulator's dialog gives the frontend: a code for this state. */
export function allow(app: TestApp, provider: Provider, metaUserId: string, state: string, options: { pageIds?: string[]; redirectUri?: string } = {}): string {
  const { code } = app.emulator.control.authorize({
    provider: provider === 'FACEBOOK' ? 'facebook' : 'instagram',
    userId: metaUserId,
    redirectUri: options.redirectUri ?? REDIRECT_URI,
    state,
    pageIds: options.pageIds,
  });
  return code;
}

export async function finishConnect(
  app: TestApp,
  memberId: string,
  code: string,
  state: string,
): Promise<GraphQLResponse<{ connectInstagram: SocialAccountFieldsFragment[] }>> {
  return app.gql(ConnectInstagramDocument, { code, state }, { memberId });
}

/** The whole round trip; throws when it does not link anything. */
export async function connect(app: TestApp, memberId: string, provider: Provider, metaUserId: string, options: { pageIds?: string[] } = {}) {
  const state = await beginConnect(app, memberId, provider);
  const code = allow(app, provider, metaUserId, state, options);
  const response = await finishConnect(app, memberId, provider === 'INSTAGRAM' ? `${code}#_` : code, state);
  if (!response.data) throw new Error(`connect failed: ${JSON.stringify(response.errors)}`);
  return response.data.connectInstagram;
}

let fixtureCounter = 0;
const unique = () => `${Date.now().toString(36)}${(fixtureCounter++).toString(36)}`;

export interface IgProfileFixture {
  username?: string;
  name?: string;
  followersCount?: number;
  followsCount?: number;
  mediaCount?: number;
  biography?: string;
  website?: string;
  profilePictureUrl?: string;
}

/** A Facebook user with the given Pages, each optionally linked to an Instagram account. */
export function facebookUser(
  app: TestApp,
  pages: Array<{ name?: string; instagram?: IgProfileFixture | null; viaBusinessOnly?: boolean }>,
): { userId: string; pageIds: string[]; igIds: string[] } {
  const user = app.emulator.control.addFacebookUser({
    name: `Creator ${unique()}`,
    pages: pages.map((p, i) => ({
      name: p.name ?? `Page ${i + 1} ${unique()}`,
      viaBusinessOnly: p.viaBusinessOnly,
      instagram: p.instagram === null || p.instagram === undefined ? undefined : { username: `ig_${unique()}`, followersCount: 1500, ...p.instagram },
    })),
  });
  return {
    userId: user.id,
    pageIds: user.pages.map((p) => p.id),
    igIds: user.pages.map((p) => p.instagram?.id).filter((id): id is string => Boolean(id)),
  };
}

/** An Instagram account for Business Login. */
export function instagramUser(
  app: TestApp,
  profile: IgProfileFixture & { accountType?: 'BUSINESS' | 'MEDIA_CREATOR' | 'PERSONAL'; tokenResponseShape?: 'documented' | 'flat'; userId?: string } = {},
): { userId: string } {
  const user = app.emulator.control.addInstagramUser({
    username: `ig_${unique()}`,
    accountType: 'BUSINESS',
    followersCount: 25_000,
    ...profile,
  });
  return { userId: user.userId };
}

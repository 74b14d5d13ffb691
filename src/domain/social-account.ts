import { registerEnumType } from 'type-graphql';

export enum SocialPlatform {
  INSTAGRAM = 'INSTAGRAM',
}

/** Which Meta login flow linked the account. */
export enum LoginProvider {
  /** Facebook Login for Business: the Instagram account is linked to a Facebook Page. */
  FACEBOOK = 'FACEBOOK',
  /** Business Login for Instagram: no Facebook Page needed. */
  INSTAGRAM = 'INSTAGRAM',
}

export enum SocialConnectionStatus {
  CONNECTED = 'CONNECTED',
  DISCONNECTED = 'DISCONNECTED',
  EXPIRED = 'EXPIRED',
  ERROR = 'ERROR',
}

export enum PriceTier {
  S = 'S',
  A = 'A',
  B = 'B',
  C = 'C',
  N = 'N',
}

export enum InstagramAccountType {
  BUSINESS = 'BUSINESS',
  CREATOR = 'CREATOR',
}

registerEnumType(SocialPlatform, { name: 'SocialPlatform' });
registerEnumType(LoginProvider, {
  name: 'LoginProvider',
  description: 'FACEBOOK: Facebook Login (account linked to a Page). INSTAGRAM: Business Login for Instagram.',
});
registerEnumType(SocialConnectionStatus, {
  name: 'SocialConnectionStatus',
  valuesConfig: {
    CONNECTED: { description: 'Tokens are valid and the account syncs.' },
    DISCONNECTED: { description: 'Unlinked by the member, or the app was removed on Meta. Tokens are deleted.' },
    EXPIRED: { description: 'Meta no longer accepts the token (expired, password changed, logged out...). Reconnect to fix.' },
    ERROR: { description: 'A permission is missing or the account keeps failing; statusReason says why.' },
  },
});
registerEnumType(PriceTier, { name: 'PriceTier', description: 'Reach tier: S ≥ 1M followers, A ≥ 100k, B ≥ 10k, C ≥ 1k, N below (defaults).' });
registerEnumType(InstagramAccountType, { name: 'InstagramAccountType' });

import { registerEnumType } from 'type-graphql';
import { InstagramAccountType, LoginProvider, PriceBasis, PriceTier, SocialConnectionStatus, SocialPlatform } from '../domain/social-account';

let registered = false;

/**
 * Gives the domain enums their GraphQL names and descriptions (the wording clients read in
 * schema.graphql). Called by the schema builder before it builds, rather than on import of the
 * enums, so that the entities, the worker and the Meta clients can use them without GraphQL.
 * Once per process: type-graphql's metadata is global and would list an enum registered twice twice.
 */
export function registerDomainEnums(): void {
  if (registered) return;
  registered = true;
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
  registerEnumType(PriceTier, {
    name: 'PriceTier',
    description: 'Reach tier, from followersCount whatever the price basis: S ≥ 1M followers, A ≥ 100k, B ≥ 10k, C ≥ 1k, N below (defaults).',
  });
  registerEnumType(InstagramAccountType, { name: 'InstagramAccountType' });
  registerEnumType(PriceBasis, {
    name: 'PriceBasis',
    valuesConfig: {
      FOLLOWERS: { description: 'followersCount × the reach tier’s rate (no engagement figures yet, or the price policy has no engagement rates).' },
      ENGAGEMENT: { description: 'Expected engagement per post × the policy’s rate per engagement (plus reach, when insights give it).' },
    },
  });
}

/**
 * The vocabulary of a linked account, shared by the entities, the services, the Meta clients,
 * the REST facade and the API. Plain TypeScript on purpose: nothing here may import GraphQL,
 * type-graphql or MikroORM, so importing a domain type never has a side effect. The GraphQL
 * names and descriptions of these enums are given where the schema is built
 * (src/schema/register-enums.ts).
 */

/** The social network an account belongs to (Instagram only, for now). */
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

/**
 * Where a connection stands; changed only through AccountStatusService.transition. What each
 * value means for clients is said once, in its GraphQL description (src/schema/register-enums.ts).
 */
export enum SocialConnectionStatus {
  CONNECTED = 'CONNECTED',
  DISCONNECTED = 'DISCONNECTED',
  EXPIRED = 'EXPIRED',
  ERROR = 'ERROR',
}

/** Reach tier, from the follower count (thresholds: the price policy, src/domain/price-policy.ts). */
export enum PriceTier {
  S = 'S',
  A = 'A',
  B = 'B',
  C = 'C',
  N = 'N',
}

/** The kind of Instagram professional account, as Meta reports it. */
export enum InstagramAccountType {
  BUSINESS = 'BUSINESS',
  CREATOR = 'CREATOR',
}

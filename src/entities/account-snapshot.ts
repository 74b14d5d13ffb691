import type { SocialAccount } from './social-account.entity';

/**
 * A linked account as clients see it: the properties GraphQL exposes (SocialAccount's @Field
 * members), as a plain read-only object instead of a managed entity. GraphQL resolves those
 * fields from properties, so both serialize the same. For reads that only show accounts: the
 * list and subscription events. Read with src/repositories/account-snapshots.ts.
 */
export type AccountSnapshot = Pick<
  SocialAccount,
  | 'id'
  | 'platform'
  | 'provider'
  | 'platformUserId'
  | 'username'
  | 'name'
  | 'profilePictureUrl'
  | 'biography'
  | 'website'
  | 'followersCount'
  | 'followingCount'
  | 'mediaCount'
  | 'accountType'
  | 'connectionStatus'
  | 'statusReason'
  | 'priceTier'
  | 'price'
  | 'currency'
  | 'tokenExpiresAt'
  | 'needsReconnectBy'
  | 'lastSyncedAt'
  | 'connectedAt'
  | 'updatedAt'
>;

import { OptionalProps, Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { LoginProvider } from '../domain/social-account';

/**
 * A pending OAuth dialog. Only the SHA-256 of the state is stored, so a database read does not
 * yield usable states; it is consumed once, atomically (see OAuthStateService.consume).
 */
@Entity({ tableName: 'oauth_state' })
// OAUTH_MAX_PENDING_STATES: a member's pending states, newest first.
@Index({ name: 'oauth_state_member_idx', properties: ['memberId', 'createdAt'] })
export class OAuthState {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'text', unique: 'oauth_state_hash_unique' })
  stateHash!: string;

  @Property({ type: 'text' })
  memberId!: string;

  @Enum({ items: () => LoginProvider })
  provider!: LoginProvider;

  @Property({ type: 'text' })
  redirectUri!: string;

  @Property({ type: 'timestamptz', index: 'oauth_state_expires_idx' })
  expiresAt!: Date;

  @Property({ type: 'timestamptz', nullable: true })
  usedAt?: Date | null;

  /** The connect currently exchanging this state's code (see OAuthStateService.claim). */
  @Property({ type: 'text', nullable: true })
  claimId?: string | null;

  /** Until when that claim holds; after it, a retry may take the state again. */
  @Property({ type: 'timestamptz', nullable: true })
  claimedUntil?: Date | null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}

import { OptionalProps, Entity, Enum, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { LoginProvider } from '../domain/social-account';

/**
 * One Meta user's authorization of our app for one member: the user token (Facebook flow) or the
 * Instagram user token (Instagram flow). The accounts it linked point here, so revoking,
 * refreshing or a deauthorize callback acts once for all of them.
 */
@Entity({ tableName: 'meta_grant' })
@Unique({ properties: ['memberId', 'provider', 'metaUserId'] })
export class MetaGrant {
  [OptionalProps]?: 'scopes' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'text' })
  memberId!: string;

  @Enum({ items: () => LoginProvider })
  provider!: LoginProvider;

  /** Facebook user id (app-scoped) or Instagram professional account user_id. */
  @Index()
  @Property({ type: 'text' })
  metaUserId!: string;

  /**
   * Instagram flow: the app-scoped id Business Login's /me answers in `id` (metaUserId is its
   * `user_id`). A deauthorize or data deletion callback may carry either, so both match. Null for
   * Facebook grants and for Instagram grants linked before it was stored (until they reconnect).
   */
  @Index()
  @Property({ type: 'text', nullable: true })
  appScopedUserId?: string | null;

  /** AES-256-GCM envelope; null once revoked or deleted. */
  @Property({ type: 'text', nullable: true, lazy: true })
  tokenEncrypted?: string | null;

  /** When the long-lived token was issued (Instagram refresh needs it to be ≥ 24 h old). */
  @Property({ type: 'timestamptz', nullable: true })
  tokenIssuedAt?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  tokenExpiresAt?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  dataAccessExpiresAt?: Date | null;

  @Property({ type: 'text[]' })
  scopes: string[] = [];

  /** Last validity check (debug_token) or refresh by the lifecycle worker. */
  @Property({ type: 'timestamptz', nullable: true })
  lastCheckedAt?: Date | null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}

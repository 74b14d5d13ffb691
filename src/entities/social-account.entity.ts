import { OptionalProps, BigIntType, Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { SafeIntResolver } from 'graphql-scalars';
import { InstagramAccountType, LoginProvider, PriceTier, SocialConnectionStatus, SocialPlatform } from '../domain/social-account';
import { MetaGrant } from './meta-grant.entity';

/**
 * A linked Instagram professional account. Both a table row and the GraphQL `SocialAccount`
 * type: only members decorated with @Field are visible to clients; tokens, the member id and
 * the worker's bookkeeping never are.
 */
@ObjectType('SocialAccount', { description: 'An Instagram professional account linked by the calling member.' })
@Entity({ tableName: 'social_account' })
@Unique({ name: 'social_account_member_platform_user_unique', properties: ['memberId', 'platform', 'platformUserId'] })
@Index({
  name: 'social_account_member_list_idx',
  expression: 'create index "social_account_member_list_idx" on "social_account" ("member_id", "connection_status", "connected_at" desc)',
})
export class SocialAccount {
  [OptionalProps]?:
    | 'platform'
    | 'followersCount'
    | 'followingCount'
    | 'mediaCount'
    | 'connectionStatus'
    | 'priceTier'
    | 'price'
    | 'currency'
    | 'connectedAt'
    | 'updatedAt'
    | 'createdAt'
    | 'failureCount'
    | 'version';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** The platform member (JWT `sub`) who linked it. */
  @Property({ type: 'text' })
  memberId!: string;

  @Field(() => SocialPlatform)
  @Enum({ items: () => SocialPlatform })
  platform: SocialPlatform = SocialPlatform.INSTAGRAM;

  @Field(() => LoginProvider)
  @Enum({ items: () => LoginProvider })
  provider!: LoginProvider;

  @Field({ description: 'Instagram professional account id, kept as a string (ids exceed 2^53).' })
  @Property({ type: 'text' })
  platformUserId!: string;

  @Field()
  @Property({ type: 'text' })
  username!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  profilePictureUrl?: string | null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  biography?: string | null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  website?: string | null;

  @Field(() => Int)
  @Property({ type: 'integer' })
  followersCount: number = 0;

  @Field(() => Int)
  @Property({ type: 'integer' })
  followingCount: number = 0;

  @Field(() => Int)
  @Property({ type: 'integer' })
  mediaCount: number = 0;

  @Field(() => InstagramAccountType, { nullable: true })
  @Enum({ items: () => InstagramAccountType, nullable: true })
  accountType?: InstagramAccountType | null;

  /** Written only by AccountStatusService.transition, which also announces the change. */
  @Field(() => SocialConnectionStatus)
  @Enum({ items: () => SocialConnectionStatus })
  connectionStatus: SocialConnectionStatus = SocialConnectionStatus.CONNECTED;

  @Field(() => String, { nullable: true, description: 'Why the account is not CONNECTED, or a warning about an upcoming expiry.' })
  @Property({ type: 'text', nullable: true })
  statusReason?: string | null;

  @Field(() => PriceTier)
  @Enum({ items: () => PriceTier })
  priceTier: PriceTier = PriceTier.N;

  @Field(() => SafeIntResolver, { description: 'Price in minor currency units.' })
  @Property({ type: new BigIntType('number') })
  price: number = 0;

  @Field()
  @Property({ type: 'text' })
  currency: string = 'USD';

  @ManyToOne(() => MetaGrant, { ref: true, nullable: true, deleteRule: 'set null', index: 'social_account_grant_idx' })
  grant?: Ref<MetaGrant> | null;

  /** The Page token (Facebook flow) as an AES-256-GCM envelope; the Instagram flow uses the grant's token. */
  @Property({ type: 'text', nullable: true, lazy: true })
  tokenEncrypted?: string | null;

  @Field(() => Date, { nullable: true, description: 'When the token this account depends on expires, if it does.' })
  @Property({ type: 'timestamptz', nullable: true })
  tokenExpiresAt?: Date | null;

  @Field(() => Date, {
    nullable: true,
    description: 'The member must reconnect before this time to keep the account working (token or data access expiry).',
  })
  @Property({ type: 'timestamptz', nullable: true })
  needsReconnectBy?: Date | null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  lastSyncedAt?: Date | null;

  @Field(() => Date)
  @Property({ type: 'timestamptz' })
  connectedAt: Date = new Date();

  /**
   * When anything the account shows or holds last changed (status, reason, profile, figures,
   * price, tokens, deadlines); worker bookkeeping (due times, leases, counters) leaves it alone.
   * Written by our code with the service clock (AccountStatusService, AccountService.applyProfile
   * and every raw UPDATE in repositories/), not by an onUpdate hook: the hook would run at flush,
   * after the status webhook body was already written with the old value.
   */
  @Field(() => Date)
  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  // --- worker bookkeeping (never exposed) ---------------------------------------------------

  /** When the lifecycle worker should look at this account next (refresh, check, sync). */
  @Index({ name: 'social_account_next_check_idx' })
  @Property({ type: 'timestamptz', nullable: true })
  nextCheckAt?: Date | null;

  /** A worker's claim: until then no other worker takes the account. */
  @Property({ type: 'timestamptz', nullable: true })
  leaseUntil?: Date | null;

  @Property({ type: 'text', nullable: true })
  leaseOwner?: string | null;

  /** Consecutive non-auth failures, for backoff; reset by a success. */
  @Property({ type: 'integer' })
  failureCount: number = 0;

  @Property({ type: 'timestamptz', nullable: true })
  firstFailureAt?: Date | null;

  @Property({ type: 'text', nullable: true })
  lastFailureReason?: string | null;

  /** Facebook flow: the Page the account is reached through, named in a lost-Page reason. */
  @Property({ type: 'text', nullable: true })
  pageId?: string | null;

  @Property({ type: 'text', nullable: true })
  pageName?: string | null;

  /** EXPIRED for a user-fixable cause (459/464): the worker re-checks the token until then. */
  @Property({ type: 'timestamptz', nullable: true })
  recheckUntil?: Date | null;

  @Property({ type: 'integer', version: true })
  version: number = 1;
}

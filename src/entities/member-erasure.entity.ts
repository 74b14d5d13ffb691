import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/**
 * What is left of a member erasure (services/privacy): a SHA-256 of the member id (to answer
 * "was member X erased?", not to read X back), when, and how many rows of each kind went.
 */
@Entity({ tableName: 'member_erasure' })
@Index({ name: 'member_erasure_member_idx', properties: ['memberHash'] })
export class MemberErasure {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'text' })
  memberHash!: string;

  @Property({ type: 'timestamptz' })
  erasedAt!: Date;

  @Property({ type: 'integer', default: 0 })
  accountsDeleted: number = 0;

  @Property({ type: 'integer', default: 0 })
  grantsDeleted: number = 0;

  @Property({ type: 'integer', default: 0 })
  grantsRevoked: number = 0;

  @Property({ type: 'integer', default: 0 })
  eventsDeleted: number = 0;

  @Property({ type: 'integer', default: 0 })
  webhookEventsDeleted: number = 0;

  /** OAuth states, rate-limit windows and pauses, the event sequence row, webhook deliveries. */
  @Property({ type: 'integer', default: 0 })
  otherRowsDeleted: number = 0;
}

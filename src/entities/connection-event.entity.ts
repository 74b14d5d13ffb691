import { BigIntType, OptionalProps, Entity, Enum, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { SocialConnectionStatus } from '../domain/social-account';

/**
 * The history of status transitions: one row per change, written in the same transaction as the
 * status itself. Subscribers are told the row's id over NOTIFY and read it back, so payloads stay
 * tiny and a rolled-back change leaves neither a row nor an announcement.
 *
 * `position` orders a member's events in commit order (member_event_seq, see
 * AccountStatusService); cursors and catch-up read by it, never by id or time.
 */
@Entity({ tableName: 'connection_event' })
@Index({ name: 'connection_event_account_idx', properties: ['accountId', 'changedAt'] })
@Index({ name: 'connection_event_account_position_idx', properties: ['accountId', 'position'] })
@Index({ name: 'connection_event_changed_at_idx', properties: ['changedAt'] })
@Unique({ name: 'connection_event_member_position_unique', properties: ['memberId', 'position'] })
export class ConnectionEvent {
  [OptionalProps]?: 'changedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  accountId!: string;

  @Property({ type: 'text' })
  memberId!: string;

  /** The member's sequence number of this event: dense, in commit order. */
  @Property({ type: new BigIntType('number') })
  position!: number;

  @Enum({ items: () => SocialConnectionStatus, nullable: true })
  previousStatus?: SocialConnectionStatus | null;

  @Enum({ items: () => SocialConnectionStatus })
  status!: SocialConnectionStatus;

  @Property({ type: 'text', nullable: true })
  reason?: string | null;

  @Property({ type: 'timestamptz' })
  changedAt: Date = new Date();
}

import { OptionalProps, Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { SocialConnectionStatus } from '../schema/enums';

/**
 * The history of status transitions: one row per change, written in the same transaction as the
 * status itself. Subscribers are told the row's id over NOTIFY and read it back, so payloads stay
 * tiny and a rolled-back change leaves neither a row nor an announcement.
 */
@Entity({ tableName: 'connection_event' })
@Index({ name: 'connection_event_account_idx', properties: ['accountId', 'changedAt'] })
export class ConnectionEvent {
  [OptionalProps]?: 'changedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  accountId!: string;

  @Property({ type: 'text' })
  memberId!: string;

  @Enum({ items: () => SocialConnectionStatus, nullable: true })
  previousStatus?: SocialConnectionStatus | null;

  @Enum({ items: () => SocialConnectionStatus })
  status!: SocialConnectionStatus;

  @Property({ type: 'text', nullable: true })
  reason?: string | null;

  @Property({ type: 'timestamptz' })
  changedAt: Date = new Date();
}

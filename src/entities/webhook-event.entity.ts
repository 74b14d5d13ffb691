import { OptionalProps, BigIntType, Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * One status webhook event, written in the transaction of the change it reports (see
 * WebhookOutbox). `id` is the `webhook-id` receivers dedupe by, so every retry and redelivery of
 * it carries the same id. `body` is the exact JSON sent, fixed at enqueue time, so retries sign and
 * send the same bytes even after the account changed again or was deleted.
 */
@Entity({ tableName: 'webhook_event' })
@Index({ name: 'webhook_event_created_idx', properties: ['createdAt'] })
export class WebhookEvent {
  [OptionalProps]?: 'seq' | 'connectionEventId' | 'windowKey';

  @PrimaryKey({ type: 'text' })
  id!: string;

  /** Commit order per account: deliveries of one account go out by ascending seq (nextval of webhook_event_seq_seq). */
  @Property({ type: new BigIntType('string'), unique: 'webhook_event_seq_unique' })
  seq!: string;

  @Property({ type: 'text' })
  type!: string;

  @Property({ type: 'uuid' })
  accountId!: string;

  @Property({ type: 'text' })
  memberId!: string;

  /** The connection_event this reports; null for account.reconnect_needed. */
  @Property({ type: 'uuid', nullable: true })
  connectionEventId?: string | null;

  /** account.reconnect_needed only: `<accountId>:<deadline ms>`, unique, so one notice per window. */
  @Property({ type: 'text', nullable: true, unique: 'webhook_event_window_unique' })
  windowKey?: string | null;

  @Property({ type: 'text' })
  body!: string;

  @Property({ type: 'timestamptz' })
  occurredAt!: Date;

  @Property({ type: 'timestamptz' })
  createdAt!: Date;
}

import { OptionalProps, BigIntType, Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';

export enum WebhookDeliveryStatus {
  PENDING = 'PENDING',
  DELIVERED = 'DELIVERED',
  /** Refused (4xx other than 408/429) or still failing at the retry horizon; redeliver to try again. */
  FAILED = 'FAILED',
}

/**
 * One event to one endpoint. Workers claim due rows with FOR UPDATE SKIP LOCKED and a lease, and
 * only the oldest PENDING row of an (endpoint, account) pair is ever due, which keeps the
 * per-account order per endpoint. A redelivery is a new row for the same event.
 */
@Entity({ tableName: 'webhook_delivery' })
@Index({
  name: 'webhook_delivery_pending_idx',
  expression: `create index "webhook_delivery_pending_idx" on "webhook_delivery" ("endpoint", "account_id", "event_seq") where "status" = 'PENDING'`,
})
@Index({
  name: 'webhook_delivery_due_idx',
  expression: `create index "webhook_delivery_due_idx" on "webhook_delivery" ("next_attempt_at") where "status" = 'PENDING'`,
})
@Index({ name: 'webhook_delivery_event_idx', properties: ['eventId'] })
export class WebhookDelivery {
  [OptionalProps]?: 'id' | 'status' | 'attempts' | 'leaseUntil' | 'lastAttemptAt' | 'lastStatusCode' | 'lastError' | 'deliveredAt';

  @PrimaryKey({ type: new BigIntType('string'), autoincrement: true })
  id!: string;

  @Property({ type: 'text' })
  eventId!: string;

  /** The event's seq, copied so the order check needs no join. */
  @Property({ type: new BigIntType('string') })
  eventSeq!: string;

  @Property({ type: 'uuid' })
  accountId!: string;

  @Property({ type: 'text' })
  endpoint!: string;

  @Enum({ items: () => WebhookDeliveryStatus })
  status: WebhookDeliveryStatus = WebhookDeliveryStatus.PENDING;

  @Property({ type: 'integer' })
  attempts: number = 0;

  @Property({ type: 'timestamptz' })
  nextAttemptAt!: Date;

  /** Retries stop after this (event time + WEBHOOK_RETRY_HORIZON_HOURS, or the redelivery's). */
  @Property({ type: 'timestamptz' })
  giveUpAt!: Date;

  /** A worker's claim while the request is in flight; a crashed worker's claim lapses. */
  @Property({ type: 'timestamptz', nullable: true })
  leaseUntil?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  lastAttemptAt?: Date | null;

  @Property({ type: 'integer', nullable: true })
  lastStatusCode?: number | null;

  @Property({ type: 'text', nullable: true })
  lastError?: string | null;

  @Property({ type: 'timestamptz', nullable: true })
  deliveredAt?: Date | null;

  @Property({ type: 'timestamptz' })
  createdAt!: Date;
}

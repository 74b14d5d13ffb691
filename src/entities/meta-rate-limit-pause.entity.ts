import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * A rate-limit pause Meta imposed on one scope (see services/meta/rate-limit-gate.ts), shared by
 * every API and worker process. `scope` is `<kind>:<id>` with Meta's id or a token fingerprint,
 * never a token. Written and read with SQL by the gate; the entity documents the table.
 */
@Entity({ tableName: 'meta_rate_limit_pause' })
@Index({ name: 'meta_rate_limit_pause_until_idx', properties: ['pausedUntil'] })
export class MetaRateLimitPause {
  @PrimaryKey({ type: 'text' })
  scope!: string;

  /** app, user, page, instagram_account or object. */
  @Property({ type: 'text' })
  kind!: string;

  @Property({ type: 'timestamptz' })
  pausedUntil!: Date;

  /** What Meta said: "code 80002", "X-App-Usage 95%", "HTTP 429". */
  @Property({ type: 'text', nullable: true })
  reason?: string | null;

  @Property({ type: 'timestamptz' })
  updatedAt!: Date;
}

import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * One row per member and budget window, written by rate-limiter-flexible's RateLimiterPostgres
 * (src/services/limits/member-rate-limits.ts), never through the ORM. Mapped here so the schema
 * is the migrations' and MikroORM's schema diff knows the table. Columns are the library's.
 */
@Entity({ tableName: 'member_rate_limit' })
export class MemberRateLimit {
  /** `<budget>:<member id>`. */
  @PrimaryKey({ type: 'string', length: 255 })
  key!: string;

  @Property({ type: 'integer', default: 0 })
  points!: number;

  /** Epoch milliseconds when the window ends; expired rows are deleted by housekeeping. */
  @Property({ type: 'bigint', nullable: true, index: 'member_rate_limit_expire_idx' })
  expire?: string | null;
}

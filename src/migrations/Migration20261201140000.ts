import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 15. `member_rate_limit`: rate-limiter-flexible's RateLimiterPostgres table (its own
 * columns: key, points, expire in epoch ms), created here because the limiter is told
 * `tableCreated: true` and never runs DDL at request time. An index on `expire` for the
 * housekeeping deletes, and one on a member's OAuth states for OAUTH_MAX_PENDING_STATES.
 */
export class Migration20261201140000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "member_rate_limit" ("key" varchar(255) not null, "points" integer not null default 0, "expire" bigint null, constraint "member_rate_limit_pkey" primary key ("key"));`,
    );
    this.addSql(`create index "member_rate_limit_expire_idx" on "member_rate_limit" ("expire");`);
    this.addSql(`create index "oauth_state_member_idx" on "oauth_state" ("member_id", "created_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "oauth_state_member_idx";`);
    this.addSql(`drop table if exists "member_rate_limit" cascade;`);
  }
}

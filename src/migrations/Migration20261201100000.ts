import { Migration } from '@mikro-orm/migrations';

/** Rate-limit pauses shared by every process, and OAuth states held during a connect (issue 13, items 2 and 3). */
export class Migration20261201100000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "meta_rate_limit_pause" ("scope" text not null, "kind" text not null, "paused_until" timestamptz not null, "reason" text null, "updated_at" timestamptz not null, constraint "meta_rate_limit_pause_pkey" primary key ("scope"));`,
    );
    this.addSql(`create index "meta_rate_limit_pause_until_idx" on "meta_rate_limit_pause" ("paused_until");`);
    this.addSql(`alter table "oauth_state" add column "claim_id" text null, add column "claimed_until" timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "meta_rate_limit_pause" cascade;`);
    this.addSql(`alter table "oauth_state" drop column if exists "claim_id", drop column if exists "claimed_until";`);
  }
}

import { Migration } from '@mikro-orm/migrations';

/** Rate-limit pauses shared by every process (issue 13, item 2). */
export class Migration20261201100000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "meta_rate_limit_pause" ("scope" text not null, "kind" text not null, "paused_until" timestamptz not null, "reason" text null, "updated_at" timestamptz not null, constraint "meta_rate_limit_pause_pkey" primary key ("scope"));`);
    this.addSql(`create index "meta_rate_limit_pause_until_idx" on "meta_rate_limit_pause" ("paused_until");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "meta_rate_limit_pause" cascade;`);
  }

}

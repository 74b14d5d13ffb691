import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 24. `member_erasure`: the audit record of a member erasure (`npm run members -- erase`):
 * a SHA-256 of the member id, when, and what went; nothing else about the member.
 */
export class Migration20261204100000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "member_erasure" ("id" uuid not null, "member_hash" text not null, "erased_at" timestamptz not null, "accounts_deleted" int not null default 0, "grants_deleted" int not null default 0, "grants_revoked" int not null default 0, "events_deleted" int not null default 0, "webhook_events_deleted" int not null default 0, "other_rows_deleted" int not null default 0, constraint "member_erasure_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "member_erasure_member_idx" on "member_erasure" ("member_hash");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "member_erasure" cascade;`);
  }
}

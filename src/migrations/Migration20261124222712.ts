import { Migration } from '@mikro-orm/migrations';

export class Migration20261124222712 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "meta_data_deletion" ("id" uuid not null, "confirmation_code" text not null, "provider" text check ("provider" in ('FACEBOOK', 'INSTAGRAM')) not null, "meta_user_hash" text not null, "status" text check ("status" in ('RECEIVED', 'COMPLETED')) not null default 'RECEIVED', "received_at" timestamptz not null, "delete_after" timestamptz not null, "completed_at" timestamptz null, "pending_account_ids" text[] not null, "pending_grant_ids" text[] not null, "accounts_deleted" int not null default 0, "grants_deleted" int not null default 0, "oauth_states_deleted" int not null default 0, "events_deleted" int not null default 0, constraint "meta_data_deletion_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "meta_data_deletion" add constraint "meta_data_deletion_code_unique" unique ("confirmation_code");`);
    this.addSql(`create index "meta_data_deletion_due_idx" on "meta_data_deletion" ("status", "delete_after");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "meta_data_deletion" cascade;`);
  }
}

import { Migration } from '@mikro-orm/migrations';

/**
 * Connect links (docs/platform-backend.md): the platform's backend creates one for a member; only
 * the SHA-256 of its token is stored. `state_hash` is the OAuth state of the dialog the link last
 * started, which is how our redirect finds the link again. And the cross-member read's order
 * (updated_at, id), so its pages are index scans however many accounts there are.
 */
export class Migration20261204110000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "connect_link" ("id" uuid not null, "token_hash" text not null, "member_id" text not null, "provider" text null, "account_id" uuid null, "return_url" text not null, "created_by" text not null, "created_at" timestamptz not null, "expires_at" timestamptz not null, "revoked_at" timestamptz null, "completed_at" timestamptz null, "state_hash" text null, constraint "connect_link_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "connect_link" add constraint "connect_link_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "connect_link_state_idx" on "connect_link" ("state_hash") where "state_hash" is not null;`);
    this.addSql(`create index "connect_link_expires_idx" on "connect_link" ("expires_at");`);
    this.addSql(`create index "social_account_updated_idx" on "social_account" ("updated_at", "id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "social_account_updated_idx";`);
    this.addSql(`drop table if exists "connect_link" cascade;`);
  }
}

import { Migration } from '@mikro-orm/migrations';

export class Migration20261124210557 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "connection_event" ("id" uuid not null, "account_id" uuid not null, "member_id" text not null, "previous_status" text check ("previous_status" in ('CONNECTED', 'DISCONNECTED', 'EXPIRED', 'ERROR')) null, "status" text check ("status" in ('CONNECTED', 'DISCONNECTED', 'EXPIRED', 'ERROR')) not null, "reason" text null, "changed_at" timestamptz not null, constraint "connection_event_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "connection_event_account_idx" on "connection_event" ("account_id", "changed_at");`);

    this.addSql(
      `create table "meta_grant" ("id" uuid not null, "member_id" text not null, "provider" text check ("provider" in ('FACEBOOK', 'INSTAGRAM')) not null, "meta_user_id" text not null, "token_encrypted" text null, "token_issued_at" timestamptz null, "token_expires_at" timestamptz null, "data_access_expires_at" timestamptz null, "scopes" text[] not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "meta_grant_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "meta_grant_meta_user_id_index" on "meta_grant" ("meta_user_id");`);
    this.addSql(
      `alter table "meta_grant" add constraint "meta_grant_member_id_provider_meta_user_id_unique" unique ("member_id", "provider", "meta_user_id");`,
    );

    this.addSql(
      `create table "oauth_state" ("id" uuid not null, "state_hash" text not null, "member_id" text not null, "provider" text check ("provider" in ('FACEBOOK', 'INSTAGRAM')) not null, "redirect_uri" text not null, "expires_at" timestamptz not null, "used_at" timestamptz null, "created_at" timestamptz not null, constraint "oauth_state_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "oauth_state" add constraint "oauth_state_hash_unique" unique ("state_hash");`);
    this.addSql(`create index "oauth_state_expires_idx" on "oauth_state" ("expires_at");`);

    this.addSql(
      `create table "social_account" ("id" uuid not null, "member_id" text not null, "platform" text check ("platform" in ('INSTAGRAM')) not null default 'INSTAGRAM', "provider" text check ("provider" in ('FACEBOOK', 'INSTAGRAM')) not null, "platform_user_id" text not null, "username" text not null, "name" text null, "profile_picture_url" text null, "biography" text null, "website" text null, "followers_count" int not null default 0, "following_count" int not null default 0, "media_count" int not null default 0, "account_type" text check ("account_type" in ('BUSINESS', 'CREATOR')) null, "connection_status" text check ("connection_status" in ('CONNECTED', 'DISCONNECTED', 'EXPIRED', 'ERROR')) not null default 'CONNECTED', "status_reason" text null, "price_tier" text check ("price_tier" in ('S', 'A', 'B', 'C', 'N')) not null default 'N', "price" bigint not null default 0, "currency" text not null default 'USD', "grant_id" uuid null, "token_encrypted" text null, "token_expires_at" timestamptz null, "needs_reconnect_by" timestamptz null, "last_synced_at" timestamptz null, "connected_at" timestamptz not null, "updated_at" timestamptz not null, "created_at" timestamptz not null, "next_check_at" timestamptz null, "lease_until" timestamptz null, "lease_owner" text null, "failure_count" int not null default 0, "first_failure_at" timestamptz null, "last_failure_reason" text null, "version" int not null default 1, constraint "social_account_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "social_account_grant_idx" on "social_account" ("grant_id");`);
    this.addSql(`create index "social_account_next_check_idx" on "social_account" ("next_check_at");`);
    this.addSql(`create index "social_account_member_list_idx" on "social_account" ("member_id", "connection_status", "connected_at" desc);`);
    this.addSql(
      `alter table "social_account" add constraint "social_account_member_platform_user_unique" unique ("member_id", "platform", "platform_user_id");`,
    );

    this.addSql(
      `alter table "social_account" add constraint "social_account_grant_id_foreign" foreign key ("grant_id") references "meta_grant" ("id") on update cascade on delete set null;`,
    );
  }
}

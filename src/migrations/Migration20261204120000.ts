import { Migration } from '@mikro-orm/migrations';

/**
 * Creator metrics (docs/creator-metrics.md): the latest figures per account (engagement from
 * recent media, insights and audience when granted) with the metrics refresh's own schedule, and
 * one snapshot per account and day for growth history. Both go with their account.
 */
export class Migration20261204120000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "account_metrics" ("account_id" uuid not null, "computed_at" timestamptz null, "posts_considered" int not null default 0, "window_days" int not null default 0, "avg_likes" double precision null, "avg_comments" double precision null, "avg_views" double precision null, "engagement_rate" double precision null, "posts_per_week" double precision null, "media_mix" jsonb null, "likes_hidden_posts" int not null default 0, "avg_reach" double precision null, "avg_saves" double precision null, "avg_shares" double precision null, "insights_days" int null, "reach_total" bigint null, "views_total" bigint null, "insights_as_of" timestamptz null, "audience" jsonb null, "audience_as_of" timestamptz null, "next_refresh_at" timestamptz not null, "lease_until" timestamptz null, "lease_owner" text null, "failure_count" int not null default 0, "last_error" text null, constraint "account_metrics_pkey" primary key ("account_id"), constraint "account_metrics_account_fk" foreign key ("account_id") references "social_account" ("id") on delete cascade);`,
    );
    this.addSql(`create index "account_metrics_due_idx" on "account_metrics" ("next_refresh_at");`);
    this.addSql(
      `create table "account_metrics_day" ("account_id" uuid not null, "day" date not null, "followers" int not null, "following" int not null, "media_count" int not null, "engagement_rate" double precision null, "recorded_at" timestamptz not null, constraint "account_metrics_day_pkey" primary key ("account_id", "day"), constraint "account_metrics_day_account_fk" foreign key ("account_id") references "social_account" ("id") on delete cascade);`,
    );
    this.addSql(`create index "account_metrics_day_day_idx" on "account_metrics_day" ("day");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "account_metrics_day" cascade;`);
    this.addSql(`drop table if exists "account_metrics" cascade;`);
  }
}

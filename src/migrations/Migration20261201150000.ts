import { Migration } from '@mikro-orm/migrations';

/** Status webhooks: the outbox (events) and one delivery row per event and endpoint. */
export class Migration20261201150000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create sequence "webhook_event_seq_seq";`);
    this.addSql(
      `create table "webhook_event" ("id" text not null, "seq" bigint not null, "type" text not null, "account_id" uuid not null, "member_id" text not null, "connection_event_id" uuid null, "window_key" text null, "body" text not null, "occurred_at" timestamptz not null, "created_at" timestamptz not null, constraint "webhook_event_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "webhook_event" add constraint "webhook_event_seq_unique" unique ("seq");`);
    this.addSql(`alter table "webhook_event" add constraint "webhook_event_window_unique" unique ("window_key");`);
    this.addSql(`create index "webhook_event_created_idx" on "webhook_event" ("created_at");`);

    this.addSql(
      `create table "webhook_delivery" ("id" bigserial not null, "event_id" text not null, "event_seq" bigint not null, "account_id" uuid not null, "endpoint" text not null, "status" text check ("status" in ('PENDING', 'DELIVERED', 'FAILED')) not null default 'PENDING', "attempts" int not null default 0, "next_attempt_at" timestamptz not null, "give_up_at" timestamptz not null, "lease_until" timestamptz null, "last_attempt_at" timestamptz null, "last_status_code" int null, "last_error" text null, "delivered_at" timestamptz null, "created_at" timestamptz not null, constraint "webhook_delivery_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "webhook_delivery_event_idx" on "webhook_delivery" ("event_id");`);
    this.addSql(`create index "webhook_delivery_pending_idx" on "webhook_delivery" ("endpoint", "account_id", "event_seq") where "status" = 'PENDING';`);
    this.addSql(`create index "webhook_delivery_due_idx" on "webhook_delivery" ("next_attempt_at") where "status" = 'PENDING';`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "webhook_delivery" cascade;`);
    this.addSql(`drop table if exists "webhook_event" cascade;`);
    this.addSql(`drop sequence if exists "webhook_event_seq_seq";`);
  }
}

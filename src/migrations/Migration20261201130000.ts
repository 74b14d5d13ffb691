import { Migration } from '@mikro-orm/migrations';

/**
 * Status events get a per-member position in commit order (cursors, replay, listener catch-up),
 * kept by member_event_seq. Existing events are numbered by time, the best order they have.
 */
export class Migration20261201130000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "member_event_seq" ("member_id" text not null, "last" bigint not null, "pruned_through" bigint not null default 0, constraint "member_event_seq_pkey" primary key ("member_id"));`,
    );
    this.addSql(`alter table "connection_event" add column "position" bigint null;`);
    this.addSql(
      `update "connection_event" e set "position" = r.n from (select id, row_number() over (partition by member_id order by changed_at, id) as n from "connection_event") r where r.id = e.id;`,
    );
    this.addSql(`alter table "connection_event" alter column "position" set not null;`);
    this.addSql(`insert into "member_event_seq" ("member_id", "last") select member_id, max("position") from "connection_event" group by member_id;`);
    this.addSql(`alter table "connection_event" add constraint "connection_event_member_position_unique" unique ("member_id", "position");`);
    this.addSql(`create index "connection_event_account_position_idx" on "connection_event" ("account_id", "position");`);
    this.addSql(`create index "connection_event_changed_at_idx" on "connection_event" ("changed_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "connection_event_changed_at_idx";`);
    this.addSql(`drop index if exists "connection_event_account_position_idx";`);
    this.addSql(`alter table "connection_event" drop constraint if exists "connection_event_member_position_unique";`);
    this.addSql(`alter table "connection_event" drop column if exists "position";`);
    this.addSql(`drop table if exists "member_event_seq" cascade;`);
  }
}

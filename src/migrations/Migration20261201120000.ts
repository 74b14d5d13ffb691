import { Migration } from '@mikro-orm/migrations';

/**
 * Business Login's /me answers two ids for one Instagram user: `user_id` (the professional
 * account, already stored as meta_grant.meta_user_id) and `id` (app-scoped). Which one Meta puts
 * in a deauthorize or data deletion signed_request is not documented, so both are kept. Rows
 * written before this migration have no app-scoped id and cannot be backfilled from here (only a
 * call with the user's token answers it): they get it on their next connect, and until then only
 * the professional id matches them. A data deletion that matches nothing is now recorded as such.
 */
export class Migration20261201120000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "meta_grant" add column "app_scoped_user_id" text null;`);
    this.addSql(`create index "meta_grant_app_scoped_user_id_index" on "meta_grant" ("app_scoped_user_id");`);
    this.addSql(`alter table "meta_data_deletion" drop constraint if exists "meta_data_deletion_status_check";`);
    this.addSql(
      `alter table "meta_data_deletion" add constraint "meta_data_deletion_status_check" check ("status" in ('RECEIVED', 'COMPLETED', 'NO_DATA_FOUND'));`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "meta_grant_app_scoped_user_id_index";`);
    this.addSql(`alter table "meta_grant" drop column if exists "app_scoped_user_id";`);
    this.addSql(`alter table "meta_data_deletion" drop constraint if exists "meta_data_deletion_status_check";`);
    this.addSql(`update "meta_data_deletion" set "status" = 'COMPLETED' where "status" = 'NO_DATA_FOUND';`);
    this.addSql(`alter table "meta_data_deletion" add constraint "meta_data_deletion_status_check" check ("status" in ('RECEIVED', 'COMPLETED'));`);
  }
}

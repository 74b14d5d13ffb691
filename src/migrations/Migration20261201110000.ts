import { Migration } from '@mikro-orm/migrations';

/**
 * The Facebook Page an account is reached through (so a lost Page can be named to the member),
 * and how long an account EXPIRED for a user-fixable cause (checkpoint, unconfirmed user) is
 * re-checked by the worker.
 */
export class Migration20261201110000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "social_account" add column "page_id" text null, add column "page_name" text null, add column "recheck_until" timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "social_account" drop column "page_id", drop column "page_name", drop column "recheck_until";`);
  }
}

import { Migration } from '@mikro-orm/migrations';

export class Migration20261124211853 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "meta_grant" add column "last_checked_at" timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "meta_grant" drop column "last_checked_at";`);
  }
}

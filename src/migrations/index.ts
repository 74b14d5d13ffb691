import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261124210557 } from './Migration20261124210557';
import { Migration20261124211853 } from './Migration20261124211853';
import { Migration20261124222712 } from './Migration20261124222712';
import { Migration20261201100000 } from './Migration20261201100000';
import { Migration20261201110000 } from './Migration20261201110000';
import { Migration20261201120000 } from './Migration20261201120000';
import { Migration20261201130000 } from './Migration20261201130000';
import { Migration20261201140000 } from './Migration20261201140000';
import { Migration20261201150000 } from './Migration20261201150000';
import { Migration20261204100000 } from './Migration20261204100000';

/** Every committed migration, in order. Applied at startup (bootstrap runs migrator.up()). */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261124210557', class: Migration20261124210557 },
  { name: 'Migration20261124211853', class: Migration20261124211853 },
  { name: 'Migration20261124222712', class: Migration20261124222712 },
  { name: 'Migration20261201100000', class: Migration20261201100000 },
  { name: 'Migration20261201110000', class: Migration20261201110000 },
  { name: 'Migration20261201120000', class: Migration20261201120000 },
  { name: 'Migration20261201130000', class: Migration20261201130000 },
  { name: 'Migration20261201140000', class: Migration20261201140000 },
  { name: 'Migration20261201150000', class: Migration20261201150000 },
  { name: 'Migration20261204100000', class: Migration20261204100000 },
];

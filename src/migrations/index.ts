import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261124210557 } from './Migration20261124210557';

/** Every committed migration, in order. Applied at startup (see database/database.ts). */
export const MIGRATIONS: MigrationObject[] = [{ name: 'Migration20261124210557', class: Migration20261124210557 }];

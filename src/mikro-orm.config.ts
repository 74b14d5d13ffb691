// Used by the MikroORM CLI (`npm run migration:create`) after `npm run build`.
import 'reflect-metadata';
import { loadConfig } from './config';
import { ormOptions } from './database/orm-options';

const options = ormOptions(loadConfig(process.env).databaseUrl ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
export default { ...options, migrations: { ...options.migrations, snapshot: true, snapshotName: '.snapshot' } };

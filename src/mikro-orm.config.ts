// Used by the MikroORM CLI (`npm run migration:create`) after `npm run build`.
import 'reflect-metadata';
import { ormOptions } from './database/orm-options';

export default ormOptions(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');

// npm run docs:config: rewrites the README's configuration tables from src/config/variables.ts
// (test/unit/config-docs.test.ts fails when the committed README differs).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { withConfigTables } from '../config/docs';

const readme = path.resolve(__dirname, '..', '..', 'README.md');
writeFileSync(readme, withConfigTables(readFileSync(readme, 'utf8')));
console.log(`wrote ${readme}`);

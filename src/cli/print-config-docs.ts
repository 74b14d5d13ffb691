// npm run docs:config: rewrites the configuration tables of docs/configuration.md from
// src/config/variables.ts (test/unit/config-docs.test.ts fails when the committed page differs).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CONFIGURATION_GUIDE, withConfigTables } from '../config/docs';

const guide = path.resolve(__dirname, '..', '..', CONFIGURATION_GUIDE);
writeFileSync(guide, withConfigTables(readFileSync(guide, 'utf8')));
console.log(`wrote ${guide}`);

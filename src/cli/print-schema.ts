// npm run schema: rewrites schema.graphql from the code (a test fails when the committed file is stale).
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { printSortedSchema } from '../graphql/schema';

const target = path.resolve(__dirname, '..', '..', 'schema.graphql');
writeFileSync(target, printSortedSchema());
console.log(`wrote ${target}`);

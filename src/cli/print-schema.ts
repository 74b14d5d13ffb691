// npm run schema: rewrites schema.graphql and rest-openapi.json from the code (a test fails when a committed file is stale).
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { printSortedSchema } from '../graphql/schema';
import { REST_OPENAPI } from '../http/rest/openapi';

const target = path.resolve(__dirname, '..', '..', 'schema.graphql');
writeFileSync(target, printSortedSchema());
console.log(`wrote ${target}`);

const openapi = path.resolve(__dirname, '..', '..', 'rest-openapi.json');
writeFileSync(openapi, `${JSON.stringify(REST_OPENAPI, null, 2)}\n`);
console.log(`wrote ${openapi}`);

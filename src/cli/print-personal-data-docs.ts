// npm run docs:personal-data: rewrites the inventory section of docs/personal-data.md from
// src/domain/personal-data-inventory.ts (a test fails while the two differ).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderInventoryMarkdown } from '../domain/personal-data-inventory';

const file = path.resolve(__dirname, '..', '..', 'docs', 'personal-data.md');
const doc = readFileSync(file, 'utf8');
const section = /<!-- inventory -->\n[\s\S]*?<!-- \/inventory -->/;
if (!section.test(doc)) {
  console.error(`${file} has no <!-- inventory --> ... <!-- /inventory --> section`);
  process.exit(1);
}
writeFileSync(file, doc.replace(section, `<!-- inventory -->\n${renderInventoryMarkdown()}<!-- /inventory -->`));
console.log(`rewrote the inventory in ${path.relative(process.cwd(), file)}`);

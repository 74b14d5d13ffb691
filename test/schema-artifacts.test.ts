import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { printSortedSchema } from '../src/graphql/schema';

const root = path.resolve(__dirname, '..');

describe('committed schema artefacts', () => {
  it('schema.graphql matches the code (run `npm run schema` when this fails)', () => {
    expect(readFileSync(path.join(root, 'schema.graphql'), 'utf8')).toBe(printSortedSchema());
  });

  it('client/generated/graphql.ts matches schema.graphql and the operations (run `npm run codegen`)', async () => {
    // --check regenerates in memory and exits non-zero when the committed output differs.
    const codegen = path.join(root, 'node_modules', '.bin', 'graphql-codegen');
    await expect(promisify(execFile)(codegen, ['--config', 'codegen.yml', '--check'], { cwd: root })).resolves.toBeDefined();
  }, 60_000);
});

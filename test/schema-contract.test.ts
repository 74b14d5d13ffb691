import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CriticalityLevel, diff } from '@graphql-inspector/core';
import { buildSchema } from 'graphql';

/**
 * Partners code against schema.released.graphql. schema.graphql (the code's schema, kept fresh by
 * schema-artifacts.test.ts) may add to it freely; anything that breaks it fails here unless the
 * release file is updated in the same change, with a CHANGELOG.md entry naming its fingerprint.
 */
const root = path.resolve(__dirname, '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

async function breakingChanges(released: string, current: string): Promise<string[]> {
  const changes = await diff(buildSchema(released), buildSchema(current));
  return changes.filter((c) => c.criticality.level === CriticalityLevel.Breaking).map((c) => `${c.path ?? ''}: ${c.message}`);
}

describe('the released GraphQL contract (schema.released.graphql)', () => {
  it('schema.graphql makes no breaking change to it', async () => {
    const breaking = await breakingChanges(read('schema.released.graphql'), read('schema.graphql'));
    if (breaking.length > 0) {
      throw new Error(
        `schema.graphql breaks the released contract:\n${breaking.map((b) => `  - ${b}`).join('\n')}\n` +
          'Restore what partners rely on, or release it on purpose: copy schema.graphql to schema.released.graphql ' +
          'and add a CHANGELOG.md entry (see its top) with the new fingerprint.',
      );
    }
  });

  it('every release of the contract has its CHANGELOG.md entry', () => {
    const fingerprint = createHash('sha256')
      .update(readFileSync(path.join(root, 'schema.released.graphql')))
      .digest('hex')
      .slice(0, 12);
    const changelog = read('CHANGELOG.md');
    if (!changelog.includes(`sha256 \`${fingerprint}\``)) {
      throw new Error(
        `schema.released.graphql changed without a CHANGELOG.md entry: add one under "Schema releases" ending with (schema.released.graphql sha256 \`${fingerprint}\`)`,
      );
    }
  });

  // The guard itself: it must see the kinds of break partners suffer, and let additions through.
  it('reports removed and retyped fields, arguments and enum values, and not additions', async () => {
    const released = 'type Query { a(x: Int): String  b: Int  c: E }  enum E { ONE TWO }';
    expect(await breakingChanges(released, 'type Query { a(x: Int): String  b: Int  c: E  d: Int }  enum E { ONE TWO }')).toEqual([]);
    const broken = await breakingChanges(released, 'type Query { a(x: String, y: Int!): String  b: String  c: E }  enum E { ONE }');
    expect(broken.join('\n')).toMatch(/Query\.a\.x/);
    expect(broken.join('\n')).toMatch(/Query\.a\.y/);
    expect(broken.join('\n')).toMatch(/Query\.b/);
    expect(broken.join('\n')).toMatch(/E\.TWO/);
    expect(await breakingChanges(released, 'type Query { a(x: Int): String  c: E }  enum E { ONE TWO }')).toEqual([expect.stringMatching(/Query\.b/)]);
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

// src/domain/ is the vocabulary every layer shares (entities, worker, Meta clients, REST, API).
// It stays importable without side effects only while it imports no framework and no layer above it.
const domainDir = path.join(__dirname, '..', '..', 'src', 'domain');
const forbidden = [
  /^graphql($|\/)/,
  /^graphql-/,
  /^type-graphql($|\/)/,
  /^@apollo\//,
  /^@mikro-orm\//,
  /^\.\.\/(schema|graphql|resolvers|entities|http|services)(\/|$)/,
];

describe('src/domain', () => {
  const files = readdirSync(domainDir).filter((name) => name.endsWith('.ts'));

  it('holds the domain modules', () => {
    expect(files).toContain('social-account.ts');
  });

  it.each(files)('%s imports nothing from GraphQL, MikroORM or the layers that use it', (file) => {
    const source = readFileSync(path.join(domainDir, file), 'utf8');
    const imports = ts.preProcessFile(source, true, true).importedFiles.map((ref) => ref.fileName);
    expect(imports.filter((specifier) => forbidden.some((pattern) => pattern.test(specifier)))).toEqual([]);
  });
});

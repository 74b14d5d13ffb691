import { serverAudits, type AuditResult } from 'graphql-http';
import { appForThisFile } from './helpers/test-app';

/**
 * The GraphQL-over-HTTP spec's own conformance audit (graphql-http's serverAudits) against the
 * real server: standard clients (urql, graphql-request, curl scripts) rely on it.
 */
const app = appForThisFile();

describe('GraphQL over HTTP (graphql-http serverAudits)', () => {
  let results: AuditResult[];

  beforeAll(async () => {
    results = await Promise.all(serverAudits({ url: () => `${app.url}/graphql` }).map((audit) => audit.fn()));
  });

  it('has no MUST failure', () => {
    const failures = results.filter((r) => r.status === 'error').map((r) => `${r.id} ${r.name}: ${'reason' in r ? r.reason : ''}`);
    expect(failures).toEqual([]);
  });

  it('has no SHOULD warning', () => {
    const warnings = results.filter((r) => r.status === 'warn').map((r) => `${r.id} ${r.name}: ${'reason' in r ? r.reason : ''}`);
    expect(warnings).toEqual([]);
  });

  it('answers 200 to a client that accepts only application/json when the operation does not validate', async () => {
    for (const query of ['{', '{ noSuchField }']) {
      const response = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ query }),
      });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { errors: unknown[] }).errors).toHaveLength(1);
    }
  });

  it('keeps 400 for application/graphql-response+json, as the spec asks', async () => {
    const response = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: '{ noSuchField }' }),
    });
    expect(response.status).toBe(400);
  });
});

import { getIntrospectionQuery, parse, print, type DocumentNode } from 'graphql';
import * as operations from '../client/generated/graphql';
import { SocialAccountsDocument } from '../client/generated/graphql';
import { loadConfig } from '../src/config';
import { checkOperationLimits } from '../src/graphql/operation-limits';
import { buildGraphQLSchema } from '../src/graphql/schema';
import { connect, facebookUser } from './helpers/flows';
import { appForThisFile, TestApp, type GraphQLResponse } from './helpers/test-app';

// Armor's refusals are validation errors: GraphQL over HTTP answers them 200 to a client that accepts
// only application/json (what these requests send; src/graphql/json-status-plugin.ts) and 400 to
// application/graphql-response+json. GRAPHQL_MAX_TOKENS is refused before parsing: always 400.
const VALIDATION_REFUSAL_STATUS = 200;

const app = appForThisFile();
const fields = 'id username followersCount';

/** The operation-limit error of a refused response (there may be other validation errors beside it). */
function limitError(response: GraphQLResponse<unknown>) {
  const error = response.errors?.find((e) => e.extensions?.code === 'OPERATION_LIMIT_EXCEEDED');
  if (!error) throw new Error(`expected OPERATION_LIMIT_EXCEEDED, got ${JSON.stringify(response)}`);
  return error as typeof error & { extensions: Record<string, unknown> };
}

async function expectNormalReadPasses(memberId: string) {
  const ok = await app.gql(SocialAccountsDocument, {}, { memberId });
  expect(ok.errors).toBeUndefined();
  expect(Array.isArray(ok.data?.socialAccounts)).toBe(true);
}

describe('operation limits (graphql-armor)', () => {
  it('lets every committed client operation (the dashboard uses these) and the introspection query through the default limits', () => {
    const defaults = loadConfig({ NODE_ENV: 'test', JWT_SECRET: 'x'.repeat(40), TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64') }).limits
      .operation;
    const schema = buildGraphQLSchema();
    const documents = Object.entries(operations).filter(([name, value]) => name.endsWith('Document') && (value as DocumentNode).kind === 'Document');
    expect(documents.length).toBeGreaterThanOrEqual(7);
    for (const [name, document] of documents) {
      const source = print(document as DocumentNode);
      expect({ name, errors: checkOperationLimits(schema, source, parse(source), defaults).map((e) => e.message) }).toEqual({ name, errors: [] });
      // Not merely under: well under, so a field or two added to the fragment does not trip them.
      const half = { ...defaults, maxAliases: 1, maxTokens: defaults.maxTokens / 4, maxDepth: defaults.maxDepth - 2, maxCost: defaults.maxCost / 2 };
      expect({ name, errors: checkOperationLimits(schema, source, parse(source), half).map((e) => e.message) }).toEqual({ name, errors: [] });
    }
    const introspection = getIntrospectionQuery();
    expect(checkOperationLimits(schema, introspection, parse(introspection), defaults)).toEqual([]);
  });

  it('refuses more than GRAPHQL_MAX_ALIASES aliases before any resolver runs, then answers a normal request', async () => {
    const memberId = 'limits-aliases';
    const before = await app.metric('limit_refusals_total', { limit: 'aliases' });
    const query = `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: socialAccounts { ${fields} }`).join(' ')} }`;
    const refused = await app.post({ query }, { memberId });
    expect(refused.status).toBe(VALIDATION_REFUSAL_STATUS);
    expect(refused.data).toBeUndefined();
    expect(limitError(refused).extensions).toEqual({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'aliases' });
    expect(await app.metric('limit_refusals_total', { limit: 'aliases' })).toBe(before + 1);
    await expectNormalReadPasses(memberId);
  });

  it('refuses more than GRAPHQL_MAX_TOKENS tokens before parsing, then answers a normal request', async () => {
    const memberId = 'limits-tokens';
    const refused = await app.post({ query: `{ socialAccounts { ${'id '.repeat(2100)} } }` }, { memberId });
    expect(refused.status).toBe(400);
    expect(limitError(refused).extensions).toEqual({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'tokens' });
    expect(await app.metric('limit_refusals_total', { limit: 'tokens' })).toBeGreaterThan(0);
    await expectNormalReadPasses(memberId);
  });

  it('refuses an operation deeper than GRAPHQL_MAX_DEPTH, then answers a normal request', async () => {
    const memberId = 'limits-depth';
    const nested = Array.from({ length: 9 }).reduce<string>((inner) => `... on SocialAccount { ${inner} }`, 'id');
    const refused = await app.post({ query: `{ socialAccounts { ${nested} } }` }, { memberId });
    expect(refused.status).toBe(VALIDATION_REFUSAL_STATUS);
    expect(limitError(refused).extensions).toEqual({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'depth' });
    await expectNormalReadPasses(memberId);
  });

  it('refuses more than GRAPHQL_MAX_DIRECTIVES directives, then answers a normal request', async () => {
    const memberId = 'limits-directives';
    const names = ['id', 'username', 'name', 'biography', 'website', 'followersCount', 'followingCount', 'mediaCount', 'priceTier', 'price', 'currency'];
    const refused = await app.post({ query: `{ socialAccounts { ${names.map((n) => `${n} @include(if: true)`).join(' ')} } }` }, { memberId });
    expect(refused.status).toBe(VALIDATION_REFUSAL_STATUS);
    expect(limitError(refused).extensions).toEqual({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'directives' });
    await expectNormalReadPasses(memberId);
  });

  it('weighs Meta-calling mutations in the cost limit: five aliased syncs are refused without a call to Meta', async () => {
    const memberId = 'limits-cost';
    const user = facebookUser(app, [{ instagram: { followersCount: 2_000 } }]);
    const [account] = await connect(app, memberId, 'FACEBOOK', user.userId, { pageIds: user.pageIds });
    app.emulator.control.resetCalls();
    const mutation = `mutation { ${Array.from({ length: 5 }, (_, i) => `s${i}: syncSocialAccount(id: "${account.id}") { ${fields} }`).join(' ')} }`;
    const refused = await app.post({ query: mutation }, { memberId });
    expect(refused.status).toBe(VALIDATION_REFUSAL_STATUS);
    const error = limitError(refused);
    expect(error.extensions).toEqual({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'cost' });
    expect(error.message).toContain('5 Instagram call(s)');
    expect(app.emulator.control.calls).toHaveLength(0);
    // The same reads without the syncs are cheap.
    const reads = `{ ${Array.from({ length: 5 }, (_, i) => `r${i}: socialAccount(id: "${account.id}") { ${fields} }`).join(' ')} }`;
    expect((await app.post({ query: reads }, { memberId })).errors).toBeUndefined();
  });

  it('logs a member hammering a limit once per window, and counts every refusal', async () => {
    const memberId = 'limits-hammer';
    const before = await app.metric('limit_refusals_total', { limit: 'aliases' });
    const query = `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: socialAccounts { id }`).join(' ')} }`;
    for (let i = 0; i < 3; i++) expect((await app.post({ query }, { memberId })).status).toBe(VALIDATION_REFUSAL_STATUS);
    expect(await app.metric('limit_refusals_total', { limit: 'aliases' })).toBe(before + 3);
    const lines = app.logs.filter((l) => l.includes('"limit":"aliases"') && l.includes(`"memberId":"${memberId}"`));
    expect(lines).toHaveLength(1);
  });
});

describe('field suggestions and introspection', () => {
  it('suggests field names while introspection is on (the default outside production)', async () => {
    const response = await app.post({ query: '{ socialAcounts { id } }' }, { memberId: 'suggest-on' });
    expect(response.errors?.[0].message).toContain('Did you mean "socialAccounts"');
  });

  it('with INTROSPECTION=false refuses introspection and gives no suggestion that spells the schema out', async () => {
    const closed = await TestApp.start({ env: { INTROSPECTION: 'false' } });
    try {
      const typo = await closed.post({ query: '{ socialAcounts { id } }' }, { memberId: 'suggest-off' });
      expect(typo.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(typo.errors?.[0].message).not.toContain('socialAccounts');
      expect(typo.errors?.[0].message).not.toMatch(/Did you mean/);
      const schema = await closed.post({ query: '{ __schema { queryType { name } } }' }, { memberId: 'suggest-off' });
      expect(schema.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(schema.data).toBeUndefined();
    } finally {
      await closed.close();
    }
  });
});

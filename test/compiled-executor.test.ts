import { print } from 'graphql';
import { SocialAccountDocument, SocialAccountsDocument, SyncSocialAccountDocument } from '../client/generated/graphql';
import { connect, facebookUser, instagramUser } from './helpers/flows';
import { TestApp } from './helpers/test-app';

/**
 * The compiled executor (GRAPHQL_EXECUTOR=jit, the default) against graphql-js alone
 * (GRAPHQL_EXECUTOR=graphql-js): two instances on one database and one emulator, the same
 * requests, byte-identical answers and statuses, errors included. Each request is sent three times
 * to the jit instance, because a document is compiled on its second use.
 */
let jit: TestApp;
let graphqlJs: TestApp;
const MEMBER = 'member-jit';
const missing = '00000000-0000-4000-8000-000000000000';
let accountId = '';

beforeAll(async () => {
  jit = await TestApp.start({ env: { GRAPHQL_EXECUTOR: 'jit' } });
  graphqlJs = await TestApp.start({ share: jit, env: { GRAPHQL_EXECUTOR: 'graphql-js' } });
  const fb = facebookUser(jit, [
    { instagram: { username: 'first', followersCount: 12_345, biography: null as unknown as string } },
    { instagram: { username: 'second' } },
  ]);
  await connect(jit, MEMBER, 'FACEBOOK', fb.userId);
  jit.clock.advance(1_000);
  const [account] = await connect(jit, MEMBER, 'INSTAGRAM', instagramUser(jit, { username: 'third' }).userId);
  accountId = account.id;
});
afterAll(async () => {
  await graphqlJs?.close();
  await jit?.close();
});

async function send(app: TestApp, body: unknown, memberId: string | null): Promise<{ status: number; body: string }> {
  const response = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(memberId ? { authorization: `Bearer ${app.tokenFor(memberId)}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.text() };
}

const executions = async (executor: 'jit' | 'graphql-js') =>
  (await jit.services.metrics.graphqlExecutions.get()).values.find((v) => v.labels.executor === executor)?.value ?? 0;

interface Fixture {
  name: string;
  query: string;
  variables?: () => Record<string, unknown>;
  member?: string | null;
  /** Expected to run compiled (queries graphql-jit can compile, with variables that coerce). */
  compiled: boolean;
  /** What the answer must contain, so a fixture cannot silently test nothing. */
  expect: RegExp;
}

const fixtures: Fixture[] = [
  {
    name: 'the committed SocialAccounts list',
    query: print(SocialAccountsDocument),
    compiled: true,
    expect: /"username":"third".*"username":"(first|second)"/,
  },
  {
    name: 'a status filter through variables',
    query: print(SocialAccountsDocument),
    variables: () => ({ statuses: ['CONNECTED', 'EXPIRED'] }),
    compiled: true,
    expect: /"connectionStatus":"CONNECTED"/,
  },
  { name: 'one account by id', query: print(SocialAccountDocument), variables: () => ({ id: accountId }), compiled: true, expect: /"username":"third"/ },
  {
    name: 'a missing account is null',
    query: print(SocialAccountDocument),
    variables: () => ({ id: missing }),
    compiled: true,
    expect: /^\{"data":\{"socialAccount":null\}\}\n$/,
  },
  {
    name: 'UNAUTHENTICATED without a token (a non-null root: data is null; anonymous documents are never compiled)',
    query: print(SocialAccountsDocument),
    member: null,
    compiled: false,
    expect: /^(?=.*"data":null)(?=.*"code":"UNAUTHENTICATED")/,
  },
  {
    name: 'BAD_USER_INPUT from a resolver, next to a field that succeeds (partial data)',
    query: `query Partial($id: ID!) { broken: socialAccount(id: $id) { id } ok: socialAccounts { __typename id username priceTier } }`,
    variables: () => ({ id: "1' or '1'='1" }),
    compiled: true,
    expect: /^(?=.*"broken":null,"ok":\[\{"__typename":"SocialAccount")(?=.*"path":\["broken"\],"extensions":\{"field":"id","code":"BAD_USER_INPUT"\})/,
  },
  {
    name: 'a variable that does not coerce (graphql-js answers: its messages are the contract)',
    query: print(SocialAccountsDocument),
    variables: () => ({ statuses: ['NOPE'] }),
    compiled: false,
    expect: /"code":"BAD_USER_INPUT"/,
  },
  {
    name: 'a missing required variable',
    query: print(SocialAccountDocument),
    variables: () => ({}),
    compiled: false,
    expect: /"code":"BAD_USER_INPUT"/,
  },
  {
    name: 'fragments, aliases, @include/@skip, __typename',
    query: `query Shapes($withBio: Boolean!) {
      socialAccounts { ... on SocialAccount { a: id } ...F bio: biography @include(if: $withBio) followersCount @skip(if: $withBio) }
    }
    fragment F on SocialAccount { __typename connectedAt tokenExpiresAt price currency }`,
    variables: () => ({ withBio: true }),
    compiled: true,
    expect: /"a":".*"__typename":"SocialAccount","connectedAt":"20.*"bio":/,
  },
  {
    name: 'a BAD_USER_INPUT from a nullable-less root field (oauthUrl with an unknown redirect)',
    query: `query { oauthUrl(redirectUri: "https://evil.example/cb") }`,
    compiled: true,
    expect: /^(?=.*"data":null)(?=.*"code":"BAD_USER_INPUT")/,
  },
  {
    name: 'introspection',
    query: `query { __schema { queryType { name } } __type(name: "SocialAccount") { fields { name } } }`,
    compiled: true,
    expect: /"queryType":\{"name":"Query"\}/,
  },
  {
    name: 'a mutation runs through graphql-js on both (NOT_FOUND)',
    query: print(SyncSocialAccountDocument),
    variables: () => ({ id: missing }),
    compiled: false,
    expect: /"code":"NOT_FOUND"/,
  },
];

describe('compiled executor (graphql-jit) and graphql-js answer alike', () => {
  it.each(fixtures.map((f) => [f.name, f] as const))('%s', async (_name, fixture) => {
    const body = { query: fixture.query, variables: fixture.variables?.() ?? {} };
    const member = fixture.member === undefined ? MEMBER : fixture.member;
    const reference = await send(graphqlJs, body, member);
    expect(reference.body).toMatch(fixture.expect);
    const jitBefore = await executions('jit');
    const answers = [await send(jit, body, member), await send(jit, body, member), await send(jit, body, member)];
    for (const answer of answers) expect(answer).toEqual(reference);
    // The second and third sends ran compiled (a document's first use is not compiled, unless an
    // earlier fixture already used the same document); the others never.
    const compiledRuns = (await executions('jit')) - jitBefore;
    if (fixture.compiled) expect([2, 3]).toContain(compiledRuns);
    else expect(compiledRuns).toBe(0);
  });

  it('counts graphql-js executions on the jit instance for first uses and fallbacks', async () => {
    const before = await executions('graphql-js');
    await send(jit, { query: `query OnlyOnce { socialAccounts { id } }` }, MEMBER);
    expect((await executions('graphql-js')) - before).toBe(1);
  });
});

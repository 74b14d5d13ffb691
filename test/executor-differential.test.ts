import fc from 'fast-check';
import { DisconnectSocialAccountDocument } from '../client/generated/graphql';
import { caseArb } from './helpers/corpus/cases';
import { fillPlaceholders, renderCase } from './helpers/corpus/render';
import type { Case, Placeholders } from './helpers/corpus/types';
import { connect, facebookUser, instagramUser } from './helpers/flows';
import { OwnPostgres } from './helpers/own-postgres';
import { REDIRECT_URI, TestApp } from './helpers/test-app';

/**
 * Differential test of the compiled executor (GRAPHQL_EXECUTOR=jit) against graphql-js alone
 * (GRAPHQL_EXECUTOR=graphql-js): a generated corpus of documents and variables (test/helpers/
 * corpus/: nulls, defaults, enums, lists and list coercion, fragments, @include/@skip,
 * aliases, own/foreign/missing ids, resolver errors, no token) runs through two instances on one
 * database, and every answer (status and body) must be identical: across executors, and across
 * the three sends of each request to the jit instance (a document is compiled on its second use).
 *
 * Fixed seed and run count, so a failure reproduces; DIFFERENTIAL_SEED / DIFFERENTIAL_RUNS
 * explore further. fast-check prints the seed, the shrunk case and the answers that differ.
 */
const SEED = Number(process.env.DIFFERENTIAL_SEED ?? 20261204);
const RUNS = Number(process.env.DIFFERENTIAL_RUNS ?? 100);
const JIT_SENDS = 3;
const MEMBERS = { A: 'member-differential-a', B: 'member-differential-b' } as const;

/**
 * Both configurations errors take a different path in: in production (INTROSPECTION=off) field
 * suggestions are masked, by a plugin that rewrites every error's message, so it sees what each
 * executor made of its errors; in development they reach the formatter as they are. The
 * production one gets most of the runs.
 */
const CONFIGURATIONS = [
  { name: 'as in production (INTROSPECTION=off: suggestions masked)', env: { INTROSPECTION: 'off' }, runs: RUNS },
  { name: 'as in development (INTROSPECTION=on)', env: { INTROSPECTION: 'on' }, runs: Math.ceil(RUNS / 2) },
];
/** Cases during the database outage (production configuration). */
const OUTAGE_RUNS = Math.ceil(RUNS / 4);

/** Two instances on one database, one per executor, and the fixture's ids. */
interface Pair {
  jit: TestApp;
  graphqlJs: TestApp;
  values: Placeholders;
}

async function startPair(env: Record<string, string>, databaseUrl?: string): Promise<Pair> {
  const jit = await TestApp.start({ databaseUrl, env: { ...env, GRAPHQL_EXECUTOR: 'jit' } });
  const graphqlJs = await TestApp.start({ share: jit, env: { ...env, GRAPHQL_EXECUTOR: 'graphql-js' } });
  // Member A: two accounts through Facebook Login, one through Business Login, one of them
  // disconnected (so status filters and status histories have something to tell apart).
  const fb = facebookUser(jit, [
    { instagram: { username: 'first', followersCount: 12_345, biography: null as unknown as string } },
    { instagram: { username: 'second' } },
  ]);
  const [, second] = await connect(jit, MEMBERS.A, 'FACEBOOK', fb.userId);
  jit.clock.advance(1_000);
  const [own] = await connect(jit, MEMBERS.A, 'INSTAGRAM', instagramUser(jit, { username: 'third' }).userId);
  jit.clock.advance(1_000);
  const disconnected = await jit.gql(DisconnectSocialAccountDocument, { id: second.id }, { memberId: MEMBERS.A });
  if (disconnected.errors) throw new Error(`disconnect failed: ${JSON.stringify(disconnected.errors)}`);
  // Member B: one account, whose id member A must not see.
  const [other] = await connect(jit, MEMBERS.B, 'INSTAGRAM', instagramUser(jit, { username: 'bees' }).userId);
  const history = await graphqlJs.post<{ socialAccount: { statusHistory: Array<{ cursor: string }> } }>(
    { query: 'query($id: ID!) { socialAccount(id: $id) { statusHistory { cursor } } }', variables: { id: own.id } },
    { memberId: MEMBERS.A },
  );
  const cursor = history.data?.socialAccount.statusHistory[0]?.cursor;
  if (!cursor) throw new Error(`no status history: ${JSON.stringify(history)}`);
  const values = { own: own.id, other: other.id, missing: '00000000-0000-4000-8000-000000000000', cursor, redirect: REDIRECT_URI };
  return { jit, graphqlJs, values };
}

interface Answer {
  status: number;
  body: string;
}

/** The only random part of an answer: oauthUrl's one-time `state`. */
const withoutState = (body: string) => body.replace(/([?&]state=)[A-Za-z0-9_-]+/g, '$1<state>');

async function send(app: TestApp, request: Request, member: Case['member']): Promise<Answer> {
  const response = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(member ? { authorization: `Bearer ${app.tokenFor(MEMBERS[member])}` } : {}) },
    body: JSON.stringify(request),
  });
  return { status: response.status, body: withoutState(await response.text()) };
}

/** Every error code and whether data came back, over the corpus: proof it reached what it claims to cover. */
const seen = new Map<string, number>();
function tally(answer: Answer): void {
  const parsed = JSON.parse(answer.body) as { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> };
  const keys = [...(parsed.errors ?? []).map((e) => e.extensions?.code ?? '(no code)'), ...(parsed.data ? ['(data)'] : [])];
  for (const key of new Set(keys)) seen.set(key, (seen.get(key) ?? 0) + 1);
}

/** One request as a client sends it: the query, its variables (placeholders filled) and operationName. */
interface Request {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

type Parsed = { data?: unknown; errors?: Array<{ path?: unknown; extensions?: { code?: string } }> };

/**
 * Byte-identical, with one exception graphql-js itself makes nondeterministic: when an error
 * nulls the whole `data` (a non-null root field failed), graphql-js answers with the errors
 * raised *before* that one settled and drops the rest of its siblings' (they race: during an
 * outage two root fields fail within a millisecond), where graphql-jit waits for every sibling.
 * There the compiled answer must hold every error graphql-js reported, byte for byte, and only
 * errors of the same codes besides.
 */
function sameAnswer(answer: Answer, reference: Answer): boolean {
  if (answer.status === reference.status && answer.body === reference.body) return true;
  const [a, r] = [JSON.parse(answer.body) as Parsed, JSON.parse(reference.body) as Parsed];
  if (answer.status !== reference.status || a.data !== null || r.data !== null || !a.errors || !r.errors) return false;
  const errorsOf = (parsed: Parsed) => parsed.errors!.map((e) => JSON.stringify(e));
  const codes = new Set(r.errors.map((e) => e.extensions?.code));
  return errorsOf(r).every((e) => errorsOf(a).includes(e)) && a.errors.every((e) => codes.has(e.extensions?.code));
}

/**
 * Sends one request once to graphql-js, then JIT_SENDS times to jit. Throws, with the request and
 * every differing answer, when any answer differs from graphql-js's.
 */
async function compareExecutors({ jit, graphqlJs }: Pair, request: Request, member: Case['member']): Promise<void> {
  const reference = await send(graphqlJs, request, member);
  tally(reference);
  const answers: Answer[] = [];
  for (let i = 0; i < JIT_SENDS; i++) answers.push(await send(jit, request, member));
  const differing = answers.map((a, i) => ({ ...a, send: i + 1 })).filter((a) => !sameAnswer(a, reference));
  if (differing.length) {
    throw new Error(
      [
        `the executors answer differently (member ${member ?? 'none'})`,
        `query: ${request.query}`,
        `operationName: ${request.operationName ?? '(none)'}`,
        `variables: ${JSON.stringify(request.variables)}`,
        `graphql-js: ${reference.status} ${reference.body.trim()}`,
        ...differing.map((a) => `jit, send ${a.send}: ${a.status} ${a.body.trim()}`),
      ].join('\n'),
    );
  }
}

/** A generated case: the same document with each round's variables (the second round runs compiled from its first send). */
async function compareCase(pair: Pair, c: Case): Promise<void> {
  const rendered = renderCase(c, pair.values);
  for (const variables of rendered.variables) {
    await compareExecutors(pair, { query: rendered.query, variables, operationName: rendered.operationName }, c.member);
  }
}

/**
 * Hand-written cases: the smallest request of each divergence the generated corpus found on the
 * compiled executor, and the shapes the corpus must never lose. Placeholders as in the corpus.
 */
const PINNED: Array<{ name: string; member: Case['member'] } & Request> = [
  {
    name: 'null for a defaulted Boolean variable in @include (root)',
    member: 'A',
    query: 'query($x: Boolean = true) { __typename @include(if: $x) }',
    variables: { x: null },
  },
  {
    name: 'null for a defaulted Boolean variable in @skip (nested in a list)',
    member: 'A',
    query: 'query($x: Boolean = false) { socialAccounts { id @skip(if: $x) } }',
    variables: { x: null },
  },
  {
    name: 'null for a defaulted nullable variable in a non-null argument (socialAccount(id: ID!))',
    member: 'A',
    query: 'query($id: ID = "@own") { socialAccount(id: $id) { id } }',
    variables: { id: null },
  },
  {
    name: 'null for a defaulted non-null argument (statusHistory(first: Int! = 20))',
    member: 'A',
    query: 'query($id: ID!, $n: Int) { socialAccount(id: $id) { statusHistory(first: $n) { status } } }',
    variables: { id: '@own', n: null },
  },
  {
    name: 'an omitted non-null variable with a default',
    member: 'A',
    query: 'query($x: Boolean! = true) { socialAccounts { id @include(if: $x) } }',
    variables: {},
  },
  {
    name: 'an omitted non-null id variable with a default',
    member: 'A',
    query: 'query($id: ID! = "@own") { socialAccount(id: $id) { username } }',
    variables: {},
  },
  {
    name: 'a field skipped where it first appears keeps the place of its first included occurrence',
    member: 'A',
    query: 'query($s: Boolean!) { socialAccounts { id @skip(if: $s) username id } }',
    variables: { s: true },
  },
  {
    name: 'no token: a failing non-null root field, then a nullable one',
    member: null,
    query: '{ oauthUrl socialAccount(id: "@own") { id } }',
  },
  {
    name: 'an unknown operationName',
    member: 'A',
    query: '{ __typename }',
    operationName: 'Main',
  },
  {
    name: 'two operations and no operationName',
    member: 'A',
    query: 'query A { __typename } query B { __typename }',
  },
  {
    name: 'a single enum value where a list is expected (variable)',
    member: 'A',
    query: 'query($s: [SocialConnectionStatus!]) { socialAccounts(statuses: $s) { username connectionStatus } }',
    variables: { s: 'DISCONNECTED' },
  },
  {
    name: 'an invalid enum value in a variable',
    member: 'A',
    query: 'query($p: LoginProvider) { oauthUrl(provider: $p, redirectUri: "@redirect") }',
    variables: { p: 'NOPE' },
  },
  {
    name: "another member's id is null",
    member: 'A',
    query: '{ socialAccount(id: "@other") { id } }',
  },
  {
    name: 'BAD_USER_INPUT from a resolver deep in a list, with merged fields and fragments',
    member: 'A',
    query: '{ socialAccounts { ...F a: id ... on SocialAccount { a: id statusHistory(first: 0) { status } } } } fragment F on SocialAccount { username }',
  },
  {
    name: 'NOT_FOUND from a mutation',
    member: 'A',
    query: 'mutation($id: ID!) { syncSocialAccount(id: $id) { id } }',
    variables: { id: '@missing' },
  },
];

const fill = (request: Request, values: Placeholders): Request => ({
  ...request,
  query: fillPlaceholders(request.query, values),
  variables: request.variables && JSON.parse(fillPlaceholders(JSON.stringify(request.variables), values)),
});

/** The generated corpus through a pair, with the corpus-coverage checks; `required`: answers (codes, or `(data)`) it must have met. */
async function runCorpus(pair: Pair, runs: number, required: string[]): Promise<void> {
  const jitRuns = () => pair.jit.metric('graphql_executions_total', { executor: 'jit' });
  const compiledBefore = await jitRuns();
  seen.clear();
  await fc.assert(
    fc.asyncProperty(caseArb, (c) => compareCase(pair, c)),
    { seed: SEED, numRuns: runs },
  );
  // The corpus must reach what it claims to cover, or it proves nothing.
  // A third: documents with @skip/@include, null or omitted defaulted variables run through
  // graphql-js by design (src/graphql/compiled-executor.ts), and the corpus generates many.
  expect((await jitRuns()) - compiledBefore).toBeGreaterThan(runs / 3);
  expect(required.filter((key) => !seen.get(key))).toEqual([]);
}

describe.each(CONFIGURATIONS)('graphql-jit and graphql-js answer alike, $name', ({ env, runs }) => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await startPair(env);
  }, 60_000);
  afterAll(async () => {
    await pair?.graphqlJs.close();
    await pair?.jit.close();
  });

  it.each(PINNED.map((p) => [p.name, p] as const))('%s', async (_name, { member, ...request }) => {
    await compareExecutors(pair, fill(request, pair.values), member);
  });

  it(`${runs} generated cases (seed ${SEED})`, async () => {
    await runCorpus(pair, runs, ['(data)', 'BAD_USER_INPUT', 'UNAUTHENTICATED', 'NOT_FOUND', 'GRAPHQL_VALIDATION_FAILED']);
  }, 120_000);
});

/**
 * Errors from the database: the pair on a PostgreSQL server this file owns, stopped before the
 * requests (a real outage: connections refused). Every field that reads answers
 * SERVICE_UNAVAILABLE, retryable, on both executors.
 */
describe('graphql-jit and graphql-js answer alike during a database outage', () => {
  let pg: OwnPostgres;
  let pair: Pair;
  beforeAll(async () => {
    pg = await OwnPostgres.start();
    pair = await startPair({ INTROSPECTION: 'off' }, await pg.createDatabase('differential'));
    await pg.stop();
  }, 90_000);
  afterAll(async () => {
    await pair?.graphqlJs.close();
    await pair?.jit.close();
    await pg?.dispose();
  }, 60_000);

  it.each([
    ['a list', '{ socialAccounts { id username } }'],
    ['one account with its history', '{ socialAccount(id: "@own") { id statusHistory(first: 2) { status } } }'],
    ['a read next to a field that needs no database', '{ __typename socialAccount(id: "@own") { id } }'],
  ])('%s', async (_name, query) => {
    await compareExecutors(pair, fill({ query }, pair.values), 'A');
  });

  it(`${OUTAGE_RUNS} generated cases (seed ${SEED})`, async () => {
    await runCorpus(pair, OUTAGE_RUNS, ['SERVICE_UNAVAILABLE']);
  }, 120_000);
});

import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { GRAPHQL_TRANSPORTS, PIPELINE_GUARANTEES, type Transport } from '../src/graphql/pipeline';
import { OwnPostgres } from './helpers/own-postgres';
import { TestApp } from './helpers/test-app';

/**
 * Every promise at every door (issue 23): transports × guarantees, each cell a real request
 * against one real app (its own PostgreSQL server process, which the outage column stops).
 *
 * Rows: each GraphQL transport of src/graphql/pipeline.ts (POST also through the express route,
 * which serves what the direct listener does not), plus the REST facade. Columns: each of
 * PIPELINE_GUARANTEES. A transport or guarantee added there without its row or column here fails
 * the first test; a cell that does not apply must say why.
 */
type Guarantee = (typeof PIPELINE_GUARANTEES)[number];
type Door = Transport | 'http-post-express' | 'rest';
type Cell = (() => Promise<void>) | { notApplicable: string };

interface Operation {
  query: string;
  variables?: Record<string, unknown>;
}
interface Answer {
  status?: number;
  /** WebSocket: the close code when the socket was refused. */
  closeCode?: number;
  data?: unknown;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

const LIMITS = {
  GRAPHQL_MAX_TOKENS: '200',
  RATE_LIMIT_OPERATIONS: '10',
  RATE_LIMIT_OAUTH_URLS: '5',
  RATE_LIMIT_META_MUTATIONS: '4',
  INTROSPECTION: 'off',
};

let pg: OwnPostgres;
let app: TestApp;

beforeAll(async () => {
  pg = await OwnPostgres.start();
  app = await TestApp.start({ databaseUrl: await pg.createDatabase('matrix'), env: LIMITS });
}, 60_000);
afterAll(async () => {
  await app?.close();
  await pg?.dispose();
}, 60_000);

// ---- The doors: one way to send an operation through each GraphQL transport ----

async function overHttp(path: string, method: 'GET' | 'POST', operation: Operation, memberId: string | null): Promise<Answer> {
  const auth: Record<string, string> = memberId ? { authorization: `Bearer ${app.tokenFor(memberId)}` } : {};
  let response: Response;
  if (method === 'GET') {
    const search = new URLSearchParams({ query: operation.query, ...(operation.variables ? { variables: JSON.stringify(operation.variables) } : {}) });
    // Apollo's CSRF prevention lets a GET through with this header (a browser cannot send it cross-site).
    response = await fetch(`${app.url}${path}?${search}`, { headers: { ...auth, 'apollo-require-preflight': 'true' } });
  } else {
    response = await fetch(`${app.url}${path}`, { method, headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(operation) });
  }
  const text = await response.text();
  return { status: response.status, ...(JSON.parse(text) as Omit<Answer, 'status'>) };
}

/**
 * One operation over a fresh graphql-ws socket: its result, its errors, or the code that closed
 * the socket. A subscription runs until an event: `liveAfterMs` resolves with what arrived by then.
 */
function overWebSocket(operation: Operation, memberId: string | null, liveAfterMs?: number): Promise<Answer> {
  return new Promise((resolve) => {
    const answer: Answer = {};
    const client = createClient({
      url: `${app.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: memberId ? { authorization: `Bearer ${app.tokenFor(memberId)}` } : {},
      retryAttempts: 0,
      lazy: true,
    });
    const done = () => {
      void client.dispose();
      resolve(answer);
    };
    if (liveAfterMs !== undefined) setTimeout(done, liveAfterMs);
    client.subscribe(operation, {
      next: (result) => void Object.assign(answer, result),
      error: (error) => {
        if (Array.isArray(error)) answer.errors = error as Answer['errors'];
        else if (error && typeof error === 'object' && 'code' in error) answer.closeCode = (error as { code: number }).code;
        done();
      },
      complete: done,
    });
  });
}

const graphqlDoors: Record<Exclude<Door, 'rest'>, (operation: Operation, memberId: string | null) => Promise<Answer>> = {
  'http-post': (operation, member) => overHttp('/graphql', 'POST', operation, member),
  // `/graphql/` is not the direct listener's exact path: express, express.json and Apollo's own integration answer it.
  'http-post-express': (operation, member) => overHttp('/graphql/', 'POST', operation, member),
  'http-get': (operation, member) => overHttp('/graphql', 'GET', operation, member),
  websocket: overWebSocket,
};

/** The label the pipeline counts a door under. */
const transportOf = (door: Exclude<Door, 'rest'>): Transport => (door === 'http-post-express' ? 'http-post' : door);

async function rest(
  method: string,
  route: string,
  memberId: string | null,
): Promise<{ status: number; body: { code?: string; details?: Record<string, unknown> } }> {
  const response = await fetch(`${app.url}/ai/instagram${route}`, { method, headers: memberId ? { authorization: `Bearer ${app.tokenFor(memberId)}` } : {} });
  return { status: response.status, body: (await response.json()) as { code?: string } };
}

// ---- What each guarantee looks like from outside ----

const codeOf = (answer: Answer) => answer.errors?.[0]?.extensions?.code;
let members = 0;
const freshMember = (door: Door, what: string) => `m-${door}-${what}-${++members}`;

/** Log lines at warn or above written while `work` ran. */
async function loudLogsDuring(work: () => Promise<void>): Promise<string[]> {
  const from = app.logs.length;
  await work();
  return app.logs.slice(from).filter((line) => (JSON.parse(line) as { level: number }).level >= 40);
}

const aliased = (count: number, field: string) => Array.from({ length: count }, (_, i) => `a${i}: ${field}`).join(' ');
const WARM_QUERY = '{ socialAccounts { id connectionStatus username } }';

function graphqlRow(door: Exclude<Door, 'rest'>): Record<Guarantee, Cell> {
  const send = graphqlDoors[door];
  return {
    authentication: async () => {
      const answer = await send({ query: '{ socialAccounts { id } }' }, null);
      if (door === 'websocket') expect(answer.closeCode).toBe(4403);
      else expect(codeOf(answer)).toBe('UNAUTHENTICATED');
    },
    'token-limit': async () => {
      const answer = await send({ query: `{ ${'__typename '.repeat(300)}}` }, freshMember(door, 'tokens'));
      expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'tokens' });
      expect(answer.data ?? null).toBeNull();
    },
    'operation-limits': async () => {
      const answer = await send({ query: `{ ${aliased(16, 'socialAccounts { id }')} }` }, freshMember(door, 'aliases'));
      expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'aliases' });
    },
    'member-budgets': async () => {
      // Each budget kind, spent by this door alone: the second operation is over the budget.
      const urls = freshMember(door, 'oauth');
      expect(codeOf(await send({ query: `{ ${aliased(3, 'oauthUrl')} }` }, urls))).toBeUndefined();
      expect(codeOf(await send({ query: `{ ${aliased(3, 'oauthUrl')} }` }, urls))).toBe('RATE_LIMITED');
      const operations = freshMember(door, 'ops');
      for (let i = 0; i < 10; i++) expect(codeOf(await send({ query: '{ __typename }' }, operations))).toBeUndefined();
      expect(codeOf(await send({ query: '{ __typename }' }, operations))).toBe('RATE_LIMITED');
      const syncs = `mutation { ${aliased(3, 'syncSocialAccount(id: "00000000-0000-4000-8000-000000000000") { id }')} }`;
      const meta = freshMember(door, 'meta');
      if (door === 'http-get') {
        // GET serves queries only: a mutation is refused before it is run, so it spends nothing.
        expect((await send({ query: syncs }, meta)).status).toBe(405);
      } else {
        expect(codeOf(await send({ query: syncs }, meta))).toBe('NOT_FOUND');
        expect(codeOf(await send({ query: syncs }, meta))).toBe('RATE_LIMITED');
      }
    },
    'introspection-policy': async () => {
      const answer = await send({ query: '{ __schema { types { name } } }' }, freshMember(door, 'schema'));
      expect(codeOf(answer)).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(answer.data ?? null).toBeNull();
    },
    'suggestion-masking': async () => {
      const answer = await send({ query: '{ socialAcounts { id } }' }, freshMember(door, 'typo'));
      expect(codeOf(answer)).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(answer.errors?.[0]?.message).toContain('socialAcounts');
      expect(answer.errors?.[0]?.message).not.toMatch(/Did you mean/);
    },
    'client-mistakes': async () => {
      const member = freshMember(door, 'mistakes');
      // Explicit null where the argument needs a value (a default exists only for an absent variable).
      const nullArgument = { query: 'query($n: Int){ socialAccounts { statusHistory(first: $n) { cursor } } }', variables: { n: null } };
      expect(codeOf(await send(nullArgument, member))).toBe('BAD_USER_INPUT');
      // The same request twice: the same answer (the compiled executor once answered it differently).
      const nullCondition = { query: 'query($x: Boolean = true){ __typename @include(if: $x) }', variables: { x: null } };
      const first = await send(nullCondition, member);
      expect(codeOf(first)).toBe('BAD_USER_INPUT');
      expect(await send(nullCondition, member)).toEqual(first);
      expect(await send(nullCondition, member)).toEqual(first);
      const subscribe = { query: 'subscription { connectionStatusChanged { status } }' };
      if (door === 'websocket') expect(await overWebSocket(subscribe, member, 500)).toEqual({});
      else expect(codeOf(await send(subscribe, member))).toBe('BAD_REQUEST');
    },
    logging: async () => {
      const member = freshMember(door, 'logging');
      const refusedBefore = await app.metric('graphql_operations_total', { transport: transportOf(door), outcome: 'refused' });
      const loud = await loudLogsDuring(async () => {
        await send({ query: 'query($n: Int){ socialAccounts { statusHistory(first: $n) { cursor } } }', variables: { n: null } }, member);
        await send({ query: '{ socialAccounts { id } }' }, member);
      });
      expect(loud).toEqual([]);
      expect(await app.metric('graphql_operations_total', { transport: transportOf(door), outcome: 'refused' })).toBe(refusedBefore + 1);
    },
    'coded-outage-errors': async () => {
      const member = `m-${door}-outage`;
      const jitBefore = await app.metric('graphql_executions_total', { executor: 'jit' });
      const loud = await loudLogsDuring(async () => {
        const answer = await send({ query: WARM_QUERY }, member);
        expect(answer.errors?.[0]?.extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', retryable: true, retryAfterSeconds: 1 });
        expect(JSON.stringify(answer)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|stack/i);
      });
      expect(loud.filter((line) => line.includes('unexpected error'))).toEqual([]);
      // The document was warmed before the outage: a signed-in repeat runs compiled, and still answers the code.
      expect(await app.metric('graphql_executions_total', { executor: 'jit' })).toBeGreaterThan(jitBefore);
    },
  };
}

const notRest = (what: string) => ({ notApplicable: `the REST facade takes no GraphQL document: ${what}` });

const matrix: Record<Door, Record<Guarantee, Cell>> = {
  'http-post': graphqlRow('http-post'),
  'http-post-express': graphqlRow('http-post-express'),
  'http-get': graphqlRow('http-get'),
  websocket: graphqlRow('websocket'),
  rest: {
    authentication: async () => {
      const answer = await rest('GET', '/accounts', null);
      expect([answer.status, answer.body.code]).toEqual([401, 'UNAUTHENTICATED']);
    },
    'token-limit': notRest('nothing to count tokens of'),
    'operation-limits': notRest('each route is one fixed service call'),
    'member-budgets': async () => {
      const member = freshMember('rest', 'oauth');
      for (let i = 0; i < 5; i++) expect((await rest('GET', '/oauth/url', member)).status).toBe(200);
      const refused = await rest('GET', '/oauth/url', member);
      expect([refused.status, refused.body.code]).toEqual([429, 'RATE_LIMITED']);
    },
    'introspection-policy': notRest('no schema to introspect'),
    'suggestion-masking': notRest('no field names to suggest'),
    'client-mistakes': async () => {
      const answer = await rest('GET', '/accounts?statuses=NOPE', freshMember('rest', 'mistake'));
      expect([answer.status, answer.body.code]).toEqual([400, 'BAD_USER_INPUT']);
    },
    logging: async () => {
      const loud = await loudLogsDuring(async () => void (await rest('GET', '/accounts?statuses=NOPE', freshMember('rest', 'logging'))));
      expect(loud).toEqual([]);
    },
    'coded-outage-errors': async () => {
      const answer = await rest('GET', '/accounts', 'm-rest-outage');
      expect([answer.status, answer.body.code]).toEqual([503, 'SERVICE_UNAVAILABLE']);
    },
  },
};

const doors = Object.keys(matrix) as Door[];
const runnable = (guarantee: Guarantee) => doors.filter((door) => typeof matrix[door][guarantee] === 'function').map((door) => [door] as const);

describe('every promise at every door', () => {
  it('has a row for every transport and a cell for every guarantee', () => {
    for (const transport of GRAPHQL_TRANSPORTS) expect(doors).toContain(transport);
    for (const door of doors) expect(Object.keys(matrix[door]).sort()).toEqual([...PIPELINE_GUARANTEES].sort());
    for (const door of doors) {
      for (const cell of Object.values(matrix[door])) if (typeof cell !== 'function') expect(cell.notApplicable.length).toBeGreaterThan(20);
    }
  });

  for (const guarantee of PIPELINE_GUARANTEES.filter((g) => g !== 'coded-outage-errors')) {
    describe(guarantee, () => {
      it.each(runnable(guarantee))('%s', async (door) => {
        await (matrix[door][guarantee] as () => Promise<void>)();
      });
    });
  }

  describe('coded-outage-errors (PostgreSQL stopped)', () => {
    beforeAll(async () => {
      // Warm the document on each member so that it is compiled (from its second use) before the outage.
      for (const door of doors) {
        if (door === 'rest') continue;
        for (let i = 0; i < 3; i++) expect(codeOf(await graphqlDoors[door]({ query: WARM_QUERY }, `m-${door}-outage`))).toBeUndefined();
      }
      await pg.stop();
    }, 30_000);
    afterAll(async () => {
      await pg.restart();
    }, 30_000);

    it.each(runnable('coded-outage-errors'))('%s', async (door) => {
      await (matrix[door]['coded-outage-errors'] as () => Promise<void>)();
    });
  });
});

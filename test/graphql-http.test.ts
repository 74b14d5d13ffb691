import { request } from 'node:http';
import { print } from 'graphql';
import { SocialAccountsDocument } from '../client/generated/graphql';
import { connect, instagramUser } from './helpers/flows';
import { appForThisFile } from './helpers/test-app';

/**
 * POST /graphql with a JSON body of known length is answered on node:http directly
 * (src/http/graphql-http.ts); a chunked body (no Content-Length) still goes through express,
 * express.json and Apollo's express integration. Both must answer the same status, content type
 * and bytes for the same body, malformed bodies included.
 */
const app = appForThisFile();
const MEMBER = 'member-http';

interface Answer {
  status: number;
  contentType: string | undefined;
  body: string;
}

/** Which path answered: express's res.send adds a (useless on POST) ETag, the direct path does not. */
const etags = new WeakMap<Answer, string | undefined>();

/** One POST; `chunked` leaves out Content-Length, so Node sends Transfer-Encoding: chunked. */
function post(body: string | Buffer, options: { chunked: boolean; contentType?: string; path?: string; token?: string }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const url = new URL(app.url);
    const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/json' };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (!options.chunked) headers['content-length'] = String(Buffer.byteLength(body));
    const req = request({ host: url.hostname, port: url.port, path: options.path ?? '/graphql', method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const answer = { status: res.statusCode!, contentType: res.headers['content-type'], body: Buffer.concat(chunks).toString('utf8') };
        etags.set(answer, res.headers.etag);
        resolve(answer);
      });
    });
    req.on('error', reject);
    if (options.chunked) {
      // Two writes, so the body really is chunked.
      const bytes = Buffer.from(body);
      req.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
      req.end(bytes.subarray(Math.floor(bytes.length / 2)));
    } else req.end(body);
  });
}

beforeAll(async () => {
  await connect(app, MEMBER, 'INSTAGRAM', instagramUser(app, { username: 'over-http' }).userId);
});

const query = print(SocialAccountsDocument);
const bodies: Array<[string, string | Buffer, string?]> = [
  ['a query', JSON.stringify({ query, variables: {} })],
  ['a query with a UTF-8 BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ query }))])],
  ['a query with charset=utf-8', JSON.stringify({ query }), 'application/json; charset=utf-8'],
  ['JSON that does not parse', '{"query": '],
  ['JSON that is not an object or array (strict)', '"socialAccounts"'],
  ['JSON with a trailing comma', '{"query": "{ socialAccounts { id } }",}'],
  ['JSON with a bad literal (V8 quotes the body instead of a position)', '{"variables": {"token": "EAAGsecret"}, "query": nul}'],
  ['an empty body', ''],
  ['a batch, which we do not allow', JSON.stringify([{ query }])],
  ['no query', JSON.stringify({ variables: {} })],
  ['a syntax error', JSON.stringify({ query: '{ socialAccounts { ' })],
  ['a validation error', JSON.stringify({ query: '{ nope }' })],
];

describe('POST /graphql on node:http and through express answer alike', () => {
  it.each(bodies.map(([name, body, contentType]) => ({ name, body, contentType })))('$name', async ({ body, contentType }) => {
    const token = app.tokenFor(MEMBER);
    const direct = await post(body, { chunked: false, contentType, token });
    const viaExpress = await post(body, { chunked: true, contentType, token });
    expect(direct).toEqual(viaExpress);
    expect(direct.contentType).toBe('application/json; charset=utf-8');
  });

  it('says a body is not valid JSON, and where, on both paths', async () => {
    const token = app.tokenFor(MEMBER);
    for (const chunked of [false, true]) {
      const answer = await post('{"variables": {"token": "EAAGsecret"}, "query": nul}', { chunked, token });
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body)).toEqual({
        errors: [
          {
            message: "The request body is not valid JSON: Unexpected token '}' in JSON at position 51 (line 1 column 52).",
            extensions: { code: 'BAD_USER_INPUT' },
          },
        ],
      });
    }
  });

  it("serves the list with the member's accounts on the direct path", async () => {
    const direct = await post(JSON.stringify({ query }), { chunked: false, token: app.tokenFor(MEMBER) });
    expect(direct.status).toBe(200);
    expect(etags.get(direct)).toBeUndefined(); // not express
    expect(etags.get(await post(JSON.stringify({ query }), { chunked: true, token: app.tokenFor(MEMBER) }))).toBeDefined();
    expect(JSON.parse(direct.body).data.socialAccounts.map((a: { username: string }) => a.username)).toEqual(['over-http']);
  });

  it('leaves bodies over the limit, other content types and other paths to express', async () => {
    const big = JSON.stringify({ query, padding: 'x'.repeat(300 * 1024) });
    expect((await post(big, { chunked: false })).status).toBe(413);
    expect((await post(big, { chunked: true })).status).toBe(413);
    const text = await post(JSON.stringify({ query }), { chunked: false, contentType: 'text/plain' });
    expect(text).toEqual(await post(JSON.stringify({ query }), { chunked: true, contentType: 'text/plain' }));
    const slash = await post(JSON.stringify({ query }), { chunked: false, path: '/graphql/', token: app.tokenFor(MEMBER) });
    expect(slash).toEqual(await post(JSON.stringify({ query }), { chunked: true, path: '/graphql/', token: app.tokenFor(MEMBER) }));
  });
});

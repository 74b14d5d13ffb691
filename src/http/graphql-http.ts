import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import type { Logger } from '../logger';
import { invalidJsonMessage } from './middleware-errors';

/** express.json({ limit: '256kb' }) on /graphql: the same limit on both paths. */
export const GRAPHQL_BODY_LIMIT_BYTES = 256 * 1024;

/** A body shorter than its Content-Length: what the express error handler answers (src/bootstrap.ts jsonErrors). */
const MALFORMED_BODY = JSON.stringify({ errors: [{ message: 'The request is malformed.', extensions: { code: 'BAD_USER_INPUT' } }] });
const INTERNAL_ERROR = JSON.stringify({
  errors: [{ message: 'Something went wrong on our side; it has been logged.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
});
const JSON_UTF8 = /^application\/json\s*(;\s*charset="?utf-8"?\s*)?$/i;

/**
 * Apollo on node:http directly for what GraphQL clients send: `POST /graphql` with a JSON body of
 * known length. Express, its router, body-parser (type-is, raw-body, iconv) and `res.send` (which
 * copies the answer into a Buffer to hash an ETag nobody uses on a POST) cost about a fifth of a
 * read-path request (bench/, scenario 1); this is the same integration Apollo's own
 * expressMiddleware is, against Apollo's documented `executeHTTPGraphQLRequest`, so every Apollo
 * plugin and validation rule runs as before.
 *
 * Everything else is handed to `next` (the express app) untouched: GET, other paths (`/graphql/`),
 * other content types or charsets, compressed or chunked bodies, bodies over the limit. There
 * express.json and the express integration answer exactly as they always did; here a body that
 * does not parse gets the same 400 the express error handler gives.
 */
export interface DirectPathOptions {
  /**
   * Requests that need what only the express route has (CORS headers for a browser on another
   * origin, the tracing span) go there: false sends the request to `next`.
   */
  eligible?(req: IncomingMessage): boolean;
  /** The checks the express route runs before Apollo (GRAPHQL_MAX_TOKENS), on the parsed body. */
  refuse?(req: IncomingMessage, body: unknown): { status: number; body: string } | undefined;
}

export function graphqlHttpListener<TContext extends BaseContext>(
  apollo: ApolloServer<TContext>,
  context: (req: IncomingMessage) => Promise<TContext>,
  next: RequestListener,
  logger: Logger,
  options: DirectPathOptions = {},
): RequestListener {
  return (req, res) => {
    if (!isPlainGraphQLPost(req) || (options.eligible && !options.eligible(req))) return next(req, res);
    const length = Number(req.headers['content-length']);
    req.on('error', () => res.destroy()); // the client went away mid-body
    const chunks: Buffer[] = [];
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received <= length) chunks.push(chunk);
    });
    req.on('end', () => {
      if (received !== length) return send(res, 400, MALFORMED_BODY);
      const body = parseJsonBody(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received));
      if (body instanceof InvalidJson)
        return send(
          res,
          400,
          JSON.stringify({ errors: [{ message: invalidJsonMessage(body.parserMessage, body.text), extensions: { code: 'BAD_USER_INPUT' } }] }),
        );
      const refusal = options.refuse?.(req, body);
      if (refusal) return send(res, refusal.status, refusal.body);
      answer(apollo, req, res, body, context).catch((error: unknown) => {
        logger.error({ err: error }, 'unhandled HTTP error');
        if (!res.headersSent) send(res, 500, INTERNAL_ERROR);
        else res.destroy();
      });
    });
  };
}

function isPlainGraphQLPost(req: IncomingMessage): boolean {
  if (req.method !== 'POST') return false;
  const url = req.url ?? '';
  if (!(url === '/graphql' || url.startsWith('/graphql?'))) return false;
  const { headers } = req;
  const length = headers['content-length'];
  if (length === undefined || !/^\d+$/.test(length) || Number(length) > GRAPHQL_BODY_LIMIT_BYTES) return false;
  if (headers['transfer-encoding'] !== undefined) return false;
  const encoding = headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return false;
  return JSON_UTF8.test(headers['content-type'] ?? '');
}

/** A body JSON.parse (or body-parser's strict rule) refused, with the parser's words. */
class InvalidJson {
  constructor(
    readonly parserMessage: string,
    readonly text: string,
  ) {}
}

/** body-parser's json() semantics: empty is `{}`, a BOM is dropped, only an object or array (strict). */
function parseJsonBody(raw: Buffer): unknown {
  let text = raw.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.length === 0) return {};
  const first = /^[ \t\n\r]*(.)/.exec(text)?.[1];
  if (first !== '{' && first !== '[') return new InvalidJson(`Unexpected token '${first}'`, text); // body-parser's strict words
  try {
    return JSON.parse(text);
  } catch (error) {
    return new InvalidJson((error as SyntaxError).message, text);
  }
}

async function answer<TContext extends BaseContext>(
  apollo: ApolloServer<TContext>,
  req: IncomingMessage,
  res: ServerResponse,
  body: unknown,
  context: (req: IncomingMessage) => Promise<TContext>,
): Promise<void> {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const url = req.url!;
  const query = url.indexOf('?');
  const response = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: 'POST', headers, search: query === -1 ? '' : url.slice(query), body },
    context: () => context(req),
  });
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    // The string goes to the socket as is: no Buffer copy, no hash.
    res.setHeader('content-length', Buffer.byteLength(response.body.string));
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

import { createSecretKey } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import { Pool } from 'pg';
import { LIST_ACCOUNTS_SQL, socialAccountsBody, type AccountRow } from './lib/account-json';
import { BENCH_JWT_SECRET } from './lib/env';
import { serveParent } from './lib/ipc';

/**
 * Read-path baseline: the least a server can do for `socialAccounts` and still be correct. Plain
 * node:http, the JSON body parsed, the JWT verified (HS256, exp required), the app's SQL through
 * `pg` with the app's pool size (10), the same JSON out. No framework, no GraphQL, no ORM.
 */
serveParent(async () => {
  // A KeyObject, as the app uses: a string secret makes jsonwebtoken try a PEM parse per call.
  const key = createSecretKey(Buffer.from(BENCH_JWT_SECRET, 'utf8'));
  const pool = new Pool({ connectionString: process.argv[2] ?? requiredDatabaseUrl(), max: 10, application_name: 'bench-baseline-http' });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const reply = (status: number, body: string) => res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(body);
      if (req.method !== 'POST' || req.url !== '/graphql') return reply(404, '{"errors":[{"message":"not found"}]}');
      let memberId: string;
      try {
        const request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { query?: unknown };
        if (typeof request.query !== 'string') return reply(400, '{"errors":[{"message":"query is required"}]}');
        const token = (req.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
        const payload = jwt.verify(token, key, { algorithms: ['HS256'] });
        if (typeof payload === 'string' || typeof payload.sub !== 'string' || typeof payload.exp !== 'number') throw new Error('bad token');
        memberId = payload.sub;
      } catch {
        return reply(200, '{"errors":[{"message":"unauthenticated","extensions":{"code":"UNAUTHENTICATED"}}],"data":null}');
      }
      pool.query<AccountRow>(LIST_ACCOUNTS_SQL, [memberId]).then(
        (result) => reply(200, socialAccountsBody(result.rows)),
        () => reply(500, '{"errors":[{"message":"internal"}]}'),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    info: { url: `http://127.0.0.1:${port}` },
    handlers: {},
    onStop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.end();
    },
  };
});

function requiredDatabaseUrl(): never {
  throw new Error('usage: baseline-http-server <database-url>');
}

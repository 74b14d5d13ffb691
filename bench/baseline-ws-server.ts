import { createSecretKey } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import { Client, Pool } from 'pg';
import { WebSocketServer, type WebSocket } from 'ws';
import { decodeNotice, STATUS_CHANNEL, type StatusChangeNotice } from '../src/services/events/topics';
import { accountJson, type AccountRow } from './lib/account-json';
import { BENCH_JWT_SECRET } from './lib/env';
import { measureMemory, serveParent } from './lib/ipc';

/**
 * Fan-out baseline: the least a server can do to deliver status changes over graphql-transport-ws
 * and still be correct. Plain `ws`, the handshake and JWT check, one LISTEN connection, and per
 * notice one query (the member's events after the last position delivered, with the account, the
 * member's only) whose JSON is built once per event and sent to each of the member's subscribers.
 * No graphql-ws, no GraphQL execution, no ORM.
 */

interface Subscription {
  socket: WebSocket;
  id: string;
}

const CHANGE_SQL = `select e."position"::text as "position", e.previous_status as "previousStatus", e.status, e.reason, e.changed_at as "changedAt",
  a.id as "id", a.platform as "platform", a.provider as "provider", a.platform_user_id as "platformUserId",
  a.username as "username", a.name as "name", a.profile_picture_url as "profilePictureUrl", a.biography as "biography",
  a.website as "website", a.followers_count as "followersCount", a.following_count as "followingCount",
  a.media_count as "mediaCount", a.account_type as "accountType", a.connection_status as "connectionStatus",
  a.status_reason as "statusReason", a.price_tier as "priceTier", a.price as "price", a.currency as "currency",
  a.token_expires_at as "tokenExpiresAt", a.needs_reconnect_by as "needsReconnectBy", a.last_synced_at as "lastSyncedAt",
  a.connected_at as "connectedAt", a.updated_at as "updatedAt"
  from connection_event e join social_account a on a.id = e.account_id
  where e.member_id = $1 and a.member_id = $1 and e."position" > $2 order by e."position"`;

serveParent(async () => {
  const databaseUrl = process.argv[2];
  if (!databaseUrl) throw new Error('usage: baseline-ws-server <database-url>');
  const key = createSecretKey(Buffer.from(BENCH_JWT_SECRET, 'utf8'));
  const pool = new Pool({ connectionString: databaseUrl, max: 10, application_name: 'bench-baseline-ws' });
  const byMember = new Map<string, Set<Subscription>>();
  let subscriptions = 0;

  // Per member: the last position delivered, and the read in progress (reads of one member are serialized).
  const positions = new Map<string, Promise<number>>();
  const startFor = (memberId: string) => {
    if (!positions.has(memberId)) {
      positions.set(
        memberId,
        pool
          .query<{ last: string }>('select last::text as last from member_event_seq where member_id = $1', [memberId])
          .then((r) => Number(r.rows[0]?.last ?? 0)),
      );
    }
  };

  const deliver = async (notice: StatusChangeNotice) => {
    const subscribers = byMember.get(notice.memberId);
    const known = positions.get(notice.memberId);
    if (!subscribers?.size || !known) return;
    const next = known.then(async (after) => {
      const { rows } = await pool.query<
        AccountRow & { position: string; previousStatus: string | null; status: string; reason: string | null; changedAt: Date }
      >(CHANGE_SQL, [notice.memberId, after]);
      for (const row of rows) {
        const payload = JSON.stringify({
          data: {
            connectionStatusChanged: {
              previousStatus: row.previousStatus,
              status: row.status,
              reason: row.reason,
              changedAt: row.changedAt.toISOString(),
              account: accountJson(row),
            },
          },
        });
        for (const { socket, id } of subscribers) socket.send(`{"id":${JSON.stringify(id)},"type":"next","payload":${payload}}`);
      }
      return rows.length ? Number(rows[rows.length - 1]!.position) : after;
    });
    positions.set(
      notice.memberId,
      next.catch(() => known),
    );
    await next;
  };

  const listener = new Client({ connectionString: databaseUrl, application_name: 'bench-baseline-ws-listener' });
  await listener.connect();
  listener.on('notification', (message) => {
    const notice = message.payload ? decodeNotice(message.payload) : undefined;
    if (notice) deliver(notice).catch((error: unknown) => console.error('baseline delivery failed', error));
  });
  await listener.query(`LISTEN ${STATUS_CHANNEL}`);

  const server = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({
    server,
    path: '/graphql',
    handleProtocols: (protocols) => (protocols.has('graphql-transport-ws') ? 'graphql-transport-ws' : false),
  });
  wss.on('connection', (socket) => {
    let member: string | undefined;
    const mine = new Map<string, Subscription>();
    const release = () => {
      const set = member ? byMember.get(member) : undefined;
      for (const subscription of mine.values()) {
        set?.delete(subscription);
        subscriptions--;
      }
      mine.clear();
    };
    socket.on('close', release);
    socket.on('message', (data) => {
      let message: { type?: string; id?: string; payload?: { authorization?: unknown } };
      try {
        message = JSON.parse(String(data));
      } catch {
        return socket.close(4400, 'Invalid message');
      }
      if (message.type === 'connection_init') {
        try {
          const token = String(message.payload?.authorization ?? '').replace(/^Bearer\s+/i, '');
          const claims = jwt.verify(token, key, { algorithms: ['HS256'] });
          if (typeof claims === 'string' || typeof claims.sub !== 'string' || typeof claims.exp !== 'number') throw new Error('bad token');
          member = claims.sub;
        } catch {
          return socket.close(4403, 'Forbidden');
        }
        socket.send('{"type":"connection_ack"}');
      } else if (message.type === 'subscribe' && member && message.id) {
        const subscription = { socket, id: message.id };
        mine.set(message.id, subscription);
        let set = byMember.get(member);
        if (!set) byMember.set(member, (set = new Set()));
        set.add(subscription);
        startFor(member);
        subscriptions++;
      } else if (message.type === 'complete' && message.id && member) {
        const subscription = mine.get(message.id);
        if (subscription) {
          mine.delete(message.id);
          byMember.get(member)?.delete(subscription);
          subscriptions--;
        }
      } else if (message.type === 'ping') {
        socket.send('{"type":"pong"}');
      } else if (message.type !== 'pong') {
        socket.close(4401, 'Unauthorized');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    info: { url: `http://127.0.0.1:${port}` },
    handlers: {
      memory: () => ({ ...measureMemory(), subscribers: subscriptions }),
      subscribers: () => subscriptions,
    },
    onStop: async () => {
      for (const socket of wss.clients) socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await listener.end();
      await pool.end();
    },
  };
});

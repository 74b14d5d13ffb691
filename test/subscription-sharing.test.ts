import { print } from 'graphql';
import WebSocket from 'ws';
import { ConnectionStatusChangedDocument, DisconnectSocialAccountDocument } from '../client/generated/graphql';
import { connect, instagramUser } from './helpers/flows';
import { sleep, waitFor } from './helpers/subscriptions';
import { appForThisFile, type TestApp } from './helpers/test-app';

// A member's subscriptions share parsed documents and, per event, one execution per distinct
// document and variables, serialized once for all the sockets it goes to (src/graphql/
// document-cache.ts, shared-subscribe.ts, shared-frames.ts). Sharing must never blur what each
// subscription asked for, nor cross members.

const app = appForThisFile();
const FULL = print(ConnectionStatusChangedDocument);
const NARROW = 'subscription { connectionStatusChanged { status account { username } } }';

interface Received {
  next: Map<string, unknown[]>;
  errors: Map<string, unknown[]>;
  /** Each next frame's payload exactly as it came over the wire. */
  nextPayloadText: Map<string, string[]>;
}

/** One graphql-transport-ws socket speaking the protocol directly, so it can run several subscriptions. */
class RawSocket {
  readonly received: Received = { next: new Map(), errors: new Map(), nextPayloadText: new Map() };
  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const frame = String(data);
      const message = JSON.parse(frame) as { id?: string; type: string; payload?: unknown };
      const bucket = message.type === 'next' ? this.received.next : message.type === 'error' ? this.received.errors : undefined;
      if (bucket && message.id) bucket.set(message.id, [...(bucket.get(message.id) ?? []), message.payload]);
      if (message.type === 'next' && message.id) {
        const payloadText = frame.slice(frame.indexOf('"payload":') + '"payload":'.length, -1);
        this.received.nextPayloadText.set(message.id, [...(this.received.nextPayloadText.get(message.id) ?? []), payloadText]);
      }
    });
  }

  static async open(target: TestApp, memberId: string): Promise<RawSocket> {
    const socket = new WebSocket(`${target.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const acked = new Promise((resolve) => socket.once('message', resolve));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${target.tokenFor(memberId)}` } }));
    await acked;
    return new RawSocket(socket);
  }

  subscribe(id: string, query: string, variables: Record<string, unknown> = {}): void {
    this.socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } }));
  }

  nexts(id: string): unknown[] {
    return this.received.next.get(id) ?? [];
  }

  close(): void {
    this.socket.close();
  }
}

const sockets: RawSocket[] = [];
afterEach(async () => {
  sockets.splice(0).forEach((s) => s.close());
  await waitFor(() => app.services.events.subscriberCount === 0, 'subscriptions to be released');
});

async function open(memberId: string): Promise<RawSocket> {
  const socket = await RawSocket.open(app, memberId);
  sockets.push(socket);
  return socket;
}

it("gives each of a member's subscriptions its own selection and filter, exactly once, and nothing to other members", async () => {
  const [first] = await connect(app, 'member-share', 'INSTAGRAM', instagramUser(app).userId);
  const [second] = await connect(app, 'member-share', 'INSTAGRAM', instagramUser(app).userId);
  const one = await open('member-share');
  const two = await open('member-share');
  const stranger = await open('member-share-stranger');
  one.subscribe('full', FULL);
  one.subscribe('narrow', NARROW);
  one.subscribe('first-only', FULL, { accountId: first.id });
  two.subscribe('full', FULL);
  stranger.subscribe('full', FULL);
  await waitFor(() => app.services.events.subscriberCount === 5, 'five subscriptions');

  await app.gql(DisconnectSocialAccountDocument, { id: second.id }, { memberId: 'member-share' });
  await waitFor(() => one.nexts('full').length === 1 && one.nexts('narrow').length === 1 && two.nexts('full').length === 1, 'the deliveries');
  await sleep(200);

  const full = one.nexts('full')[0] as { data: { connectionStatusChanged: { status: string; account: Record<string, unknown> } } };
  expect(full.data.connectionStatusChanged).toMatchObject({
    previousStatus: 'CONNECTED',
    status: 'DISCONNECTED',
    account: { id: second.id, connectionStatus: 'DISCONNECTED' },
  });
  expect(two.nexts('full')).toEqual(one.nexts('full'));
  expect(one.nexts('narrow')).toEqual([{ data: { connectionStatusChanged: { status: 'DISCONNECTED', account: { username: second.username } } } }]);
  expect(one.nexts('first-only')).toEqual([]);
  expect(stranger.nexts('full')).toEqual([]);

  await app.gql(DisconnectSocialAccountDocument, { id: first.id }, { memberId: 'member-share' });
  await waitFor(() => one.nexts('first-only').length === 1, 'the filtered delivery');
  await sleep(200);
  expect(one.nexts('first-only')).toMatchObject([{ data: { connectionStatusChanged: { account: { id: first.id } } } }]);
  expect(one.nexts('full')).toHaveLength(2);
  expect(two.nexts('full')).toHaveLength(2);
  expect(stranger.nexts('full')).toEqual([]);
});

it('serializes each shared result once and sends those same bytes to every socket that shares it; errors keep their codes', async () => {
  const member = 'member-frames';
  const [account] = await connect(app, member, 'INSTAGRAM', instagramUser(app).userId);
  // statusHistory refuses the cursor: every subscriber of this document gets a result with errors.
  const FAILING = 'subscription { connectionStatusChanged { status account { id statusHistory(after: "garbage") { status } } } }';
  const a = await open(member);
  const b = await open(member);
  const c = await open(member);
  for (const socket of [a, b, c]) socket.subscribe('full', FULL);
  a.subscribe('full-account', FULL, { accountId: account.id }); // same document, other variables
  b.subscribe('narrow', NARROW); // other document
  a.subscribe('failing', FAILING);
  c.subscribe('failing', FAILING);
  await waitFor(() => app.services.events.subscriberCount === 7, 'seven subscriptions');
  const serializedBefore = await app.metric('graphql_ws_payloads_serialized_total');
  const framesBefore = await app.metric('graphql_ws_next_frames_total');

  await app.gql(DisconnectSocialAccountDocument, { id: account.id }, { memberId: member });
  const received = () => [
    a.nexts('full'),
    b.nexts('full'),
    c.nexts('full'),
    a.nexts('full-account'),
    b.nexts('narrow'),
    a.nexts('failing'),
    c.nexts('failing'),
  ];
  await waitFor(() => received().every((nexts) => nexts.length === 1), 'the deliveries');
  await sleep(200);

  // Four distinct (document, variables) for one event: four serializations for seven frames.
  expect((await app.metric('graphql_ws_payloads_serialized_total')) - serializedBefore).toBe(4);
  expect((await app.metric('graphql_ws_next_frames_total')) - framesBefore).toBe(7);
  const text = (socket: RawSocket, id: string) => socket.received.nextPayloadText.get(id)![0];
  expect(text(b, 'full')).toBe(text(a, 'full'));
  expect(text(c, 'full')).toBe(text(a, 'full'));
  expect(JSON.parse(text(a, 'full'))).toMatchObject({ data: { connectionStatusChanged: { status: 'DISCONNECTED', account: { id: account.id } } } });
  expect(JSON.parse(text(a, 'full-account'))).toEqual(JSON.parse(text(a, 'full')));
  expect(b.nexts('narrow')).toEqual([{ data: { connectionStatusChanged: { status: 'DISCONNECTED', account: { username: account.username } } } }]);
  expect(text(c, 'failing')).toBe(text(a, 'failing'));
  expect(JSON.parse(text(a, 'failing'))).toMatchObject({
    data: null,
    errors: [{ path: ['connectionStatusChanged', 'account', 'statusHistory'], extensions: { code: 'BAD_USER_INPUT' } }],
  });
});

/** A counter of the app's Prometheus registry, as /metrics exposes it. */

it('refuses an invalid subscription every time it is sent, not only the first', async () => {
  const socket = await open('member-share-invalid');
  socket.subscribe('a', 'subscription { connectionStatusChanged { nope } }');
  socket.subscribe('b', 'subscription { connectionStatusChanged { nope } }');
  await waitFor(() => socket.received.errors.size === 2, 'both refusals');
  for (const id of ['a', 'b']) {
    expect(socket.received.errors.get(id)).toMatchObject([[{ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }]]);
  }
  expect(app.services.events.subscriberCount).toBe(0);
});

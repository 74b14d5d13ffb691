import { print } from 'graphql';
import WebSocket from 'ws';
import { ConnectionStatusChangedDocument } from '../client/generated/graphql';
import { StatusSubscriber, waitFor } from './helpers/subscriptions';
import { appForThisFile, type TestApp } from './helpers/test-app';

const app = appForThisFile({
  env: { WS_CONNECTION_INIT_TIMEOUT_MS: '300', WS_MAX_MESSAGE_BYTES: '4096', WS_MAX_SUBSCRIPTIONS_PER_SOCKET: '2', WS_MAX_SOCKETS_PER_MEMBER: '2' },
});

const SUBSCRIBE = print(ConnectionStatusChangedDocument);

/** A graphql-transport-ws socket driven by hand: every message it receives, and how it closed. */
class RawSocket {
  readonly messages: Array<{ type: string; id?: string; payload?: unknown }> = [];
  readonly closed: Promise<number>;
  private readonly open: Promise<void>;
  private readonly socket: WebSocket;

  constructor(target: TestApp) {
    this.socket = new WebSocket(`${target.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    this.socket.on('message', (data) => this.messages.push(JSON.parse(String(data))));
    this.closed = new Promise((resolve) => this.socket.on('close', (code) => resolve(code)));
    this.open = new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('error', reject);
    });
  }

  opened(): Promise<void> {
    return this.open;
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  async init(memberId: string): Promise<void> {
    await this.opened();
    this.send({ type: 'connection_init', payload: { authorization: `Bearer ${app.tokenFor(memberId)}` } });
    await waitFor(() => this.messages.some((m) => m.type === 'connection_ack'), 'connection_ack');
  }

  subscribe(id: string): void {
    this.send({ id, type: 'subscribe', payload: { query: SUBSCRIBE } });
  }

  close(): void {
    this.socket.close();
  }
}

/** A normal client right after a refusal: connects, subscribes, becomes active. */
async function expectNormalSubscriberWorks(memberId: string) {
  const before = app.services.events.subscriberCount;
  const subscriber = new StatusSubscriber(app, `Bearer ${app.tokenFor(memberId)}`);
  try {
    await subscriber.ready(app, before + 1);
    expect(subscriber.errors).toEqual([]);
  } finally {
    await subscriber.close();
    // Released before the next test counts its own subscriptions.
    await waitFor(() => app.services.events.subscriberCount === before, 'the normal subscriber to be released');
  }
}

describe('WebSocket bounds', () => {
  it('closes a socket that sends no connection_init within WS_CONNECTION_INIT_TIMEOUT_MS with 4408', async () => {
    const silent = new RawSocket(app);
    await silent.opened();
    const openedAt = Date.now();
    expect(await silent.closed).toBe(4408);
    // The configured 300 ms, not graphql-ws's default of 3 s.
    expect(Date.now() - openedAt).toBeLessThan(2_500);
    expect(await app.metric('limit_refusals_total', { limit: 'ws_init_timeout' })).toBe(1);
    await expectNormalSubscriberWorks('ws-init');
  });

  it('closes a socket whose message is larger than WS_MAX_MESSAGE_BYTES with 1009', async () => {
    const socket = new RawSocket(app);
    await socket.init('ws-size');
    socket.send({ id: 'big', type: 'subscribe', payload: { query: `${SUBSCRIBE}\n#${'x'.repeat(5000)}` } });
    expect(await socket.closed).toBe(1009);
    expect(await app.metric('limit_refusals_total', { limit: 'ws_message_size' })).toBeGreaterThan(0);
    await expectNormalSubscriberWorks('ws-size');
  });

  it('refuses a subscription over WS_MAX_SUBSCRIPTIONS_PER_SOCKET with SUBSCRIPTION_LIMIT_EXCEEDED, keeping the socket and its others', async () => {
    const before = await app.metric('limit_refusals_total', { limit: 'ws_subscriptions_per_socket' });
    const active = app.services.events.subscriberCount;
    const socket = new RawSocket(app);
    await socket.init('ws-subs');
    socket.subscribe('1');
    socket.subscribe('2');
    await waitFor(() => app.services.events.subscriberCount === active + 2, 'two subscriptions');
    socket.subscribe('3');
    await waitFor(() => socket.messages.some((m) => m.id === '3'), 'an answer to the third');
    const answer = socket.messages.find((m) => m.id === '3')!;
    expect(answer.type).toBe('error');
    expect(answer.payload).toEqual([expect.objectContaining({ extensions: { code: 'SUBSCRIPTION_LIMIT_EXCEEDED', limit: 2 } })]);
    expect(await app.metric('limit_refusals_total', { limit: 'ws_subscriptions_per_socket' })).toBe(before + 1);

    // Completing one makes room, on the same socket.
    socket.send({ id: '1', type: 'complete' });
    await waitFor(() => app.services.events.subscriberCount === active + 1, 'the first to end');
    socket.subscribe('4');
    await waitFor(() => app.services.events.subscriberCount === active + 2, 'the fourth to start');
    expect(socket.messages.filter((m) => m.type === 'error')).toHaveLength(1);
    socket.close();
    await socket.closed;
  });

  it('closes a member socket over WS_MAX_SOCKETS_PER_MEMBER with 4429; other members and a freed slot connect', async () => {
    const before = await app.metric('limit_refusals_total', { limit: 'ws_sockets_per_member' });
    const memberId = 'ws-sockets';
    const first = new RawSocket(app);
    const second = new RawSocket(app);
    await first.init(memberId);
    await second.init(memberId);
    const third = new RawSocket(app);
    await third.opened();
    third.send({ type: 'connection_init', payload: { authorization: `Bearer ${app.tokenFor(memberId)}` } });
    expect(await third.closed).toBe(4429);
    expect(third.messages.some((m) => m.type === 'connection_ack')).toBe(false);
    expect(await app.metric('limit_refusals_total', { limit: 'ws_sockets_per_member' })).toBe(before + 1);

    await expectNormalSubscriberWorks('ws-sockets-neighbour');
    first.close();
    await first.closed;
    await waitFor(async () => {
      const retry = new RawSocket(app);
      await retry.opened();
      retry.send({ type: 'connection_init', payload: { authorization: `Bearer ${app.tokenFor(memberId)}` } });
      const outcome = await Promise.race([
        retry.closed.then(() => 'closed'),
        waitFor(() => retry.messages.some((m) => m.type === 'connection_ack'), 'ack').then(() => 'ack'),
      ]);
      retry.close();
      return outcome === 'ack';
    }, 'a freed slot');
    second.close();
  });

  it('applies the operation limits to subscribe documents too', async () => {
    const socket = new RawSocket(app);
    await socket.init('ws-armor');
    const nested = Array.from({ length: 9 }).reduce<string>((inner) => `... on SocialAccount { ${inner} }`, 'id');
    socket.send({ id: 'deep', type: 'subscribe', payload: { query: `subscription { connectionStatusChanged { account { ${nested} } } }` } });
    await waitFor(() => socket.messages.some((m) => m.id === 'deep'), 'an answer');
    const answer = socket.messages.find((m) => m.id === 'deep')!;
    expect(answer.type).toBe('error');
    expect(answer.payload).toEqual([expect.objectContaining({ extensions: { code: 'OPERATION_LIMIT_EXCEEDED', limit: 'depth' } })]);
    socket.close();
    await socket.closed;
  });
});

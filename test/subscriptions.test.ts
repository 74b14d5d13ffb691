import { LockMode } from '@mikro-orm/core';
import jwt from 'jsonwebtoken';
import WebSocket from 'ws';
import { DisconnectSocialAccountDocument, SyncSocialAccountDocument } from '../client/generated/graphql';
import { SocialAccount } from '../src/entities';
import { SocialConnectionStatus } from '../src/domain/social-account';
import { connect, instagramUser } from './helpers/flows';
import { sleep, StatusSubscriber, twoInstancesWithSubscribers, waitFor } from './helpers/subscriptions';
import { TEST_JWT_SECRET, TestApp } from './helpers/test-app';

const { instances, open, subscriber } = twoInstancesWithSubscribers();
let a: TestApp;
let b: TestApp;
beforeAll(() => ({ a, b } = instances));

describe('connectionStatusChanged across instances', () => {
  it('delivers a disconnect performed on instance B to a subscriber on instance A, with the account loaded fresh', async () => {
    const ig = instagramUser(a);
    const [account] = await connect(a, 'member-sub-1', 'INSTAGRAM', ig.userId);
    const s = await subscriber(a, 'member-sub-1');
    await b.gql(DisconnectSocialAccountDocument, { id: account.id }, { memberId: 'member-sub-1' });
    const change = await s.next();
    expect(change).toMatchObject({
      previousStatus: 'CONNECTED',
      status: 'DISCONNECTED',
      reason: 'Disconnected by the member.',
      account: { id: account.id, connectionStatus: 'DISCONNECTED' },
    });
    expect(Number.isNaN(Date.parse(change.changedAt))).toBe(false);
  });

  it('announces a new account with previousStatus null, and a revive', async () => {
    const s = await subscriber(a, 'member-sub-new');
    const ig = instagramUser(a);
    const [account] = await connect(b, 'member-sub-new', 'INSTAGRAM', ig.userId);
    expect(await s.next()).toMatchObject({ previousStatus: null, status: 'CONNECTED', account: { id: account.id } });
    await b.gql(DisconnectSocialAccountDocument, { id: account.id }, { memberId: 'member-sub-new' });
    expect((await s.next()).status).toBe('DISCONNECTED');
    await connect(b, 'member-sub-new', 'INSTAGRAM', ig.userId);
    expect(await s.next()).toMatchObject({ previousStatus: 'DISCONNECTED', status: 'CONNECTED' });
  });

  it("never sends a member another member's events", async () => {
    const mine = instagramUser(a);
    const theirs = instagramUser(a);
    const [myAccount] = await connect(a, 'member-sub-mine', 'INSTAGRAM', mine.userId);
    const [theirAccount] = await connect(a, 'member-sub-theirs', 'INSTAGRAM', theirs.userId);
    const s = await subscriber(a, 'member-sub-mine');
    await b.gql(DisconnectSocialAccountDocument, { id: theirAccount.id }, { memberId: 'member-sub-theirs' });
    await b.gql(DisconnectSocialAccountDocument, { id: myAccount.id }, { memberId: 'member-sub-mine' });
    expect((await s.next()).account.id).toBe(myAccount.id);
    await sleep(200);
    expect(s.events.map((e) => e.account.id)).toEqual([myAccount.id]);
  });

  it("filters by accountId, and refuses another member's accountId with NOT_FOUND", async () => {
    const one = instagramUser(a);
    const two = instagramUser(a);
    const [first] = await connect(a, 'member-sub-filter', 'INSTAGRAM', one.userId);
    const [second] = await connect(a, 'member-sub-filter', 'INSTAGRAM', two.userId);
    const s = await subscriber(a, 'member-sub-filter', { accountId: second.id });
    await b.gql(DisconnectSocialAccountDocument, { id: first.id }, { memberId: 'member-sub-filter' });
    await b.gql(DisconnectSocialAccountDocument, { id: second.id }, { memberId: 'member-sub-filter' });
    expect((await s.next()).account.id).toBe(second.id);
    await sleep(200);
    expect(s.events).toHaveLength(1);

    const intruder = new StatusSubscriber(a, `Bearer ${a.tokenFor('member-sub-intruder')}`, { accountId: second.id });
    open.push(intruder);
    await waitFor(() => intruder.errors.length > 0, 'the NOT_FOUND error');
    expect(JSON.stringify(intruder.errors)).toContain('NOT_FOUND');
  });

  it('announces nothing for a rolled-back transition, and nothing for a sync that changes no status', async () => {
    const ig = instagramUser(a);
    const [account] = await connect(a, 'member-sub-rollback', 'INSTAGRAM', ig.userId);
    const s = await subscriber(a, 'member-sub-rollback');
    await expect(
      b.handles.orm.em.fork().transactional(async (tx) => {
        const locked = await tx.findOneOrFail(SocialAccount, account.id, { lockMode: LockMode.PESSIMISTIC_WRITE });
        await b.services.status.transition(tx as never, locked, SocialConnectionStatus.EXPIRED, 'about to roll back');
        await tx.flush();
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    await b.gql(SyncSocialAccountDocument, { id: account.id }, { memberId: 'member-sub-rollback' });
    await b.gql(DisconnectSocialAccountDocument, { id: account.id }, { memberId: 'member-sub-rollback' });
    expect(await s.next()).toMatchObject({ previousStatus: 'CONNECTED', status: 'DISCONNECTED' });
    await sleep(200);
    expect(s.events).toHaveLength(1);
  });

  it('keeps subscribers attached while the LISTEN connection is re-established after a database restart', async () => {
    const ig = instagramUser(a);
    const [account] = await connect(a, 'member-sub-restart', 'INSTAGRAM', ig.userId);
    // Deterministic by construction: a subscription starts after the member's last committed
    // position, so the connect's NOTIFY arriving late delivers nothing; and what is committed while
    // the listener is gone is read back by position once it listens again.
    const s = await subscriber(a, 'member-sub-restart');
    // What a database restart does to the listener: its backend goes away.
    await b.sql("select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'status-event-listener' and datname = current_database()");
    // Committed at once: most likely while A is not listening.
    await b.gql(DisconnectSocialAccountDocument, { id: account.id }, { memberId: 'member-sub-restart' });
    await waitFor(() => a.logs.some((l) => l.includes('reconnecting')), 'the reconnect warning');
    await waitFor(() => a.services.events.listening, 'the listener to come back');
    expect(await s.next()).toMatchObject({ previousStatus: 'CONNECTED', status: 'DISCONNECTED' });
    await b.gql(DisconnectSocialAccountDocument, { id: account.id }, { memberId: 'member-sub-restart' }); // idempotent: no event
    await connect(b, 'member-sub-restart', 'INSTAGRAM', ig.userId);
    expect(await s.next()).toMatchObject({ previousStatus: 'DISCONNECTED', status: 'CONNECTED' });
    expect(s.events.map((e) => e.status)).toEqual(['DISCONNECTED', 'CONNECTED']);
  });
});

describe('subscription authentication and lifecycle', () => {
  it('closes with 4403 before any subscribe when the token is missing, bad or expired', async () => {
    const expired = jwt.sign({}, TEST_JWT_SECRET, { subject: 'm', expiresIn: -5 });
    for (const authorization of [undefined, 'Bearer nope', `Bearer ${expired}`]) {
      const s = new StatusSubscriber(a, authorization);
      open.push(s);
      expect(await s.closed).toBe(4403);
      expect(s.events).toHaveLength(0);
    }
  });

  it('accepts the bare token without "Bearer"', async () => {
    const s = new StatusSubscriber(a, a.tokenFor('member-bare'));
    open.push(s);
    await s.ready(a, 1);
  });

  it('closes the socket when the JWT expires', async () => {
    const token = jwt.sign({}, TEST_JWT_SECRET, { subject: 'member-exp', expiresIn: 2 });
    const s = new StatusSubscriber(a, `Bearer ${token}`);
    open.push(s);
    const started = Date.now();
    expect(await s.closed).toBe(4403);
    expect(Date.now() - started).toBeGreaterThan(500);
  });

  it('returns the listener count to its baseline after clients go away', async () => {
    await waitFor(() => a.services.events.subscriberCount === 0, 'a quiet instance');
    const clients = await Promise.all(Array.from({ length: 5 }, (_, i) => subscriber(a, `member-leak-${i}`)));
    await waitFor(() => a.services.events.subscriberCount === 5, 'five subscriptions');
    await Promise.all(clients.map((c) => c.close()));
    await waitFor(() => a.services.events.subscriberCount === 0, 'the baseline again');
  });

  it('drops a client that stops answering pings, releasing its subscription', async () => {
    const c = await TestApp.start({ share: a, env: { WS_KEEPALIVE_MS: '300' } });
    try {
      // A peer that vanished: it never answers WebSocket pings.
      const socket = new WebSocket(`${c.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', { autoPong: false });
      await new Promise((resolve) => socket.once('open', resolve));
      const acked = new Promise((resolve) => socket.once('message', resolve));
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${c.tokenFor('member-ghost')}` } }));
      await acked;
      socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { connectionStatusChanged { status } }' } }));
      await waitFor(() => c.services.events.subscriberCount === 1, 'the ghost subscription');
      const closed = new Promise<number>((resolve) => socket.once('close', resolve));
      expect(await closed).toBe(1006);
      await waitFor(() => c.services.events.subscriberCount === 0, 'the ghost to be released');
    } finally {
      await c.close();
    }
  });

  it('spreads the heartbeat pings over the interval instead of pinging every socket in one loop', async () => {
    // 2 s interval: 8 slices of 250 ms, so 16 sockets get their pings in 8 groups across the interval.
    const c = await TestApp.start({ share: a, env: { WS_KEEPALIVE_MS: '2000' } });
    const sockets: WebSocket[] = [];
    try {
      for (let i = 0; i < 16; i++) {
        const socket = new WebSocket(`${c.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
        await new Promise((resolve) => socket.once('open', resolve));
        const acked = new Promise((resolve) => socket.once('message', resolve));
        socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${c.tokenFor(`member-ping-${i}`)}` } }));
        await acked;
        sockets.push(socket);
      }
      // The first ping each socket gets once all are connected: one round of the heartbeat.
      const pingedAt = await Promise.all(sockets.map((socket) => new Promise<number>((resolve) => socket.once('ping', () => resolve(Date.now())))));
      const spread = Math.max(...pingedAt) - Math.min(...pingedAt);
      expect(spread).toBeGreaterThanOrEqual(1000); // one loop would ping all 16 within a few ms
      expect(sockets.every((socket) => socket.readyState === WebSocket.OPEN)).toBe(true); // answering peers stay
    } finally {
      sockets.forEach((socket) => socket.close());
      await c.close();
    }
  });

  it('closes subscriptions with 1001 on shutdown', async () => {
    const c = await TestApp.start({ share: a });
    const s = new StatusSubscriber(c, `Bearer ${c.tokenFor('member-shutdown')}`);
    await s.ready(c, 1);
    await c.handles.close();
    expect(await s.closed).toBe(1001);
  });
});

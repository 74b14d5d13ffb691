import { Client } from 'pg';
import { DisconnectSocialAccountDocument, StatusHistoryDocument } from '../client/generated/graphql';
import { STATUS_CHANNEL } from '../src/services/events/topics';
import { connect, facebookUser, instagramUser } from './helpers/flows';
import { sleep, StatusSubscriber, twoInstancesWithSubscribers, waitFor } from './helpers/subscriptions';
import { TestApp } from './helpers/test-app';

const { instances, open, subscriber } = twoInstancesWithSubscribers();
let a: TestApp;
let b: TestApp;
beforeAll(() => ({ a, b } = instances));
const DAY_MS = 86_400_000;

async function failingSubscriber(app: TestApp, memberId: string, variables: { accountId?: string; after?: string }) {
  const s = new StatusSubscriber(app, `Bearer ${app.tokenFor(memberId)}`, variables);
  open.push(s);
  await waitFor(() => s.errors.length > 0, 'the subscription error');
  return s.errors as Array<{ extensions?: { code?: string } }>;
}

const disconnect = (app: TestApp, memberId: string, id: string) => app.gql(DisconnectSocialAccountDocument, { id }, { memberId });

describe('resuming connectionStatusChanged with a cursor', () => {
  it('replays exactly the changes missed while closed, in commit order, then continues live, on another instance too', async () => {
    const member = 'member-resume-1';
    const ig = instagramUser(a);
    const [account] = await connect(a, member, 'INSTAGRAM', ig.userId);
    const first = await subscriber(a, member);
    await disconnect(b, member, account.id);
    const seen = await first.next();
    expect(seen).toMatchObject({ status: 'DISCONNECTED', cursor: expect.any(String) });
    await first.close();

    // Missed while closed: three changes, on both instances.
    await connect(b, member, 'INSTAGRAM', ig.userId);
    await disconnect(a, member, account.id);
    await connect(a, member, 'INSTAGRAM', ig.userId);

    const resumed = await subscriber(b, member, { after: seen.cursor });
    expect((await resumed.next()).status).toBe('CONNECTED');
    expect((await resumed.next()).status).toBe('DISCONNECTED');
    expect((await resumed.next()).status).toBe('CONNECTED');
    await disconnect(a, member, account.id);
    expect((await resumed.next()).status).toBe('DISCONNECTED');
    await sleep(200);
    expect(resumed.events.map((e) => e.status)).toEqual(['CONNECTED', 'DISCONNECTED', 'CONNECTED', 'DISCONNECTED']);
    expect(new Set(resumed.events.map((e) => e.cursor)).size).toBe(4);
    expect(resumed.events.some((e) => e.cursor === seen.cursor)).toBe(false);

    // The last cursor resumes with nothing to replay.
    const caughtUp = await subscriber(a, member, { after: resumed.events[3]!.cursor });
    await sleep(200);
    expect(caughtUp.events).toEqual([]);
  });

  it("replays only the chosen account's changes with accountId", async () => {
    const member = 'member-resume-account';
    const one = instagramUser(a);
    const two = instagramUser(a);
    const [first] = await connect(a, member, 'INSTAGRAM', one.userId);
    const [second] = await connect(a, member, 'INSTAGRAM', two.userId);
    const history = await a.gql(StatusHistoryDocument, { id: second.id }, { memberId: member });
    const cursor = history.data!.socialAccount!.statusHistory[0]!.cursor;
    await disconnect(b, member, first.id);
    await disconnect(b, member, second.id);
    const s = await subscriber(a, member, { accountId: second.id, after: cursor });
    expect(await s.next()).toMatchObject({ status: 'DISCONNECTED', account: { id: second.id } });
    await sleep(200);
    expect(s.events).toHaveLength(1);
  });

  it("refuses a malformed cursor and another member's cursor with BAD_USER_INPUT", async () => {
    const ig = instagramUser(a);
    const [account] = await connect(a, 'member-cursor-owner', 'INSTAGRAM', ig.userId);
    const history = await a.gql(StatusHistoryDocument, { id: account.id }, { memberId: 'member-cursor-owner' });
    const foreign = history.data!.socialAccount!.statusHistory[0]!.cursor;
    for (const after of ['not-a-cursor', Buffer.from('v1:zz:1:1').toString('base64url'), foreign]) {
      const errors = await failingSubscriber(a, 'member-cursor-thief', { after });
      expect(errors[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    const paged = await a.gql(StatusHistoryDocument, { id: account.id, after: 'garbage' }, { memberId: 'member-cursor-owner' });
    expect(paged.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('sends one NOTIFY for a connect that links several accounts, and one event per account', async () => {
    const member = 'member-one-notify';
    const fb = facebookUser(a, [{ instagram: {} }, { instagram: {} }, { instagram: {} }]);
    const s = await subscriber(a, member);
    const raw = new Client({ connectionString: a.databaseUrl });
    const notices: string[] = [];
    await raw.connect();
    try {
      raw.on('notification', (message) => {
        if (message.payload?.includes(member)) notices.push(message.payload);
      });
      await raw.query(`LISTEN ${STATUS_CHANNEL}`);
      const linked = await connect(b, member, 'FACEBOOK', fb.userId, { pageIds: fb.pageIds });
      expect(linked).toHaveLength(3);
      const events = [await s.next(), await s.next(), await s.next()];
      expect(new Set(events.map((e) => e.account.id))).toEqual(new Set(linked.map((l) => l.id)));
      await waitFor(() => notices.length > 0, 'the NOTIFY');
      await sleep(200);
      expect(notices).toHaveLength(1);
    } finally {
      await raw.end();
    }
  });
});

describe('SocialAccount.statusHistory', () => {
  it("is the account's timeline, newest first, paged with after", async () => {
    const member = 'member-history';
    const ig = instagramUser(a);
    const [account] = await connect(a, member, 'INSTAGRAM', ig.userId);
    await disconnect(a, member, account.id);
    await connect(b, member, 'INSTAGRAM', ig.userId);
    await disconnect(b, member, account.id);
    const all = await a.gql(StatusHistoryDocument, { id: account.id }, { memberId: member });
    expect(all.data!.socialAccount!.statusHistory.map((e) => [e.previousStatus, e.status])).toEqual([
      ['CONNECTED', 'DISCONNECTED'],
      ['DISCONNECTED', 'CONNECTED'],
      ['CONNECTED', 'DISCONNECTED'],
      [null, 'CONNECTED'],
    ]);
    const page1 = await a.gql(StatusHistoryDocument, { id: account.id, first: 2 }, { memberId: member });
    const page2 = await a.gql(
      StatusHistoryDocument,
      { id: account.id, first: 2, after: page1.data!.socialAccount!.statusHistory[1]!.cursor },
      { memberId: member },
    );
    expect([...page1.data!.socialAccount!.statusHistory, ...page2.data!.socialAccount!.statusHistory]).toEqual(all.data!.socialAccount!.statusHistory);
    const tooMany = await a.gql(StatusHistoryDocument, { id: account.id, first: 1000 }, { memberId: member });
    expect(tooMany.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

// Last in the file: it moves the shared manual clock.
describe('retention', () => {
  it('answers CURSOR_EXPIRED for a cursor older than STATUS_EVENT_RETENTION_DAYS, and the worker prunes old events in batches', async () => {
    const member = 'member-retention';
    const ig = instagramUser(a);
    const [account] = await connect(a, member, 'INSTAGRAM', ig.userId);
    await disconnect(a, member, account.id);
    const history = await a.gql(StatusHistoryDocument, { id: account.id }, { memberId: member });
    const cursor = history.data!.socialAccount!.statusHistory[1]!.cursor; // the connect: the disconnect came after it
    const present = a.clock.nowMs();
    a.clock.advance(31 * DAY_MS);
    try {
      const errors = await failingSubscriber(a, member, { after: cursor });
      expect(errors[0]?.extensions?.code).toBe('CURSOR_EXPIRED');

      const deleted = await a.services.retention.prune();
      expect(deleted).toBeGreaterThanOrEqual(1);
      expect(await a.sql('select id from connection_event where member_id = ?', [member])).toEqual([]);
    } finally {
      a.clock.set(present);
    }
    // Back at the cursor's time, it is still expired: the disconnect after it was pruned.
    await connect(a, member, 'INSTAGRAM', ig.userId);
    const errors = await failingSubscriber(b, member, { after: cursor });
    expect(errors[0]?.extensions?.code).toBe('CURSOR_EXPIRED');
    const after = await a.gql(StatusHistoryDocument, { id: account.id }, { memberId: member });
    expect(after.data!.socialAccount!.statusHistory.map((e) => e.status)).toEqual(['CONNECTED']);
  });
});

import { Client } from 'pg';
import { DisconnectSocialAccountDocument, SyncSocialAccountDocument } from '../client/generated/graphql';
import { connect, facebookUser } from './helpers/flows';
import { waitFor } from './helpers/subscriptions';
import { appForThisFile } from './helpers/test-app';

/**
 * One Facebook user linked by several members (an agency and the creator). Revoking the grant at
 * Meta (`DELETE /{user-id}/permissions`) ends that user's authorization for every token of the
 * app, so a member's disconnect must revoke only when no account of any member relies on it.
 */
const app = appForThisFile();

const revokes = () => app.emulator.control.calls.filter((c) => c.method === 'DELETE' && c.path.endsWith('/permissions'));
const validTokens = (fbUserId: string) => app.emulator.control.tokensOf(fbUserId).filter((t) => app.emulator.control.tokenInfo(t)?.valid);

async function rows(ids: string[]) {
  return app.sql<{ id: string; member_id: string; connection_status: string; account_token: string | null; grant_token: string | null }>(
    `select a.id, a.member_id, a.connection_status, a.token_encrypted as account_token, g.token_encrypted as grant_token
       from social_account a join meta_grant g on g.id = a.grant_id where a.id = any(?::uuid[]) order by a.member_id`,
    [`{${ids.join(',')}}`],
  );
}

async function rest(method: string, route: string, memberId: string) {
  const response = await fetch(`${app.url}/ai/instagram${route}`, { method, headers: { authorization: `Bearer ${app.tokenFor(memberId)}` } });
  return { status: response.status, body: (await response.json()) as { data: { connectionStatus: string; followersCount: number } | null; code?: string } };
}

/** Two members link the same Facebook user and its one Instagram account. */
async function sharedUser(prefix: string) {
  const fb = facebookUser(app, [{ instagram: { followersCount: 20_000 } }]);
  const [a] = await connect(app, `${prefix}-agency`, 'FACEBOOK', fb.userId);
  const [b] = await connect(app, `${prefix}-creator`, 'FACEBOOK', fb.userId);
  expect(a.platformUserId).toBe(b.platformUserId);
  return { fb, a: { member: `${prefix}-agency`, id: a.id }, b: { member: `${prefix}-creator`, id: b.id } };
}

describe('disconnecting an account whose Facebook user another member also linked', () => {
  it('keeps the grant at Meta while another member relies on it, and revokes with the last one (GraphQL)', async () => {
    const { fb, a, b } = await sharedUser('gql');
    // The emulator holds one authorization per Facebook user: both members' tokens are valid.
    expect(validTokens(fb.userId).length).toBeGreaterThanOrEqual(4);
    app.emulator.control.resetCalls();

    const first = await app.gql(DisconnectSocialAccountDocument, { id: a.id }, { memberId: a.member });
    expect(first.data?.disconnectSocialAccount.connectionStatus).toBe('DISCONNECTED');
    expect(revokes()).toHaveLength(0);
    // Only A's tokens are gone from our store; B's account keeps working with its own.
    expect(await rows([a.id, b.id])).toEqual([
      expect.objectContaining({ member_id: a.member, connection_status: 'DISCONNECTED', account_token: null, grant_token: null }),
      expect.objectContaining({ member_id: b.member, connection_status: 'CONNECTED', account_token: expect.any(String), grant_token: expect.any(String) }),
    ]);
    app.emulator.control.updateProfile(fb.igIds[0], { followersCount: 30_000 });
    const synced = await app.gql(SyncSocialAccountDocument, { id: b.id }, { memberId: b.member });
    expect(synced.errors).toBeUndefined();
    expect(synced.data?.syncSocialAccount).toMatchObject({ connectionStatus: 'CONNECTED', followersCount: 30_000 });

    await app.gql(DisconnectSocialAccountDocument, { id: b.id }, { memberId: b.member });
    expect(revokes()).toHaveLength(1);
    expect(revokes()[0].path).toContain(fb.userId);
    // Meta's revoke kills every token of that user for the app, whoever held it.
    expect(validTokens(fb.userId)).toEqual([]);
    expect((await rows([a.id, b.id])).map((r) => [r.connection_status, r.grant_token])).toEqual([
      ['DISCONNECTED', null],
      ['DISCONNECTED', null],
    ]);
  });

  it('follows the same rule through the REST facade', async () => {
    const { fb, a, b } = await sharedUser('rest');
    app.emulator.control.resetCalls();
    expect((await rest('DELETE', `/accounts/${a.id}`, a.member)).body.data?.connectionStatus).toBe('DISCONNECTED');
    expect(revokes()).toHaveLength(0);
    const synced = await rest('POST', `/accounts/${b.id}/sync`, b.member);
    expect(synced.status).toBe(200);
    expect(synced.body.data?.connectionStatus).toBe('CONNECTED');
    expect((await rest('DELETE', `/accounts/${b.id}`, b.member)).status).toBe(200);
    expect(revokes()).toHaveLength(1);
    expect(validTokens(fb.userId)).toEqual([]);
  });

  it('counts an account of another member that is EXPIRED or in ERROR as relying on the grant', async () => {
    const { a, b } = await sharedUser('expired');
    await app.sql(`update social_account set connection_status = 'ERROR' where id = ?`, [b.id]);
    app.emulator.control.resetCalls();
    await app.gql(DisconnectSocialAccountDocument, { id: a.id }, { memberId: a.member });
    expect(revokes()).toHaveLength(0);
  });

  it('revokes exactly once when both members disconnect their last accounts at the same moment', async () => {
    const { fb, a, b } = await sharedUser('race');
    app.emulator.control.resetCalls();
    // A real race, made certain: the test holds both members' grant rows, so both disconnects get
    // as far as they can, then are let go together.
    const holder = new Client({ connectionString: app.databaseUrl });
    const watcher = new Client({ connectionString: app.databaseUrl }); // outside the held transaction: pg_stat_activity is cached per transaction
    await Promise.all([holder.connect(), watcher.connect()]);
    try {
      await holder.query('begin');
      await holder.query('select id from meta_grant where meta_user_id = $1 for update', [fb.userId]);
      const waiting = async () =>
        (await watcher.query<{ n: number }>(`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`))
          .rows[0].n;
      const both = Promise.all([
        app.gql(DisconnectSocialAccountDocument, { id: a.id }, { memberId: a.member }),
        app.gql(DisconnectSocialAccountDocument, { id: b.id }, { memberId: b.member }),
      ]);
      await waitFor(async () => (await waiting()) >= 2, 'both disconnects waiting on a lock', 15_000);
      await holder.query('commit');
      const answers = await both;
      expect(answers.map((r) => r.data?.disconnectSocialAccount.connectionStatus)).toEqual(['DISCONNECTED', 'DISCONNECTED']);
    } finally {
      await Promise.all([holder.end(), watcher.end()]);
    }
    // The revoke runs before the mutation answers: exactly one, by whichever decided last.
    expect(revokes()).toHaveLength(1);
    expect(validTokens(fb.userId)).toEqual([]);
    expect((await rows([a.id, b.id])).map((r) => [r.connection_status, r.grant_token])).toEqual([
      ['DISCONNECTED', null],
      ['DISCONNECTED', null],
    ]);
  });
});

import { DisconnectSocialAccountDocument, SocialAccountDocument, SyncSocialAccountDocument } from '../client/generated/graphql';
import { rotateStoredTokens } from '../src/services/tokens/key-rotation';
import { ensureBuilt } from './helpers/dist';
import { connect, facebookUser, instagramUser } from './helpers/flows';
import { NodeProcess } from './helpers/processes';
import { onlyError, TEST_JWT_SECRET, TestApp } from './helpers/test-app';

/**
 * Key rotation as an operator does it: the service runs with a new TOKEN_ENCRYPTION_KEY and the
 * previous one in TOKEN_ENCRYPTION_OLD_KEYS, `npm run rotate-keys` re-encrypts everything, /metrics
 * says when the old key holds nothing, and a token whose key was dropped too early makes its
 * account ask for a reconnect instead of crashing anything.
 */
jest.setTimeout(240_000);

const OLD = `k-old:${Buffer.alloc(32, 1).toString('base64')}`;
const NEW = `k-new:${Buffer.alloc(32, 2).toString('base64')}`;
const MEMBER = 'member-rotation';

let before: TestApp; // runs with the old key as its current one
let during: TestApp; // new key current, old key still configured
let after: TestApp; // only the new key
const accountIds: string[] = [];

async function storedKeyIds(): Promise<Record<string, number>> {
  const rows = await before.sql<{ key: string; n: number }>(
    `select split_part(token_encrypted, '.', 2) as key, count(*)::int as n from (
       select token_encrypted from meta_grant union all select token_encrypted from social_account) t
     where token_encrypted is not null group by 1`,
  );
  return Object.fromEntries(rows.map((r) => [r.key, r.n]));
}

async function storedTokenMetrics(app: TestApp): Promise<string[]> {
  const text = await (await fetch(`${app.url}/metrics`)).text();
  return text.split('\n').filter((l) => l.startsWith('stored_tokens{'));
}

beforeAll(async () => {
  before = await TestApp.start({ env: { TOKEN_ENCRYPTION_KEY: OLD } });
  // A Facebook grant with two Pages (one user token, two Page tokens) and two Instagram grants.
  const fb = facebookUser(before, [{ instagram: {} }, { instagram: {} }]);
  for (const account of await connect(before, MEMBER, 'FACEBOOK', fb.userId, { pageIds: fb.pageIds })) accountIds.push(account.id);
  for (let i = 0; i < 2; i++) for (const account of await connect(before, MEMBER, 'INSTAGRAM', instagramUser(before).userId)) accountIds.push(account.id);
  during = await TestApp.start({ share: before, env: { TOKEN_ENCRYPTION_KEY: NEW, TOKEN_ENCRYPTION_OLD_KEYS: OLD } });
  after = await TestApp.start({ share: before, env: { TOKEN_ENCRYPTION_KEY: NEW } });
});

afterAll(async () => {
  await after?.close();
  await during?.close();
  await before?.close();
});

describe('rotating the token encryption key', () => {
  it('re-encrypts in bounded batches, survives an interruption, and a rerun finishes the job', async () => {
    expect(await storedKeyIds()).toEqual({ 'k-old': 5 }); // 3 grant tokens, 2 Page tokens
    expect(await storedTokenMetrics(during)).toEqual(['stored_tokens{key_id="k-old",key="old"} 5']);

    const batches: number[] = [];
    const interrupted = rotateStoredTokens(during.handles.orm, during.services.tokenCipher, {
      batchSize: 2,
      afterBatch: (_kind, counts) => {
        batches.push(counts.rotated);
        throw new Error('interrupted');
      },
    });
    await expect(interrupted).rejects.toThrow('interrupted');
    expect(batches).toEqual([2]);
    expect(await storedKeyIds()).toEqual({ 'k-old': 3, 'k-new': 2 }); // the committed batch stays done

    const report = await rotateStoredTokens(during.handles.orm, during.services.tokenCipher, { batchSize: 2 });
    expect(report.grant).toEqual({ rotated: 1, alreadyCurrent: 2, changedMeanwhile: 0, unreadable: {} });
    expect(report.account).toEqual({ rotated: 2, alreadyCurrent: 0, changedMeanwhile: 0, unreadable: {} });
    expect(await storedKeyIds()).toEqual({ 'k-new': 5 });
    expect(await storedTokenMetrics(during)).toEqual(['stored_tokens{key_id="k-new",key="current"} 5']);

    // The old key can go: a process with only the new key uses every account.
    for (const id of accountIds) {
      const synced = await after.gql(SyncSocialAccountDocument, { id }, { memberId: MEMBER });
      expect(synced.errors).toBeUndefined();
    }
  });

  it('npm run rotate-keys prints counts, and names tokens no configured key opens (exit code 2)', async () => {
    await ensureBuilt();
    // One more connection sealed under the old key, after the rotation ran.
    const [late] = await connect(before, MEMBER, 'INSTAGRAM', instagramUser(before).userId);
    const env = { NODE_ENV: 'test', DATABASE_URL: before.databaseUrl, JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'error' };

    const withoutOldKey = new NodeProcess('rotate-keys', 'cli/rotate-keys.js', { ...env, TOKEN_ENCRYPTION_KEY: NEW });
    expect(await withoutOldKey.exited).toBe(2);
    expect(withoutOldKey.text).toMatch(/Meta grants: +rotated 0, already current 3, changed meanwhile 0, unreadable 1/);
    expect(withoutOldKey.text).toMatch(/Cannot open 1 under key "k-old".*TOKEN_ENCRYPTION_OLD_KEYS/);
    expect(withoutOldKey.text).not.toContain(OLD.split(':')[1]);
    expect(await storedTokenMetrics(after)).toEqual(['stored_tokens{key_id="k-new",key="current"} 5', 'stored_tokens{key_id="k-old",key="not_configured"} 1']);

    const withOldKey = new NodeProcess('rotate-keys', 'cli/rotate-keys.js', { ...env, TOKEN_ENCRYPTION_KEY: NEW, TOKEN_ENCRYPTION_OLD_KEYS: OLD });
    expect(await withOldKey.exited).toBe(0);
    expect(withOldKey.text).toMatch(/Meta grants: +rotated 1, already current 3/);
    expect(withOldKey.text).toMatch(/Every stored token is under key "k-new"/);
    expect((await after.gql(SyncSocialAccountDocument, { id: late.id }, { memberId: MEMBER })).errors).toBeUndefined();
  });

  it('a token sealed with a key no longer configured: the account says it needs reconnecting, nothing crashes', async () => {
    const [orphan] = await connect(before, MEMBER, 'INSTAGRAM', instagramUser(before).userId);
    const sync = await after.gql(SyncSocialAccountDocument, { id: orphan.id }, { memberId: MEMBER });
    const error = onlyError(sync);
    expect(error.extensions.code).toBe('TOKEN_EXPIRED');
    expect(error.message).toMatch(/encrypted with a key that is no longer configured.*reconnect/);
    const account = (await after.gql(SocialAccountDocument, { id: orphan.id }, { memberId: MEMBER })).data?.socialAccount;
    expect(account).toMatchObject({ connectionStatus: 'EXPIRED', statusReason: expect.stringMatching(/reconnect the account/) });
    // Disconnecting still works (there is nothing to revoke with).
    const disconnected = await after.gql(DisconnectSocialAccountDocument, { id: orphan.id }, { memberId: MEMBER });
    expect(disconnected.data?.disconnectSocialAccount.connectionStatus).toBe('DISCONNECTED');
    expect(after.logs.join('')).not.toMatch(/TokenDecryptionError|unexpected error/);
  });
});

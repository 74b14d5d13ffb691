import { LONG_LIVED_SECONDS } from '../../src/sandbox/emulator/world';
import { TestApp } from './test-app';

/** How long the emulator's long-lived tokens live, as Meta's do (about 60 days). */
export const LONG_LIVED_TOKEN_MS = LONG_LIVED_SECONDS * 1000;

/**
 * For worker test files, where each test gets its own app and database (the worker sweeps every
 * due account and the tests move one shared clock far): the returned `start` starts the test's
 * app and hands it to `use`; it is closed after the test.
 */
export function appPerTest(use: (app: TestApp) => void): (env?: Record<string, string>) => Promise<TestApp> {
  let current: TestApp | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return async (env = {}) => {
    current = await TestApp.start({ env });
    use(current);
    return current;
  };
}

/**
 * Stores Business Login grants and accounts for these long-lived Instagram tokens, issued at
 * `issuedAt`, synced and due for a check at `now`: many due accounts without a login flow each.
 */
export async function insertInstagramAccounts(
  app: TestApp,
  seed: {
    memberId: string;
    usernamePrefix: string;
    issuedAt: Date;
    now: Date;
    accounts: Array<{ id: string; userId: string; grantId: string; token: string }>;
  },
): Promise<void> {
  const { memberId, usernamePrefix, issuedAt, now, accounts } = seed;
  const expiresAt = new Date(issuedAt.getTime() + LONG_LIVED_TOKEN_MS);
  await app.sql(
    `insert into meta_grant (id, member_id, provider, meta_user_id, token_encrypted, token_issued_at, token_expires_at, scopes, created_at, updated_at)
     select g.id, ?, 'INSTAGRAM', g.user_id, g.token, ?, ?, '{instagram_business_basic}', ?, ? from jsonb_to_recordset(?::jsonb) as g(id uuid, user_id text, token text)`,
    [
      memberId,
      issuedAt,
      expiresAt,
      issuedAt,
      issuedAt,
      JSON.stringify(accounts.map((a) => ({ id: a.grantId, user_id: a.userId, token: app.services.vault.sealGrantToken(a.grantId, a.token) }))),
    ],
  );
  await app.sql(
    `insert into social_account (id, member_id, provider, platform_user_id, username, grant_id, token_expires_at, last_synced_at, connected_at, created_at, updated_at, next_check_at)
     select a.id, ?, 'INSTAGRAM', a.user_id, ? || a.user_id, a.grant_id, ?, ?, ?, ?, ?, ? from jsonb_to_recordset(?::jsonb) as a(id uuid, user_id text, grant_id uuid)`,
    [
      memberId,
      usernamePrefix,
      expiresAt,
      now,
      issuedAt,
      issuedAt,
      now,
      now,
      JSON.stringify(accounts.map((a) => ({ id: a.id, user_id: a.userId, grant_id: a.grantId }))),
    ],
  );
}

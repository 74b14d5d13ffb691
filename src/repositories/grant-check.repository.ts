import type { EntityManager } from '@mikro-orm/postgresql';

export interface GrantTokenWrite {
  grantId: string;
  /** The sealed token the refresh started from; the write only happens if it is still stored. */
  previousSealed: string;
  sealed: string;
  issuedAt: Date;
  expiresAt: Date;
}

/**
 * The lifecycle worker's statements on `meta_grant`: who may call Meta for a grant now (the grant
 * claim), what debug_token said about it, and the Instagram tokens a batch refreshed. Each is a
 * compare-and-set, so concurrent workers and a member's reconnect never overwrite each other.
 */
export class GrantCheckRepository {
  constructor(private readonly em: EntityManager) {}

  /**
   * Claims the grant's check for this worker: succeeds for one worker per `minIntervalMs` (its
   * `last_checked_at` moves to `now`), even when several of the grant's accounts are claimed by
   * different workers, so Meta is called once per grant and round.
   */
  async claimCheck(grantId: string, now: Date, minIntervalMs: number): Promise<boolean> {
    const rows = await this.em.execute<Array<{ id: string }>>(
      `update meta_grant set last_checked_at = ? where id = ? and (last_checked_at is null or last_checked_at <= ?) returning id`,
      [now, grantId, new Date(now.getTime() - minIntervalMs)],
    );
    return rows.length === 1;
  }

  /** Stores what debug_token said about the user token's deadlines. */
  async recordCheck(grantId: string, deadlines: { tokenExpiresAt: Date | null; dataAccessExpiresAt: Date | null }, now: Date): Promise<void> {
    await this.em.execute('update meta_grant set token_expires_at = ?, data_access_expires_at = ?, updated_at = ? where id = ?', [
      deadlines.tokenExpiresAt,
      deadlines.dataAccessExpiresAt,
      now,
      grantId,
    ]);
  }

  /** Undoes a claim whose check could not run (Meta refused our app token): the grant stays due. */
  async giveBackCheck(grantId: string, lastCheckedAt: Date | null): Promise<void> {
    await this.em.execute('update meta_grant set last_checked_at = ? where id = ?', [lastCheckedAt, grantId]);
  }

  /**
   * Stores a batch's refreshed tokens in one statement, each as a compare-and-swap on the token it
   * replaced (a reconnect in between wins). Returns the grants that were written.
   */
  async storeRefreshedTokens(writes: GrantTokenWrite[]): Promise<Set<string>> {
    if (writes.length === 0) return new Set();
    const rows = await this.em.execute<Array<{ id: string }>>(
      `update meta_grant g set token_encrypted = r.sealed, token_issued_at = r.issued_at, token_expires_at = r.expires_at,
              last_checked_at = r.issued_at, updated_at = now()
         from jsonb_to_recordset(?::jsonb) as r(id uuid, previous text, sealed text, issued_at timestamptz, expires_at timestamptz)
        where g.id = r.id and g.token_encrypted = r.previous
        returning g.id`,
      [
        JSON.stringify(
          writes.map((w) => ({
            id: w.grantId,
            previous: w.previousSealed,
            sealed: w.sealed,
            issued_at: w.issuedAt.toISOString(),
            expires_at: w.expiresAt.toISOString(),
          })),
        ),
      ],
    );
    return new Set(rows.map((r) => r.id));
  }
}

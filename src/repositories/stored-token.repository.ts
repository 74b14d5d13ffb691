import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * The sealed token columns of meta_grant and social_account, read and rewritten across the table
 * by key rotation and counted for /metrics. A sealed token is `v1.<key id>.<...>`: its key id is
 * the second dot-separated part.
 */

export type TokenTable = 'meta_grant' | 'social_account';

/** How many of the table's tokens are sealed under `keyId`. */
export async function countTokensUnderKey(em: EntityManager, table: TokenTable, keyId: string): Promise<number> {
  const [{ n }] = await em.execute<Array<{ n: number }>>(
    `select count(*)::int as n from ${table} where token_encrypted is not null and split_part(token_encrypted, '.', 2) = ?`,
    [keyId],
  );
  return n;
}

/** The next `limit` tokens by id after `afterId` that are sealed under another key than `keyId` (keyset pagination). */
export function tokensNotUnderKey(
  em: EntityManager,
  table: TokenTable,
  keyId: string,
  afterId: string,
  limit: number,
): Promise<Array<{ id: string; sealed: string }>> {
  return em.execute<Array<{ id: string; sealed: string }>>(
    `select id, token_encrypted as sealed from ${table}
      where token_encrypted is not null and split_part(token_encrypted, '.', 2) <> ? and id > ?
      order by id limit ?`,
    [keyId, afterId, limit],
  );
}

/** Writes each row's new token where its token is still `previous` (compare-and-swap); returns the ids written. */
export async function swapTokens(em: EntityManager, table: TokenTable, swaps: Array<{ id: string; previous: string; sealed: string }>): Promise<string[]> {
  const rows = await em.execute<Array<{ id: string }>>(
    `update ${table} t set token_encrypted = r.sealed
       from jsonb_to_recordset(?::jsonb) as r(id uuid, previous text, sealed text)
      where t.id = r.id and t.token_encrypted = r.previous
      returning t.id`,
    [JSON.stringify(swaps)],
  );
  return rows.map((r) => r.id);
}

/** Stored tokens of both tables per key id. */
export function storedTokensByKey(em: EntityManager): Promise<Array<{ keyId: string; n: number }>> {
  return em.execute<Array<{ keyId: string; n: number }>>(
    `select key_id as "keyId", count(*)::int as n from (
        select split_part(token_encrypted, '.', 2) as key_id from meta_grant where token_encrypted is not null
        union all
        select split_part(token_encrypted, '.', 2) from social_account where token_encrypted is not null
      ) tokens group by key_id order by key_id`,
  );
}

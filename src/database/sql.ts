import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * SQL helpers shared by the repositories. Array parameters are passed as one array literal
 * (`= any(?::uuid[])`), because the query builder would expand a JS array into a list of
 * placeholders instead.
 */

/** A PostgreSQL uuid[] literal; uuids need no quoting. */
export function pgUuidArray(ids: string[]): string {
  return `{${ids.join(',')}}`;
}

/** A PostgreSQL text[] literal, each value quoted (ids from Meta are digits only, quoted anyway). */
export function pgTextArray(values: string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}

/**
 * Deletes up to `limit` rows of `table` matching `where` that no other transaction holds, in one
 * statement; returns how many went. `skip locked`: sweeps running at once on several instances
 * take different rows instead of waiting on each other. `table`, `key` and `where` are our own
 * SQL, never input; values go in `params`.
 */
export async function deleteUnlockedBatch(
  em: EntityManager,
  batch: { table: string; key: string; where: string; params: unknown[]; limit: number },
): Promise<number> {
  const { table, key, where, params, limit } = batch;
  const rows = await em.execute<Array<{ n: string }>>(
    `with doomed as (select "${key}" from "${table}" where ${where} limit ? for update skip locked)
     , gone as (delete from "${table}" where "${key}" in (select "${key}" from doomed) returning 1)
     select count(*) as n from gone`,
    [...params, limit],
  );
  return Number(rows[0]?.n ?? 0);
}

/**
 * Array parameters for raw SQL. Passed as one array literal (`= any(?::uuid[])`), because the
 * query builder would expand a JS array into a list of placeholders instead.
 */

/** A PostgreSQL uuid[] literal; uuids need no quoting. */
export function pgUuidArray(ids: string[]): string {
  return `{${ids.join(',')}}`;
}

/** A PostgreSQL text[] literal, each value quoted (ids from Meta are digits only, quoted anyway). */
export function pgTextArray(values: string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}

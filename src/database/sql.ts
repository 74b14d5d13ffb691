/** A PostgreSQL array literal; the query builder would expand a JS array into a list instead. */
export function pgUuidArray(ids: string[]): string {
  return `{${ids.join(',')}}`;
}

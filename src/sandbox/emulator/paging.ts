import { unknownField, ok, type GraphResult } from './responses';
import type { project } from './fields';

const DEFAULT_PAGE_SIZE = 25;
const MAX_PAGE_SIZE = 100;

export interface PagedCall {
  path: string;
  params: Record<string, string>;
  version: string;
}

/**
 * Cursor paging the way Graph does it: `limit` (default 25, at most 100), `after`, and
 * `paging.cursors` plus an absolute `next` URL while more remain (docs/meta-platform.md, Paging).
 */
export function paged<T>(items: T[], view: (item: T) => ReturnType<typeof project>, call: PagedCall, baseUrl: string): GraphResult {
  const limit = Math.min(Math.max(Number(call.params.limit) || DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE);
  const offset = call.params.after ? Number(Buffer.from(call.params.after, 'base64url').toString()) || 0 : 0;
  const slice = items.slice(offset, offset + limit);
  const data: unknown[] = [];
  for (const item of slice) {
    const result = view(item);
    if (!('ok' in result)) return unknownField(result);
    data.push(result.ok);
  }
  const cursor = (n: number) => Buffer.from(String(n)).toString('base64url');
  const body: Record<string, unknown> = { data };
  if (slice.length > 0) {
    const paging: Record<string, unknown> = { cursors: { before: cursor(offset), after: cursor(offset + slice.length) } };
    if (offset + slice.length < items.length) {
      const next = new URL(`${baseUrl}/${call.version}${call.path}`);
      for (const [key, value] of Object.entries(call.params)) if (key !== 'after' && key !== 'appsecret_proof') next.searchParams.set(key, value);
      next.searchParams.set('limit', String(limit));
      next.searchParams.set('after', cursor(offset + slice.length));
      paging.next = next.toString();
    }
    body.paging = paging;
  }
  return ok(body);
}

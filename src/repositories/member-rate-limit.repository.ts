import type { EntityManager } from '@mikro-orm/postgresql';
import { deleteUnlockedBatch } from '../database/sql';

/** member_rate_limit: rate-limiter-flexible writes it; our only statement is housekeeping's. */

/** Deletes up to `limit` windows that ended before `epochMs` (the library's real-clock milliseconds); returns how many went. */
export function deleteWindowsEndedBefore(em: EntityManager, epochMs: number, limit: number): Promise<number> {
  return deleteUnlockedBatch(em, { table: 'member_rate_limit', key: 'key', where: '"expire" < ?', params: [epochMs], limit });
}

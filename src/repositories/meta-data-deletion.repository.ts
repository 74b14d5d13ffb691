import type { EntityManager } from '@mikro-orm/postgresql';
import { DataDeletionStatus } from '../entities';

/** meta_data_deletion: the sweep's claim (the rest goes through the entity). */

/** Locks one request whose grace has passed (SKIP LOCKED: instances sweeping at once take different ones); returns its id. */
export async function claimDueDeletionId(em: EntityManager, now: Date): Promise<string | undefined> {
  const [row] = await em.execute<Array<{ id: string }>>(
    `select id from meta_data_deletion where status = ? and delete_after <= ? order by delete_after limit 1 for update skip locked`,
    [DataDeletionStatus.RECEIVED, now],
  );
  return row?.id;
}

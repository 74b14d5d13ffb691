import type { EntityManager } from '@mikro-orm/postgresql';
import { PERSONAL_DATA_INVENTORY, type ErasureStep } from '../../domain/personal-data-inventory';
import {
  deleteAccounts,
  deleteAllWebhookEvents,
  deleteGrants,
  deleteMemberRateLimitWindows,
  deletePausesNaming,
  deleteRowsNaming,
  deleteSettledWebhookEvents,
  redactPendingWebhookEvents,
} from '../../repositories/privacy.repository';

/**
 * - `metaDataDeletion`: Meta's data deletion callback, for the accounts and grants its Meta user
 *   reaches (any member's); an account connected again since, or a grant renewed, is kept.
 * - `memberErasure`: everything of one member, whatever its state.
 */
export type ErasureKind = 'metaDataDeletion' | 'memberErasure';

export interface ErasureRequest {
  kind: ErasureKind;
  /** The accounts to erase (a data deletion's candidates; a member's accounts). */
  accountIds: string[];
  grantIds: string[];
  /** memberErasure: the member whose every row goes. */
  memberId?: string;
}

export interface ErasureResult {
  /** The accounts and grants that really went. */
  accountIds: string[];
  grantIds: string[];
  /** Rows deleted per table (every table of the inventory that the erasure visits). */
  deleted: Record<string, number>;
  /** Webhook events still pending whose bodies were cut down to ids and status. */
  webhookEventsRedacted: number;
}

/**
 * The one deletion routine: walks the personal-data inventory in its order and, per table, does
 * what the inventory says (delete the rows naming an erased account or member, run the table's
 * step, or keep it), in the caller's transaction. The accounts go first, which decides what is
 * erased; the other tables follow by those account ids.
 */
export async function eraseData(em: EntityManager, request: ErasureRequest): Promise<ErasureResult> {
  const memberErasure = request.kind === 'memberErasure';
  if (memberErasure && !request.memberId) throw new Error('a member erasure needs the member id');
  const memberIds = memberErasure ? [request.memberId!] : [];
  const result: ErasureResult = { accountIds: [], grantIds: [], deleted: {}, webhookEventsRedacted: 0 };
  const metaIds: string[] = [];
  let outbox: { events: number; deliveries: number } | undefined;

  const steps: Record<ErasureStep, (table: string) => Promise<number>> = {
    accounts: async () => {
      const gone = await deleteAccounts(em, request.accountIds, { onlyDisconnected: !memberErasure });
      result.accountIds = gone.ids;
      metaIds.push(...gone.metaIds);
      return gone.ids.length;
    },
    grants: async () => {
      const gone = await deleteGrants(em, request.grantIds, { onlyUnused: !memberErasure });
      result.grantIds = gone.ids;
      metaIds.push(...gone.metaIds);
      return gone.ids.length;
    },
    // webhook_event and webhook_delivery are one step: a delivery goes with its event.
    webhookOutbox: async (table) => {
      if (!outbox) {
        if (memberErasure) outbox = await deleteAllWebhookEvents(em, result.accountIds, request.memberId!);
        else {
          outbox = await deleteSettledWebhookEvents(em, result.accountIds);
          result.webhookEventsRedacted = await redactPendingWebhookEvents(em, result.accountIds);
        }
      }
      return table === 'webhook_delivery' ? outbox.deliveries : outbox.events;
    },
    memberRateLimits: async () => (memberErasure ? deleteMemberRateLimitWindows(em, request.memberId!) : 0),
    rateLimitPauses: async () => deletePausesNaming(em, [...new Set(metaIds)]),
  };

  for (const [table, entry] of Object.entries(PERSONAL_DATA_INVENTORY)) {
    const erasure = entry.erasure;
    switch (erasure.by) {
      case 'account': {
        let n = await deleteRowsNaming(em, table, erasure.column, result.accountIds, 'uuid');
        if (erasure.memberColumn) n += await deleteRowsNaming(em, table, erasure.memberColumn, memberIds, 'text');
        result.deleted[table] = n;
        break;
      }
      case 'member':
        result.deleted[table] = await deleteRowsNaming(em, table, erasure.column, memberIds, 'text');
        break;
      case 'step':
        result.deleted[table] = await steps[erasure.step](table);
        break;
      case 'keep':
        break;
    }
  }
  return result;
}

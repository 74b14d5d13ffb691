import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../clock';
import { ConnectionEvent, type SocialAccount } from '../../entities';
import type { SocialConnectionStatus } from '../../schema/enums';
import { encodeNotice, STATUS_CHANNEL } from '../events/topics';
import type { WebhookOutbox } from '../webhooks/webhook-outbox';

/**
 * The only writer of `connectionStatus`. A change writes the account, an event row and a NOTIFY,
 * all in the caller's transaction: PostgreSQL delivers the NOTIFY only on commit, so a rolled
 * back change is never announced and a committed one always is, on every instance.
 */
export class AccountStatusService {
  constructor(
    private readonly clock: Clock,
    /** Status webhooks: queued in this same transaction, so they share its fate. */
    private readonly webhooks?: WebhookOutbox,
  ) {}

  /**
   * Moves the account to `to`. Returns true when the status changed (and an event was emitted).
   * Same status: only the reason is refreshed, nothing is announced.
   * `created`: the account is new, so the event has no previous status.
   */
  async transition(
    em: EntityManager,
    account: SocialAccount,
    to: SocialConnectionStatus,
    reason: string | null,
    options: { created?: boolean } = {},
  ): Promise<boolean> {
    if (!em.isInTransaction()) throw new Error('AccountStatusService.transition must run inside a transaction');
    const previous = options.created ? null : account.connectionStatus;
    account.statusReason = reason;
    if (previous === to) return false;
    account.connectionStatus = to;
    const event = em.create(ConnectionEvent, {
      accountId: account.id,
      memberId: account.memberId,
      previousStatus: previous,
      status: to,
      reason,
      changedAt: this.clock.now(),
    });
    await this.webhooks?.enqueue(em, event, account);
    await em.execute('select pg_notify(?, ?)', [STATUS_CHANNEL, encodeNotice({ eventId: event.id, accountId: account.id, memberId: account.memberId })]);
    return true;
  }
}

import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../clock';
import { ConnectionEvent, type SocialAccount } from '../../entities';
import type { SocialConnectionStatus } from '../../domain/social-account';
import { nextMemberPosition, notifyStatusListeners } from '../../repositories/connection-event.repository';
import { encodeNotice, STATUS_CHANNEL } from '../events/topics';
import type { WebhookOutbox } from '../webhooks/webhook-outbox';

/**
 * The only writer of `connectionStatus`. A change writes the account, an event row with the
 * member's next position, and a NOTIFY, all in the caller's transaction: PostgreSQL delivers the
 * NOTIFY only on commit, so a rolled back change is never announced and a committed one always
 * is, on every instance.
 *
 * Positions (member_event_seq, see nextMemberPosition) are what subscribers and cursors order by:
 * per member, dense, in commit order. The NOTIFY says only "this member has new events": listeners
 * read everything after the last position they delivered. So one NOTIFY per member and
 * transaction is enough, however many accounts the transaction changes (a connect links every
 * Page's account at once): it is sent with the transaction's first change of that member.
 */
export class AccountStatusService {
  /** Members already announced per open transaction (keyed by the driver's transaction object). */
  private readonly announced = new WeakMap<object, Set<string>>();

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
    return (await this.record(em, account, to, reason, options)) !== undefined;
  }

  /** transition(), returning the event written (with its `position`), or undefined when the status did not change. */
  async record(
    em: EntityManager,
    account: SocialAccount,
    to: SocialConnectionStatus,
    reason: string | null,
    options: { created?: boolean } = {},
  ): Promise<ConnectionEvent | undefined> {
    if (!em.isInTransaction()) throw new Error('AccountStatusService.transition must run inside a transaction');
    const previous = options.created ? null : account.connectionStatus;
    const now = this.clock.now();
    // updatedAt moves with every change of the row, and is set here rather than by the entity's
    // onUpdate (at flush) so the webhook body written below already carries it.
    if ((account.statusReason ?? null) !== reason || previous !== to) account.updatedAt = now;
    account.statusReason = reason;
    if (previous === to) return undefined;
    account.connectionStatus = to;
    const position = await nextMemberPosition(em, account.memberId);
    const event = em.create(ConnectionEvent, {
      accountId: account.id,
      memberId: account.memberId,
      position,
      previousStatus: previous,
      status: to,
      reason,
      changedAt: now,
    });
    await this.webhooks?.enqueue(em, event, account);
    await this.announce(em, account.memberId);
    return event;
  }

  private async announce(em: EntityManager, memberId: string): Promise<void> {
    const transaction = em.getTransactionContext<object>();
    let members = transaction ? this.announced.get(transaction) : undefined;
    if (members?.has(memberId)) return;
    if (transaction) {
      if (!members) this.announced.set(transaction, (members = new Set()));
      members.add(memberId);
    }
    await notifyStatusListeners(em, STATUS_CHANNEL, encodeNotice({ memberId }));
  }
}

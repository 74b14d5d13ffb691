import type { MikroORM } from '@mikro-orm/postgresql';
import { forkEm, inTransaction } from '../../database/transaction';
import type { Clock } from '../../clock';
import type { WorkerConfig } from '../../config';
import { LoginProvider, SocialConnectionStatus } from '../../domain/social-account';
import { accountsDueReconnectNotice, lockAccountForReconnectNotice } from '../../repositories/webhook.repository';
import { accountSnapshotMapping } from '../../repositories/account-snapshots';
import { LifecycleSchedule } from '../worker/schedule';
import type { WebhookOutbox } from './webhook-outbox';

const DAY = 86400_000;
/** How long past its refresh moment an Instagram token must still be unrefreshed to count as stuck. */
const REFRESH_GRACE_MS = 3600_000;

/**
 * account.reconnect_needed: WEBHOOK_RECONNECT_NOTICE_DAYS before a CONNECTED account loses access
 * at a moment we know, so the platform can ask the creator to act before anything breaks:
 * - Facebook Login: `needsReconnectBy`, the earlier of the user token's expiry and Meta's data
 *   access expiry (90 days after the user last used the app; only a new login extends it);
 * - Business Login for Instagram: the token's expiry, once the token has not been refreshed an
 *   hour after it was due (the lifecycle worker refreshes it inside TOKEN_REFRESH_WINDOW_DAYS, so
 *   a token this close to its end is one Meta refuses to refresh, or one nobody can refresh).
 * One notice per account and deadline (a unique window key), however many workers scan: a
 * refresh or a reconnect moves the deadline and opens a new window.
 *
 * A notice is an event about the account like its status changes, so it is written the way they
 * are: under the account's row lock, after re-reading the account (writeNotice). The scan's read
 * only proposes candidates; a disconnect, revive or new deadline committed since wins, and a
 * notice whose premise (CONNECTED, this deadline) no longer holds is not written. Its place in the
 * outbox is therefore in commit order with the account's status events: never a CONNECTED notice
 * after the account.disconnected it did not know about.
 */
export class ReconnectNotices {
  private readonly schedule: LifecycleSchedule;

  constructor(private readonly deps: { orm: MikroORM; clock: Clock; outbox: WebhookOutbox; noticeDays: number; worker: WorkerConfig }) {
    this.schedule = new LifecycleSchedule(deps.worker);
  }

  /** Queues the notices that are due and not yet sent; returns how many. */
  async scan(): Promise<number> {
    if (!this.deps.outbox.enabled) return 0;
    const em = forkEm(this.deps.orm);
    const now = this.deps.clock.now();
    const horizon = new Date(now.getTime() + this.deps.noticeDays * DAY);
    const { toSnapshot } = accountSnapshotMapping(em);
    const rows = await accountsDueReconnectNotice(em, now, horizon);
    let queued = 0;
    for (const row of rows) {
      const deadline = new Date(row.deadline as string);
      const issuedAt = row.grantTokenIssuedAt ? new Date(row.grantTokenIssuedAt as string) : null;
      const memberId = row.memberId as string;
      delete row.deadline;
      delete row.grantTokenIssuedAt;
      delete row.memberId;
      const account = toSnapshot(row);
      if (account.provider === LoginProvider.INSTAGRAM) {
        const refreshDue = this.schedule.refreshDueAt(issuedAt, deadline);
        if (refreshDue && now.getTime() < refreshDue.getTime() + REFRESH_GRACE_MS) continue;
      }
      if (memberId && (await this.writeNotice(account.id, deadline))) queued++;
    }
    return queued;
  }

  /**
   * Writes one account's notice for `deadline` under the account's row lock, if the account is
   * still CONNECTED with that deadline; returns whether a notice was written.
   */
  async writeNotice(accountId: string, deadline: Date): Promise<boolean> {
    return inTransaction(this.deps.orm, async (tx) => {
      const row = await lockAccountForReconnectNotice(tx, accountId);
      if (!row) return false;
      const current = row.deadline ? new Date(row.deadline as string).getTime() : null;
      const memberId = row.memberId as string;
      delete row.deadline;
      delete row.memberId;
      const account = accountSnapshotMapping(tx).toSnapshot(row);
      if (account.connectionStatus !== SocialConnectionStatus.CONNECTED || current !== deadline.getTime()) return false;
      return this.deps.outbox.enqueueReconnectNeeded(tx, { ...account, memberId }, deadline);
    });
  }
}

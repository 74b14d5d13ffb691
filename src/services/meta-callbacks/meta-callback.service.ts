import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { forkEm, inTransaction } from '../../database/transaction';
import type { Clock } from '../../clock';
import type { MetaConfig } from '../../config';
import { DataDeletionStatus, MetaDataDeletion } from '../../entities';
import type { Logger } from '../../logger';
import { LoginProvider } from '../../domain/social-account';
import type { AccountStatusService } from '../accounts/account-status.service';
import { claimDueDeletion, completeDeletion, CONFIRMATION_CODE, foundNothing, markNothingFound, recordDeletionRequest } from './data-deletion';
import { disconnectMetaUserLinks, lockMetaUserLinks } from './meta-user-links';
import { verifySignedRequest, type SignedRequest } from './signed-request';
import { describeError } from '../../describe-error';

/** How often due deletions are looked for; the grace period itself is META_DATA_DELETION_GRACE_SECONDS. */
const SWEEP_INTERVAL_MS = 5_000;

export interface DataDeletionReceipt {
  url: string;
  confirmationCode: string;
}

export interface DataDeletionState {
  status: DataDeletionStatus;
  receivedAt: Date;
  completedAt: Date | null;
}

const PLATFORM_NAME: Record<LoginProvider, string> = { [LoginProvider.FACEBOOK]: 'Facebook', [LoginProvider.INSTAGRAM]: 'Instagram' };

/**
 * Meta's deauthorize and data deletion callbacks. Each verifies the signed_request with the app
 * secret of its flow, then acts on every account linked through that Meta user, for every member,
 * in one transaction; status changes go through AccountStatusService, so subscribers hear them.
 */
export class MetaCallbackService {
  private sweepTimer?: NodeJS.Timeout;
  private sweeping?: Promise<unknown>;

  constructor(
    private readonly deps: {
      orm: MikroORM;
      clock: Clock;
      logger: Logger;
      status: AccountStatusService;
      meta: MetaConfig;
      publicUrl: string;
    },
  ) {}

  /** Throws SignedRequestError when the request is not Meta's (bad signature, algorithm, age...). */
  verify(provider: LoginProvider, signedRequest: unknown): SignedRequest {
    const app = provider === LoginProvider.FACEBOOK ? this.deps.meta.facebook : this.deps.meta.instagram;
    return verifySignedRequest(signedRequest, app.secret, { now: this.deps.clock.now(), maxAgeSeconds: this.deps.meta.signedRequestMaxAgeSeconds });
  }

  /** The user removed the app: their accounts → DISCONNECTED, tokens deleted. Returns how many changed. */
  async deauthorize(provider: LoginProvider, signedRequest: unknown): Promise<{ disconnected: number }> {
    const { userId } = this.verify(provider, signedRequest);
    const reason = `You removed the app on ${PLATFORM_NAME[provider]}.`;
    const disconnected = await inTransaction(this.deps.orm, async (tx) => {
      const links = await lockMetaUserLinks(tx, provider, userId);
      return disconnectMetaUserLinks(tx, this.deps.status, links, reason, this.deps.clock.now());
    });
    this.deps.logger.info({ provider, disconnected }, 'Meta deauthorize callback handled');
    return { disconnected };
  }

  /**
   * The user asked for their data to be deleted: accounts → DISCONNECTED (events go out), tokens
   * and pending states deleted, an audit row written, all in one transaction. The account, grant
   * and event rows go in the same transaction when no subscriber can still be reading them, else
   * once the grace period has passed (the sweep); the status page says which.
   */
  async requestDataDeletion(provider: LoginProvider, signedRequest: unknown): Promise<DataDeletionReceipt> {
    const { userId } = this.verify(provider, signedRequest);
    const reason = `You removed the app on ${PLATFORM_NAME[provider]} and asked for your data to be deleted.`;
    const deletion = await inTransaction(this.deps.orm, async (em) => {
      const now = this.deps.clock.now();
      const links = await lockMetaUserLinks(em, provider, userId);
      await disconnectMetaUserLinks(em, this.deps.status, links, reason, now);
      const request = await recordDeletionRequest(em, { provider, metaUserId: userId, links, now, graceMs: this.deps.meta.dataDeletionGraceSeconds * 1000 });
      if (foundNothing(links)) markNothingFound(request, now);
      else if (request.deleteAfter.getTime() <= now.getTime()) await completeDeletion(em, request, now);
      return request;
    });
    this.deps.logger.info({ provider, confirmationCode: deletion.confirmationCode, status: deletion.status }, 'Meta data deletion request received');
    return { url: `${this.deps.publicUrl}/meta/data-deletion/${deletion.confirmationCode}`, confirmationCode: deletion.confirmationCode };
  }

  /** What the status page shows; null for an unknown (or malformed) code. */
  async deletionState(confirmationCode: string): Promise<DataDeletionState | null> {
    if (!CONFIRMATION_CODE.test(confirmationCode)) return null;
    const row = await this.fork().findOne(MetaDataDeletion, { confirmationCode });
    return row ? { status: row.status, receivedAt: row.receivedAt, completedAt: row.completedAt ?? null } : null;
  }

  /** Completes every deletion whose grace period has passed; returns how many. Safe on many instances at once. */
  async completeDueDeletions(): Promise<number> {
    let completed = 0;
    for (;;) {
      const done = await inTransaction(this.deps.orm, async (tx) => {
        const now = this.deps.clock.now();
        const deletion = await claimDueDeletion(tx, now);
        if (!deletion) return false;
        await completeDeletion(tx, deletion, now);
        this.deps.logger.info({ confirmationCode: deletion.confirmationCode, accountsDeleted: deletion.accountsDeleted }, 'Meta data deletion completed');
        return true;
      });
      if (!done) return completed;
      completed++;
    }
  }

  /** Starts the periodic sweep for due deletions (every process runs it; claims never overlap). */
  start(): void {
    if (this.sweepTimer) return;
    this.sweepTimer = setInterval(() => {
      if (this.sweeping) return;
      this.sweeping = this.completeDueDeletions()
        .catch((error: unknown) => this.deps.logger.error({ err: describeError(error) }, 'completing due data deletions failed; retrying on the next sweep'))
        .finally(() => (this.sweeping = undefined));
    }, SWEEP_INTERVAL_MS);
    this.sweepTimer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    await this.sweeping;
  }

  private fork(): EntityManager {
    return forkEm(this.deps.orm);
  }
}

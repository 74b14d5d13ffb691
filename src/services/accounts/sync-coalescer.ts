import type { EntityManager } from '@mikro-orm/postgresql';
import type { Pool, PoolClient } from 'pg';
import type { Clock } from '../../clock';
import { SocialAccount } from '../../entities';
import { AppError, ErrorCode } from '../../errors';
import type { Logger } from '../../logger';
import type { Metrics } from '../../metrics';
import { SocialConnectionStatus } from '../../domain/social-account';
import { accountDisconnected, type AccountService } from './account.service';
import { describeError } from '../../describe-error';

/** First key of our advisory locks on accounts ("sync"), so other advisory locks cannot collide. */
const SYNC_LOCK_NAMESPACE = 0x73796e63;

/**
 * In front of AccountService.sync, for the resolver and the REST facade: one Meta round trip per
 * account however many syncs arrive at once.
 *
 * - Within one operation (the 200-alias mutation): the account is synced once and every alias
 *   answers that result (`scope`, the operation's context).
 * - Concurrent syncs on this instance share the first one's outcome, error included.
 * - Across instances: a PostgreSQL advisory lock per account, held on a connection of our own
 *   while Meta is called (no transaction is open: AccountService never calls Meta inside one).
 *   Whoever waited for the lock finds the account synced since it looked and answers the stored
 *   figures instead of calling Meta again.
 * - A sync within SYNC_MIN_INTERVAL_SECONDS of the last successful one (status still CONNECTED)
 *   answers the stored figures: Meta's limits are shared by every member, and figures 30 seconds
 *   old are as fresh as a member can tell.
 */
export class SyncCoalescer {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly perOperation = new WeakMap<object, Map<string, Promise<SocialAccount>>>();

  constructor(
    private readonly deps: {
      accounts: AccountService;
      /** Connections that hold the advisory locks (never the ORM's: they stay out during a Meta call). */
      lockPool: Pool;
      clock: Clock;
      metrics: Metrics;
      logger: Logger;
      minIntervalMs: number;
    },
  ) {}

  sync(em: EntityManager, memberId: string, id: string, scope?: object): Promise<SocialAccount> {
    if (!scope) return this.syncOnce(em, memberId, id);
    let synced = this.perOperation.get(scope);
    if (!synced) this.perOperation.set(scope, (synced = new Map<string, Promise<SocialAccount>>()));
    const known = synced.get(id);
    if (known) {
      this.deps.metrics.syncsCoalesced.inc({ reason: 'same_operation' });
      return known;
    }
    const result = this.syncOnce(em, memberId, id);
    synced.set(id, result);
    return result;
  }

  private async syncOnce(em: EntityManager, memberId: string, id: string): Promise<SocialAccount> {
    const account = await this.deps.accounts.get(em, memberId, id); // NOT_FOUND / BAD_USER_INPUT first
    if (this.isFresh(account)) {
      this.deps.metrics.syncsCoalesced.inc({ reason: 'recent' });
      return account;
    }
    const seenSyncedAt = account.lastSyncedAt?.getTime() ?? null;
    const running = this.inFlight.get(id);
    if (running) {
      await running; // the leader's error is ours too: the same Meta answer, asked once
      this.deps.metrics.syncsCoalesced.inc({ reason: 'concurrent' });
      return this.reload(em, memberId, id);
    }
    // The finally below reads `leader`, so it is declared before the promise it is derived from.
    // eslint-disable-next-line prefer-const
    let leader!: Promise<void>;
    const result = (async () => {
      try {
        return await this.syncLocked(em, memberId, id, seenSyncedAt);
      } finally {
        if (this.inFlight.get(id) === leader) this.inFlight.delete(id);
      }
    })();
    leader = result.then(() => undefined);
    leader.catch(() => undefined); // observed by the waiters; the caller gets `result`
    this.inFlight.set(id, leader);
    return result;
  }

  /** Holds the account's advisory lock around the Meta call; a sync another instance finished meanwhile is answered as is. */
  private async syncLocked(em: EntityManager, memberId: string, id: string, seenSyncedAt: number | null): Promise<SocialAccount> {
    const connection = await this.lock(id);
    let released = false;
    try {
      const current = await this.reload(em, memberId, id);
      const syncedAt = current.lastSyncedAt?.getTime() ?? null;
      if (syncedAt !== seenSyncedAt) {
        this.deps.metrics.syncsCoalesced.inc({ reason: 'concurrent' });
        return current;
      }
      return await this.deps.accounts.sync(em, memberId, id);
    } finally {
      try {
        await connection.query('select pg_advisory_unlock($1, hashtext($2))', [SYNC_LOCK_NAMESPACE, id]);
      } catch (error) {
        // A dropped connection releases its session locks; destroy it rather than pool it.
        connection.release(error as Error);
        released = true;
      }
      if (!released) connection.release();
    }
  }

  private async lock(id: string): Promise<PoolClient> {
    const connection = await this.deps.lockPool.connect();
    // pg's pool listens for errors on idle clients only: a checked-out one that loses its server
    // (database restart during the Meta call) would otherwise raise an unhandled 'error'. The
    // next query on it fails and is handled where it is made.
    if (connection.listenerCount('error') === 0) connection.on('error', () => undefined);
    try {
      // Waits while another instance syncs this account (bounded by the pool's statement_timeout).
      await connection.query('select pg_advisory_lock($1, hashtext($2))', [SYNC_LOCK_NAMESPACE, id]);
      return connection;
    } catch (error) {
      connection.release(error as Error);
      this.deps.logger.warn({ accountId: id, err: describeError(error) }, 'waiting for another sync of this account failed');
      throw new AppError(ErrorCode.UPSTREAM_UNAVAILABLE, 'Another sync of this account is taking too long; try again shortly.');
    }
  }

  private isFresh(account: SocialAccount): boolean {
    if (this.deps.minIntervalMs <= 0 || account.connectionStatus !== SocialConnectionStatus.CONNECTED || !account.lastSyncedAt) return false;
    return this.deps.clock.now().getTime() - account.lastSyncedAt.getTime() < this.deps.minIntervalMs;
  }

  private async reload(em: EntityManager, memberId: string, id: string): Promise<SocialAccount> {
    const account = await this.deps.accounts.get(em, memberId, id, { refresh: true });
    if (account.connectionStatus === SocialConnectionStatus.DISCONNECTED) throw accountDisconnected();
    return account;
  }
}

import type { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import type { Clock } from '../../clock';
import { OutageLog } from '../../database/outage-log';
import { forkEm } from '../../database/transaction';
import type { Logger } from '../../logger';
import { activePauses, deletePausesEndedBefore, savePausesAndNotify } from '../../repositories/meta-rate-limit-pause.repository';
import { MetaRateLimitError } from './errors';
import { kindOfKey, type PauseRequest, type ScopeKind } from './rate-limit-scopes';
import { describeError } from '../../describe-error';

export interface GateEvents {
  /** A pause this process learned from Meta (not one it heard about from another process). */
  onPause?(kind: ScopeKind, key: string, seconds: number, reason: string): void;
}

const CHANNEL = 'meta_rate_limit_pause';
/** Safety net for a missed NOTIFY (listener reconnecting): reload the table this often. */
const RELOAD_INTERVAL_MS = 5_000;
/** Rows this long past their end are deleted on reload. */
const KEEP_EXPIRED_MS = 3_600_000;

const KIND_WORDS: Record<ScopeKind, string> = {
  app: 'our app',
  user: 'this Meta login',
  page: 'this Facebook Page',
  instagram_account: 'this Instagram account',
  object: 'this object',
};

/**
 * The pauses Meta's rate limits impose, shared by every API and worker process on the database.
 *
 * Pauses live in `meta_rate_limit_pause` (one row per scope, the latest end wins). Checking a
 * call costs no query: each process keeps the active pauses in memory, loaded at start, updated
 * by LISTEN/NOTIFY the moment any process writes one, and reloaded every few seconds in case a
 * notification was missed while the listener reconnected. A pause is written (and notified)
 * before the caller that hit the limit gets its RATE_LIMITED, so by the time a member can retry
 * on another instance, that instance already knows. Expiry is judged with the injected clock.
 */
export class RateLimitGate {
  private readonly pausedUntil = new Map<string, number>();
  private listener?: Client;
  private reloadTimer?: NodeJS.Timeout;
  private reconnectTimer?: NodeJS.Timeout;
  private stopped = true;
  private reloading?: Promise<void>;

  private readonly outage: OutageLog;

  constructor(private readonly deps: { orm: MikroORM; databaseUrl: string; clock: Clock; logger: Logger; thresholdPercent: number; events?: GateEvents }) {
    // Pauses this process learns from Meta still hold meanwhile; other processes' are picked up once it answers.
    this.outage = new OutageLog(deps.logger.child({ component: 'rate-limit-gate' }), 'reloading pauses when it answers');
  }

  get thresholdPercent(): number {
    return this.deps.thresholdPercent;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.listen();
    await this.reload();
    this.reloadTimer = setInterval(() => {
      this.reloading ??= this.reload()
        .then(
          () => this.outage.recovered(),
          (error) => this.outage.failed(error, 'reloading rate-limit pauses failed'),
        )
        .finally(() => (this.reloading = undefined));
    }, RELOAD_INTERVAL_MS);
    this.reloadTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.reloadTimer);
    clearTimeout(this.reconnectTimer);
    await this.reloading; // never leave a query running into the ORM's close
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
  }

  /** Throws RATE_LIMITED with the time left when any of the scopes is paused. No I/O. */
  check(keys: string[]): void {
    const blocked = this.blocked(keys);
    if (blocked) throw blocked;
  }

  /** The error a paused call gets, or undefined when none of its scopes is paused. */
  blocked(keys: string[]): MetaRateLimitError | undefined {
    const now = this.deps.clock.now().getTime();
    let until = 0;
    let which = '';
    for (const key of keys) {
      const end = this.pausedUntil.get(key);
      if (end === undefined) continue;
      if (end <= now) this.pausedUntil.delete(key);
      else if (end > until) [until, which] = [end, key];
    }
    if (until <= now) return undefined;
    const seconds = Math.ceil((until - now) / 1000);
    return new MetaRateLimitError({ message: `Meta is limiting calls for ${KIND_WORDS[kindOfKey(which)]}; calls are paused for ${seconds}s` }, seconds);
  }

  /** Seconds left on a scope's pause, 0 when not paused. */
  remainingSeconds(key: string): number {
    const until = this.pausedUntil.get(key) ?? 0;
    return Math.max(0, Math.ceil((until - this.deps.clock.now().getTime()) / 1000));
  }

  /** Records pauses here at once, then in the table for every other process (awaited). */
  async pause(requests: PauseRequest[]): Promise<void> {
    const now = this.deps.clock.now().getTime();
    // One request per scope (a header and an error often name the same one): the longest wins, the error's reason on a tie.
    const byKey = new Map<string, PauseRequest>();
    for (const r of requests) if (r.seconds > 0 && r.seconds >= (byKey.get(r.key)?.seconds ?? 0)) byKey.set(r.key, r);
    const fresh = [...byKey.values()].filter((r) => (this.pausedUntil.get(r.key) ?? 0) < now + r.seconds * 1000);
    if (fresh.length === 0) return;
    for (const r of fresh) {
      this.pausedUntil.set(r.key, now + r.seconds * 1000);
      this.deps.events?.onPause?.(r.kind, r.key, r.seconds, r.reason);
    }
    const rows = fresh.map((r) => ({ scope: r.key, kind: r.kind, until: new Date(now + r.seconds * 1000), reason: r.reason }));
    try {
      await savePausesAndNotify(forkEm(this.deps.orm), rows, new Date(now), CHANNEL);
    } catch (error) {
      // This process still honours the pause; others learn it from Meta themselves.
      this.deps.logger.warn({ err: describeError(error) }, 'could not share a rate-limit pause through the database');
    }
  }

  /** Loads the active pauses from the table and forgets long-expired rows. */
  async reload(): Promise<void> {
    const now = this.deps.clock.now();
    const em = forkEm(this.deps.orm);
    for (const row of await activePauses(em, now)) this.learn(row.scope, new Date(row.paused_until).getTime());
    await deletePausesEndedBefore(em, new Date(now.getTime() - KEEP_EXPIRED_MS));
  }

  private learn(key: string, until: number): void {
    if ((this.pausedUntil.get(key) ?? 0) < until) this.pausedUntil.set(key, until);
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.deps.databaseUrl, application_name: 'rate-limit-gate' });
    client.on('notification', (message) => {
      if (message.channel !== CHANNEL || !message.payload) return;
      try {
        for (const { scope, until } of JSON.parse(message.payload) as Array<{ scope: string; until: string }>) this.learn(scope, new Date(until).getTime());
      } catch {
        this.deps.logger.warn('ignored a malformed rate-limit notification');
      }
    });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      this.outage.failed(error, 'rate-limit pause listener could not connect; relying on reloads');
      this.lost(client);
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
    this.outage.recovered();
  }

  /** Reconnects the listener; the periodic reload covers what was sent meanwhile. */
  private lost(client: Client): void {
    if (this.stopped || this.reconnectTimer) return;
    if (this.listener === client) this.listener = undefined;
    else if (this.listener) return;
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.listen()
        .then(() => this.reload())
        .catch(() => undefined);
    }, 1_000);
    this.reconnectTimer.unref();
  }
}

import { Client } from 'pg';
import { OutageLog } from '../../database/outage-log';
import type { Logger } from '../../logger';
import { decodeNotice, STATUS_CHANNEL } from './topics';
import { describeError } from '../../describe-error';

const FIRST_RETRY_MS = 100;
/** Retries stay this frequent: after a restart the database is back in ~1 s, and a failed attempt costs one TCP connect. */
const MAX_RETRY_MS = 1_000;

/**
 * The instance's one LISTEN connection. When it drops (database restart, failover, network), it
 * is re-established within a second of the database answering again; `onListening` runs each
 * time LISTEN is in place, so the feeds catch up on whatever was committed while nobody listened.
 * LISTEN first, catch-up second: a change committed in between is read by the catch-up or
 * announced to the new connection, usually both, and positions make the second one a no-op.
 */
export class StatusListener {
  private client?: Client;
  private stopped = true;
  private reconnectTimer?: NodeJS.Timeout;
  private retryMs = FIRST_RETRY_MS;
  private readonly outage: OutageLog;
  private reason = 'not started';

  constructor(
    private readonly connectionString: string,
    private readonly logger: Logger,
    private readonly handlers: { onNotice(memberId: string): void; onListening(): void },
  ) {
    this.outage = new OutageLog(logger.child({ component: 'status-listener' }), 'reconnecting (subscribers stay attached, nothing is lost)');
  }

  get listening(): boolean {
    return this.client !== undefined;
  }

  /** Why the instance cannot deliver status events right now (for /readyz), or undefined. */
  get notListeningReason(): string | undefined {
    return this.client ? undefined : this.reason;
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.reason = 'connecting to the database';
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.reason = 'shutting down';
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const client = this.client;
    this.client = undefined;
    if (client) {
      client.removeAllListeners('end');
      client.on('error', () => undefined);
      await client.end().catch(() => undefined);
    }
  }

  private async connect(): Promise<void> {
    const client = new Client({
      connectionString: this.connectionString,
      application_name: 'status-event-listener',
      keepAlive: true,
      connectionTimeoutMillis: 5_000,
    });
    client.on('notification', (message) => {
      if (message.channel !== STATUS_CHANNEL || !message.payload) return;
      const notice = decodeNotice(message.payload);
      if (notice) this.handlers.onNotice(notice.memberId);
      else this.logger.warn({ channel: message.channel }, 'ignored a malformed status notification');
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${STATUS_CHANNEL}`);
    } catch (error) {
      this.lost(client, error);
      return;
    }
    if (this.stopped) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.retryMs = FIRST_RETRY_MS;
    // The feeds catch up on changes committed meanwhile (onListening).
    this.outage.recovered();
    this.handlers.onListening();
  }

  private lost(client: Client, error?: unknown): void {
    if (this.stopped) return;
    if (this.client === client) this.client = undefined;
    else if (this.client) return; // an old client's late event
    client.removeAllListeners('end');
    client.removeAllListeners('notification');
    client.on('error', () => undefined);
    client.end().catch(() => undefined);
    if (this.reconnectTimer) return;
    this.reason = 'the status event listener lost its database connection and is reconnecting';
    // A dropped LISTEN connection is an outage whatever the error says (often none: just 'end').
    this.outage.unavailable(error === undefined ? 'the connection ended' : describeError(error));
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.connect();
    }, this.retryMs);
    this.reconnectTimer.unref();
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
  }
}

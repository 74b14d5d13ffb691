import { Client } from 'pg';
import { STATUS_CHANNEL } from '../events/topics';

/**
 * LISTENs on the status channel, which every committed status change NOTIFYs (PostgreSQL sends it
 * at commit), so the delivery loop sends at once instead of at its next poll. Best effort: while
 * the connection is down, polling alone carries on, and ensure() reconnects on the next round.
 */
export class CommitWake {
  private client?: Client;

  constructor(
    private readonly connectionString: string,
    private readonly onCommit: () => void,
  ) {}

  async ensure(): Promise<void> {
    if (this.client) return;
    const client = new Client({ connectionString: this.connectionString, application_name: 'webhook-delivery-wake' });
    client.on('notification', () => this.onCommit());
    const drop = () => {
      if (this.client === client) this.client = undefined;
    };
    client.on('error', drop);
    client.on('end', drop);
    try {
      await client.connect();
      await client.query(`LISTEN ${STATUS_CHANNEL}`);
      this.client = client;
    } catch {
      await client.end().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}

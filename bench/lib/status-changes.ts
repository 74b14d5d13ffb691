import { randomUUID } from 'node:crypto';
import { escapeLiteral, Pool } from 'pg';
import { encodeNotice, STATUS_CHANNEL } from '../../src/services/events/topics';
import { wallClockMs } from './stats';

export interface ChangedAccount {
  id: string;
  memberId: string;
}

/**
 * Status changes committed straight to PostgreSQL, with exactly what AccountStatusService writes
 * in its transaction: the account's new status, the member's next event position, a
 * connection_event row and the NOTIFY with the member. Each change is its own transaction (one round trip), so the moment its COMMIT returns is
 * known to the sub-millisecond: fan-out latency is measured from there.
 */
export class StatusChanges {
  private readonly pool: Pool;

  constructor(databaseUrl: string, connections = 10) {
    this.pool = new Pool({ connectionString: databaseUrl, max: connections, application_name: 'bench-status-changes' });
  }

  /** One CONNECTED account per member (members without one are skipped). */
  async connectedAccounts(memberIds: string[]): Promise<ChangedAccount[]> {
    const { rows } = await this.pool.query<ChangedAccount>(
      `select distinct on (member_id) id, member_id as "memberId" from social_account
        where member_id = any($1) and connection_status = 'CONNECTED' order by member_id, id`,
      [memberIds],
    );
    return rows;
  }

  /**
   * CONNECTED → EXPIRED for each account, `parallel` transactions at a time. Returns the epoch ms
   * at which each account's COMMIT was acknowledged.
   */
  async expire(accounts: ChangedAccount[], parallel: number): Promise<Map<string, number>> {
    const committed = new Map<string, number>();
    const queue = [...accounts];
    await Promise.all(
      Array.from({ length: Math.min(parallel, accounts.length) }, async () => {
        for (let account = queue.shift(); account; account = queue.shift()) {
          await this.pool.query(transitionSql(account));
          committed.set(account.id, wallClockMs());
        }
      }),
    );
    return committed;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

const REASON = 'The Facebook session expired; reconnect to keep this account working.';

function transitionSql(account: ChangedAccount): string {
  const eventId = randomUUID();
  const id = escapeLiteral(account.id);
  const member = escapeLiteral(account.memberId);
  const reason = escapeLiteral(REASON);
  const notice = escapeLiteral(encodeNotice({ memberId: account.memberId }));
  return `begin;
    update social_account set connection_status = 'EXPIRED', status_reason = ${reason}, updated_at = now(), version = version + 1 where id = ${id};
    with seq as (
      insert into member_event_seq (member_id, last) values (${member}, 1)
        on conflict (member_id) do update set last = member_event_seq.last + 1 returning last)
    insert into connection_event (id, account_id, member_id, "position", previous_status, status, reason, changed_at)
      select ${escapeLiteral(eventId)}, ${id}, ${member}, seq.last, 'CONNECTED', 'EXPIRED', ${reason}, now() from seq;
    select pg_notify(${escapeLiteral(STATUS_CHANNEL)}, ${notice});
    commit;`;
}

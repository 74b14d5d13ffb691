/** The PostgreSQL channel every instance LISTENs on. */
export const STATUS_CHANNEL = 'connection_status_changed';

/**
 * What travels over NOTIFY: only the member. Listeners read the member's events after the last
 * position they delivered (status-event-store.ts), so one notice per member and transaction
 * covers any number of events, payloads stay tiny (PostgreSQL caps them at 8000 bytes), and
 * identical payloads in one transaction are folded into one by PostgreSQL itself.
 */
export interface StatusChangeNotice {
  memberId: string;
}

export function encodeNotice(notice: StatusChangeNotice): string {
  return JSON.stringify({ m: notice.memberId });
}

export function decodeNotice(payload: string): StatusChangeNotice | undefined {
  try {
    const parsed = JSON.parse(payload) as { m?: unknown };
    if (typeof parsed.m === 'string' && parsed.m.length > 0) return { memberId: parsed.m };
  } catch {
    // fall through: a foreign or corrupt payload is ignored
  }
  return undefined;
}

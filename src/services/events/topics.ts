/** The PostgreSQL channel every instance LISTENs on. */
export const STATUS_CHANNEL = 'connection_status_changed';

/**
 * What travels over NOTIFY and the in-process pub/sub: ids only. Subscribers load the event and
 * the account fresh, so payloads stay tiny (PostgreSQL caps them at 8000 bytes) and no ORM entity
 * is ever shared between requests.
 */
export interface StatusChangeNotice {
  eventId: string;
  accountId: string;
  memberId: string;
}

export enum Topic {
  ConnectionStatusChanged = 'CONNECTION_STATUS_CHANGED',
}

/** Typed topics: the dynamic topic id is the member, so a member only ever hears its own accounts. */
export type Topics = {
  [Topic.ConnectionStatusChanged]: [memberId: string, notice: StatusChangeNotice];
};

export function encodeNotice(notice: StatusChangeNotice): string {
  return JSON.stringify({ e: notice.eventId, a: notice.accountId, m: notice.memberId });
}

export function decodeNotice(payload: string): StatusChangeNotice | undefined {
  try {
    const parsed = JSON.parse(payload) as { e?: unknown; a?: unknown; m?: unknown };
    if (typeof parsed.e === 'string' && typeof parsed.a === 'string' && typeof parsed.m === 'string') {
      return { eventId: parsed.e, accountId: parsed.a, memberId: parsed.m };
    }
  } catch {
    // fall through: a foreign or corrupt payload is ignored
  }
  return undefined;
}

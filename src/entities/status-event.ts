import type { SocialConnectionStatus } from '../domain/social-account';
import type { AccountSnapshot } from './account-snapshot';

/**
 * A change of one account's connection status as the event path carries it: read from
 * connection_event (src/repositories/connection-event.repository.ts), fanned out by the services,
 * sent to subscribers as a ConnectionStatusChange (src/schema/connection-status-change.ts, which
 * implements this shape). Its position in the member's sequence and its account id travel with it
 * but are not exposed.
 */
export interface StatusEvent {
  /** Opaque (src/domain/status-cursor.ts). */
  cursor: string;
  account: AccountSnapshot;
  previousStatus: SocialConnectionStatus | null;
  status: SocialConnectionStatus;
  reason: string | null;
  changedAt: Date;
  position: number;
  accountId: string;
}

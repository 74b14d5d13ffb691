import { getMetadataStorage } from 'type-graphql';
import { SocialAccount } from '../../entities/social-account.entity';
import { SocialConnectionStatus } from '../../domain/social-account';

/**
 * The event types, from the status change they report:
 * - account.connected: a new account (first link) or a reconnect after DISCONNECTED;
 * - account.revived: back to CONNECTED from EXPIRED or ERROR (a reconnect, or the token working again);
 * - account.disconnected / account.expired / account.error: the account moved to that status;
 * - account.reconnect_needed: no status change; a known end of access is near (see ReconnectNotices).
 */
export type WebhookEventType =
  'account.connected' | 'account.disconnected' | 'account.expired' | 'account.error' | 'account.revived' | 'account.reconnect_needed';

export function eventTypeOf(previous: SocialConnectionStatus | null | undefined, status: SocialConnectionStatus): WebhookEventType {
  switch (status) {
    case SocialConnectionStatus.CONNECTED:
      return previous === SocialConnectionStatus.EXPIRED || previous === SocialConnectionStatus.ERROR ? 'account.revived' : 'account.connected';
    case SocialConnectionStatus.DISCONNECTED:
      return 'account.disconnected';
    case SocialConnectionStatus.EXPIRED:
      return 'account.expired';
    case SocialConnectionStatus.ERROR:
      return 'account.error';
  }
}

/** The body every receiver gets, in the Standard Webhooks shape `{ type, timestamp, data }` plus our event id. */
export interface WebhookPayload {
  /** Equals the `webhook-id` header. */
  id: string;
  type: WebhookEventType;
  /** When it happened (the status change, or when the notice was decided). */
  timestamp: string;
  data: {
    memberId: string;
    previousStatus: SocialConnectionStatus | null;
    status: SocialConnectionStatus;
    reason: string | null;
    /** account.reconnect_needed: the moment access ends unless the member reconnects. */
    reconnectBy?: string;
    /** The account with exactly the fields of GraphQL's SocialAccount (never a token). */
    account: Record<string, unknown>;
    /** WEBHOOK_RECONNECT_LINKS: a fresh connect link for this account (account.expired, account.reconnect_needed). */
    reconnectLink?: { url: string; expiresAt: string };
  };
}

let exposedFields: string[] | undefined;

/**
 * The account as GraphQL shows it: the @Field members of SocialAccount, read from type-graphql's
 * metadata so a new field shows up here too and a hidden one (tokens, worker bookkeeping) never does.
 */
export function accountForWebhook(account: Pick<SocialAccount, 'id'> & Partial<SocialAccount>): Record<string, unknown> {
  exposedFields ??= getMetadataStorage()
    .fields.filter((f) => f.target === SocialAccount)
    .map((f) => f.name);
  const out: Record<string, unknown> = {};
  for (const name of exposedFields) {
    const value = (account as Record<string, unknown>)[name];
    out[name] = value instanceof Date ? value.toISOString() : (value ?? null);
  }
  return out;
}

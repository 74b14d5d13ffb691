import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../clock';
import { AppError } from '../../errors';
import { insertEventWithDeliveries } from '../../repositories/webhook.repository';
import type { ConnectionEvent, SocialAccount } from '../../entities';
import { SocialConnectionStatus } from '../../domain/social-account';
import { accountForWebhook, eventTypeOf, type WebhookEventType, type WebhookPayload } from './webhook-events';

const HOUR = 3600_000;

/** What a status change or a notice puts into the outbox. */
export interface OutboxEntry {
  id: string;
  type: WebhookEventType;
  accountId: string;
  memberId: string;
  connectionEventId: string | null;
  windowKey: string | null;
  occurredAt: Date;
  payload: WebhookPayload;
}

/**
 * The write side of status webhooks: one `webhook_event` row and one `webhook_delivery` per
 * endpoint, in the caller's transaction, so a rolled back change sends nothing and a committed one
 * is delivered at least once. With no endpoint configured it writes nothing at all.
 *
 * Order: callers of AccountStatusService.transition hold the account's row lock (FOR UPDATE), so
 * two changes of one account never interleave and the `seq` taken here follows their commit order.
 */
/** A fresh connect link for an account (WEBHOOK_RECONNECT_LINKS), made in the event's transaction. */
export type ReconnectLinkMaker = (em: EntityManager, account: { id: string; memberId: string }) => Promise<{ url: string; expiresAt: Date }>;

export class WebhookOutbox {
  private endpointList: string[];
  private reconnectLinks?: ReconnectLinkMaker;

  constructor(
    private readonly clock: Clock,
    endpoints: string[],
    private readonly retryHorizonHours: number,
  ) {
    this.endpointList = [...endpoints];
  }

  get endpoints(): readonly string[] {
    return this.endpointList;
  }

  get enabled(): boolean {
    return this.endpointList.length > 0;
  }

  /** Sandbox: the built-in receiver's URL is known only once the server listens. */
  useEndpoints(endpoints: string[]): void {
    this.endpointList = [...endpoints];
  }

  /**
   * Opt-in (WEBHOOK_RECONNECT_LINKS): account.expired and account.reconnect_needed carry
   * `data.reconnectLink` ({ url, expiresAt }). The body then holds a bearer link, hence off by default.
   */
  attachReconnectLinks(maker: ReconnectLinkMaker): void {
    this.reconnectLinks = maker;
  }

  private async reconnectLinkFor(em: EntityManager, account: { id: string; memberId: string }) {
    if (!this.reconnectLinks) return {};
    try {
      const link = await this.reconnectLinks(em, account);
      return { reconnectLink: { url: link.url, expiresAt: link.expiresAt.toISOString() } };
    } catch (error) {
      // A link that cannot be made (the account is gone) must not stop the event: it goes without one.
      if (error instanceof AppError) return {};
      throw error;
    }
  }

  /** The webhook for a status change; call it right where the connection_event is created. */
  async enqueue(em: EntityManager, event: ConnectionEvent, account: SocialAccount): Promise<void> {
    if (!this.enabled) return;
    const type = eventTypeOf(event.previousStatus, event.status);
    const payload: WebhookPayload = {
      id: event.id,
      type,
      timestamp: event.changedAt.toISOString(),
      data: {
        memberId: event.memberId,
        previousStatus: event.previousStatus ?? null,
        status: event.status,
        reason: event.reason ?? null,
        account: accountForWebhook(account),
        ...(type === 'account.expired' ? await this.reconnectLinkFor(em, { id: event.accountId, memberId: event.memberId }) : {}),
      },
    };
    await this.insert(em, {
      id: event.id,
      type,
      accountId: event.accountId,
      memberId: event.memberId,
      connectionEventId: event.id,
      windowKey: null,
      occurredAt: event.changedAt,
      payload,
    });
  }

  /** account.reconnect_needed; returns false when this window already had its notice. */
  async enqueueReconnectNeeded(
    em: EntityManager,
    account: Record<string, unknown> & { id: string; memberId: string; statusReason?: string | null },
    reconnectBy: Date,
  ): Promise<boolean> {
    if (!this.enabled) return false;
    const id = randomUUID();
    const now = this.clock.now();
    const { memberId, ...rest } = account;
    const payload: WebhookPayload = {
      id,
      type: 'account.reconnect_needed',
      timestamp: now.toISOString(),
      data: {
        memberId,
        previousStatus: SocialConnectionStatus.CONNECTED,
        status: SocialConnectionStatus.CONNECTED,
        reason: `Access to this account ends on ${reconnectBy.toISOString().slice(0, 10)} unless the member reconnects it.`,
        reconnectBy: reconnectBy.toISOString(),
        account: accountForWebhook(rest),
        ...(await this.reconnectLinkFor(em, { id: account.id, memberId })),
      },
    };
    return this.insert(em, {
      id,
      type: 'account.reconnect_needed',
      accountId: account.id,
      memberId,
      connectionEventId: null,
      windowKey: reconnectWindowKey(account.id, reconnectBy),
      occurredAt: now,
      payload,
    });
  }

  private async insert(em: EntityManager, entry: OutboxEntry): Promise<boolean> {
    const now = this.clock.now();
    const giveUpAt = new Date(entry.occurredAt.getTime() + this.retryHorizonHours * HOUR);
    // One statement: the event, then a delivery per endpoint. `on conflict do nothing` makes a
    // second notice for the same window (another worker, a rerun) a no-op.
    return insertEventWithDeliveries(em, {
      id: entry.id,
      type: entry.type,
      accountId: entry.accountId,
      memberId: entry.memberId,
      connectionEventId: entry.connectionEventId,
      windowKey: entry.windowKey,
      body: JSON.stringify(entry.payload),
      occurredAt: entry.occurredAt,
      now,
      giveUpAt,
      endpoints: this.endpointList,
    });
  }
}

/** One account.reconnect_needed per account and deadline: a new deadline (a refresh, a reconnect) opens a new window. */
function reconnectWindowKey(accountId: string, reconnectBy: Date): string {
  return `${accountId}:${reconnectBy.getTime()}`;
}

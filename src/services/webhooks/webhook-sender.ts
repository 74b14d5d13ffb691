import { Webhook } from 'standardwebhooks';
import type { Clock } from '../../clock';
import { outcomeOfResponse, type AttemptOutcome } from './delivery-policy';

/**
 * One signed POST, the Standard Webhooks way: `webhook-id` (the event id, the same on every
 * retry), `webhook-timestamp` (this attempt, seconds) and `webhook-signature` (`v1,` + base64
 * HMAC-SHA256 of `id.timestamp.body`, computed by the standardwebhooks package). Bounded by the
 * timeout; redirects are not followed; the answer's body is ignored.
 */
export class WebhookSender {
  private readonly signer?: Webhook;

  constructor(
    secret: string,
    private readonly timeoutMs: number,
    private readonly clock: Clock,
  ) {
    if (secret) this.signer = new Webhook(secret);
  }

  async send(endpoint: string, webhookId: string, body: string): Promise<AttemptOutcome> {
    if (!this.signer) throw new Error('STATUS_WEBHOOK_SECRET is not configured');
    const sentAt = this.clock.now();
    try {
      const response = await fetch(endpoint, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'instagram-connect-webhooks/1',
          'webhook-id': webhookId,
          'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
          'webhook-signature': this.signer.sign(webhookId, sentAt, body),
        },
        body,
      });
      await response.body?.cancel().catch(() => undefined);
      return outcomeOfResponse(response.status, response.headers.get('retry-after'), this.clock.now());
    } catch (error) {
      const name = (error as Error | undefined)?.name;
      const cause = (error as { cause?: { code?: string } } | undefined)?.cause?.code;
      return {
        kind: 'retry',
        statusCode: null,
        error: name === 'TimeoutError' ? `timed out after ${this.timeoutMs} ms` : `network error${cause ? ` (${cause})` : ''}`,
      };
    }
  }
}

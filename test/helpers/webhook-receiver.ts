import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export const TEST_WEBHOOK_SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;

export interface ReceivedWebhook {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  /** The signature recomputed with the secret matches (timestamp tolerance aside: tests move the clock). */
  signatureMatches: boolean;
  answeredWith: number;
  json: {
    id: string;
    type: string;
    timestamp: string;
    data: { account: Record<string, unknown>; memberId: string; previousStatus: string | null; status: string; reason: string | null; reconnectBy?: string };
  };
}

type Answer = { status: number; headers?: Record<string, string>; delayMs?: number };

/**
 * A real HTTP receiver on loopback, as the platform's backend would run one. `answer` decides
 * each response (default 204); `stop()`/`restart()` take it off the network and back on the same
 * port, so the worker sees real connection errors in between.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  answer: (request: { id: string; body: string }) => Answer = () => ({ status: 204 });
  private server?: Server;
  private port = 0;
  private readonly signer = new Webhook(TEST_WEBHOOK_SECRET);

  static async start(): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver();
    await receiver.listen();
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/status`;
  }

  /** The headers as a receiver passes them to Webhook.verify. */
  static headersOf(r: ReceivedWebhook): Record<string, string> {
    return { 'webhook-id': r.id, 'webhook-timestamp': r.timestamp, 'webhook-signature': r.signature };
  }

  /** Successful deliveries, in arrival order. */
  get accepted(): ReceivedWebhook[] {
    return this.received.filter((r) => r.answeredWith >= 200 && r.answeredWith < 300);
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async restart(): Promise<void> {
    await this.listen();
  }

  private async listen(): Promise<void> {
    const server = createServer(async (req, res) => {
      const body = await readBody(req);
      const id = String(req.headers['webhook-id'] ?? '');
      const timestamp = String(req.headers['webhook-timestamp'] ?? '');
      const signature = String(req.headers['webhook-signature'] ?? '');
      const expected = this.signer.sign(id, new Date(Number(timestamp) * 1000), body);
      const answer = this.answer({ id, body });
      if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
      this.received.push({
        id,
        timestamp,
        signature,
        body,
        signatureMatches: signature.split(' ').includes(expected),
        answeredWith: answer.status,
        json: JSON.parse(body),
      });
      res.writeHead(answer.status, answer.headers).end();
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

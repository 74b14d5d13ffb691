import express, { Router } from 'express';
import { Webhook } from 'standardwebhooks';
import { describeError } from '../describe-error';

export const SANDBOX_RECEIVER_PATH = '/sandbox/webhooks/receive';

/**
 * The built-in receiver's endpoint, as the running server registers it and as `npm run webhooks
 * -- redeliver` queues deliveries to it: one spelling, since deliveries are matched to endpoints
 * by URL: the worker sends only to the endpoints it has (a `localhost` spelling stayed pending).
 */
export function sandboxReceiverEndpoint(port: number): string {
  return `http://127.0.0.1:${port}${SANDBOX_RECEIVER_PATH}`;
}
const KEEP = 200;

interface Received {
  receivedAt: string;
  webhookId: string | null;
  timestamp: string | null;
  /** Whether the Standard Webhooks signature checked out with the configured secret. */
  verified: boolean;
  verifyError?: string;
  answeredWith: number;
  type?: string;
  body: unknown;
}

/**
 * Sandbox only: a status webhook receiver inside the app, so the whole loop (status change →
 * outbox → worker → signed POST) can be watched without another service. It verifies each request
 * the way a receiver should (standardwebhooks' Webhook.verify with the secret), keeps the last 200
 * in memory, and can be told to answer with an error status to watch retries.
 */
export function webhookReceiverRoutes(secret: string): Router {
  const verifier = new Webhook(secret);
  const received: Received[] = [];
  let answer = 204;
  const router = Router();

  router.post(SANDBOX_RECEIVER_PATH, express.text({ type: () => true, limit: '1mb' }), (req, res) => {
    const raw = typeof req.body === 'string' ? req.body : '';
    const headers = {
      'webhook-id': req.get('webhook-id') ?? '',
      'webhook-timestamp': req.get('webhook-timestamp') ?? '',
      'webhook-signature': req.get('webhook-signature') ?? '',
    };
    let verified = false;
    let verifyError: string | undefined;
    try {
      verifier.verify(raw, headers);
      verified = true;
    } catch (error) {
      verifyError = describeError(error);
    }
    let body: unknown = raw;
    try {
      body = JSON.parse(raw);
    } catch {
      // shown as text
    }
    const status = verified ? answer : 400;
    received.unshift({
      receivedAt: new Date().toISOString(),
      webhookId: headers['webhook-id'] || null,
      timestamp: headers['webhook-timestamp'] || null,
      verified,
      verifyError,
      answeredWith: status,
      type: (body as { type?: string })?.type,
      body,
    });
    received.length = Math.min(received.length, KEEP);
    res.status(status).end();
  });

  router.get('/sandbox/webhooks/received', (_req, res) => {
    res.set('cache-control', 'no-store').json({ answer, received });
  });

  // e.g. {"status": 503} to watch backoff and retries, {"status": 204} to recover.
  router.post('/sandbox/webhooks/answer', express.json(), (req, res) => {
    const status = Number((req.body as { status?: unknown })?.status);
    if (!Number.isInteger(status) || status < 200 || status > 599) {
      res.status(400).json({ error: 'status must be an HTTP status between 200 and 599' });
      return;
    }
    answer = status;
    res.json({ answer });
  });

  router.get('/sandbox/webhooks', (_req, res) => {
    res.type('html').send(RECEIVER_PAGE);
  });
  return router;
}

const RECEIVER_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,"><title>Sandbox webhook receiver</title>
<style>body{font:14px system-ui,sans-serif;margin:1.5rem auto;padding:0 1rem;max-width:70rem}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top}pre{margin:0;white-space:pre-wrap;font-size:12px}
td,code,pre{overflow-wrap:anywhere}.ok{color:#176f2c}.bad{color:#b00020}
@media (max-width:40rem){thead{display:none}table,tbody,tr,td{display:block}tr{border-bottom:1px solid #ddd;padding:.5rem 0}
td{border:0;padding:.15rem 0}td::before{content:attr(data-label) ": ";font-weight:600}}</style></head>
<body><h1>Status webhooks received</h1>
<p>The sandbox sends its status webhooks here (STATUS_WEBHOOK_URL unset). Each request is verified with the
<code>standardwebhooks</code> library. Answering with <select id="answer"><option>204</option><option>503</option><option>429</option><option>400</option></select>
(<span id="current"></span>)</p>
<table><thead><tr><th>Received</th><th>Type</th><th>webhook-id</th><th>Signature</th><th>Answer</th><th>Body</th></tr></thead><tbody id="rows"></tbody></table>
<script>
const esc = (s) => String(s ?? '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
async function refresh() {
  const { answer, received } = await (await fetch('/sandbox/webhooks/received')).json();
  document.getElementById('current').textContent = 'now ' + answer;
  // data-label: the column's name, shown before each cell when the table stacks at phone width.
  document.getElementById('rows').innerHTML = received.map((r) => '<tr><td data-label="Received">' + esc(r.receivedAt) + '</td><td data-label="Type">' + esc(r.type) +
    '</td><td data-label="webhook-id"><code>' + esc(r.webhookId) + '</code></td><td data-label="Signature" class="' + (r.verified ? 'ok">verified' : 'bad">' + esc(r.verifyError)) +
    '</td><td data-label="Answer">' + r.answeredWith + '</td><td data-label="Body"><pre>' + esc(JSON.stringify(r.body, null, 2)) + '</pre></td></tr>').join('');
}
document.getElementById('answer').onchange = (e) => fetch('/sandbox/webhooks/answer', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: Number(e.target.value) }) }).then(refresh);
refresh(); setInterval(refresh, 2000);
</script></body></html>`;

import { createHmac } from 'node:crypto';

/**
 * Meta's side of the deauthorize and data deletion callbacks: a `signed_request` signed with the
 * app secret, POSTed as a form to the URL set in the app dashboard.
 */
export interface CallbackResult {
  status: number;
  /** The app's answer, parsed as JSON when it is JSON, else the raw text. */
  body: unknown;
}

/** `<base64url HMAC-SHA256(secret, payload)>.<base64url JSON payload>`, both without padding, as Meta builds it. */
export function signRequest(payload: Record<string, unknown>, appSecret: string): string {
  return signPayloadText(JSON.stringify(payload), appSecret);
}

/** The same for a payload given as JSON text, e.g. with a bare number JSON.stringify cannot write. */
export function signPayloadText(payloadJson: string, appSecret: string): string {
  const encodedPayload = Buffer.from(payloadJson, 'utf8').toString('base64url');
  const signature = createHmac('sha256', appSecret).update(encodedPayload, 'utf8').digest('base64url');
  return `${signature}.${encodedPayload}`;
}

/** The payload Meta sends for a user: algorithm, issued_at (seconds) and user_id. */
export function callbackPayload(userId: string, nowMs: number): Record<string, unknown> {
  return { algorithm: 'HMAC-SHA256', issued_at: Math.floor(nowMs / 1000), user_id: userId };
}

/**
 * The payload as JSON text, with user_id as a string (what Facebook sends) or as a bare JSON
 * number with every digit, however large: Meta does not promise which, and a number beyond 2^53
 * is exactly what a careless parser rounds to someone else's id.
 */
export function callbackPayloadText(userId: string, nowMs: number, userIdAs: 'string' | 'number' = 'string'): string {
  if (!/^[0-9]+$/.test(userId)) throw new Error(`user id must be digits: ${userId}`);
  const id = userIdAs === 'number' ? userId : JSON.stringify(userId);
  return `{"algorithm":"HMAC-SHA256","issued_at":${Math.floor(nowMs / 1000)},"user_id":${id}}`;
}

export async function postSignedRequest(url: string, signedRequest: string): Promise<CallbackResult> {
  const target = new URL(url);
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error(`callback URL must be http(s): ${url}`);
  const response = await fetch(target, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ signed_request: signedRequest }).toString(),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body };
}

import { createHmac, timingSafeEqual } from 'node:crypto';
import { parseJsonKeepingBigInts } from '../meta/json';

/**
 * Meta's `signed_request` (deauthorize and data deletion callbacks): `<sig>.<payload>`, both
 * base64url without padding, sig = HMAC-SHA256(app secret, the payload string exactly as sent).
 * See docs/meta-platform.md, "Callbacks from Meta".
 */
export interface SignedRequest {
  /** Facebook user id (app-scoped), or the Instagram professional account id; always a string. */
  userId: string;
  /** Seconds since the epoch. */
  issuedAt: number;
}

export interface VerifyOptions {
  now: Date;
  /** A request issued longer ago than this is refused, so a captured one cannot be replayed later. */
  maxAgeSeconds: number;
}

/** Why a signed_request was refused; the message is safe to show the caller (no secret, no payload). */
export class SignedRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignedRequestError';
  }
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** Far more than Meta ever sends; bounds the work done on garbage. */
const MAX_LENGTH = 8192;
/** Clocks differ a little; a request "from the future" beyond this is not Meta's. */
const FUTURE_TOLERANCE_SECONDS = 300;
const USER_ID = /^[0-9]{1,64}$/;

export function verifySignedRequest(signedRequest: unknown, appSecret: string, options: VerifyOptions): SignedRequest {
  if (typeof signedRequest !== 'string' || signedRequest.length === 0) throw new SignedRequestError('signed_request is missing.');
  if (signedRequest.length > MAX_LENGTH) throw new SignedRequestError('signed_request is too long.');
  const dot = signedRequest.indexOf('.');
  const encodedSignature = dot < 0 ? '' : signedRequest.slice(0, dot);
  const encodedPayload = dot < 0 ? '' : signedRequest.slice(dot + 1);
  if (!BASE64URL.test(encodedSignature) || !BASE64URL.test(encodedPayload)) {
    throw new SignedRequestError('signed_request must be two base64url parts joined by a dot.');
  }

  // The signature covers the payload string as sent, so it is checked before anything is parsed.
  const signature = Buffer.from(encodedSignature, 'base64url');
  const expected = createHmac('sha256', appSecret).update(encodedPayload, 'utf8').digest();
  if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) {
    throw new SignedRequestError('signed_request signature does not match.');
  }

  let payload: unknown;
  try {
    // A user_id sent as a bare JSON number beyond 2^53 must keep every digit: JSON.parse would
    // round it to another user's id. The parser turns such integers into their exact digits.
    payload = parseJsonKeepingBigInts(Buffer.from(encodedPayload, 'base64url').toString('utf8'));
  } catch {
    throw new SignedRequestError('signed_request payload is not JSON.');
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new SignedRequestError('signed_request payload is not an object.');
  const fields = payload as Record<string, unknown>;

  if (fields.algorithm !== 'HMAC-SHA256') throw new SignedRequestError('signed_request algorithm must be HMAC-SHA256.');

  // A number here is a safe integer (larger ones arrived as digit strings); a fraction or exponent is no id.
  const userId = typeof fields.user_id === 'number' && Number.isSafeInteger(fields.user_id) ? String(fields.user_id) : fields.user_id;
  if (typeof userId !== 'string' || !USER_ID.test(userId)) throw new SignedRequestError('signed_request has no valid user_id.');

  const issuedAt = fields.issued_at;
  if (typeof issuedAt !== 'number' || !Number.isSafeInteger(issuedAt)) throw new SignedRequestError('signed_request has no valid issued_at.');
  const nowSeconds = Math.floor(options.now.getTime() / 1000);
  if (nowSeconds - issuedAt > options.maxAgeSeconds) throw new SignedRequestError('signed_request is too old.');
  if (issuedAt - nowSeconds > FUTURE_TOLERANCE_SECONDS) throw new SignedRequestError('signed_request is issued in the future.');

  return { userId, issuedAt };
}

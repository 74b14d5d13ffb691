/**
 * Typed Meta failures. One classifier (classifyMetaError) turns any Meta response into one of
 * these; services decide statuses from the type, resolvers map types to GraphQL codes in one place.
 */
export type MetaHost = 'facebookWww' | 'facebookGraph' | 'instagramWww' | 'instagramApi' | 'instagramGraph';

export interface MetaErrorDetails {
  message: string;
  code?: number;
  subcode?: number;
  httpStatus?: number;
  fbtraceId?: string;
  /** Meta's own text meant for the end user, when it sends one. */
  userMessage?: string;
}

export abstract class MetaError extends Error {
  abstract readonly kind: 'auth' | 'permission' | 'rate_limited' | 'transient' | 'bad_request';
  readonly code?: number;
  readonly subcode?: number;
  readonly httpStatus?: number;
  readonly fbtraceId?: string;
  readonly userMessage?: string;

  constructor(details: MetaErrorDetails) {
    super(details.message);
    this.name = new.target.name;
    this.code = details.code;
    this.subcode = details.subcode;
    this.httpStatus = details.httpStatus;
    this.fbtraceId = details.fbtraceId;
    this.userMessage = details.userMessage;
  }
}

/** Code 190: the token is no longer accepted. */
export class MetaAuthError extends MetaError {
  readonly kind = 'auth' as const;

  /** 458: the user removed the app. Nothing to reconnect to until they add it again. */
  get appRemoved(): boolean {
    return this.subcode === 458;
  }

  /** A sentence for statusReason naming the cause. */
  get reason(): string {
    return describeAuthSubcode(this.subcode);
  }
}

/** Codes 10 and 200-299: a permission is missing or was declined. */
export class MetaPermissionError extends MetaError {
  readonly kind = 'permission' as const;

  /** 100/33 on a node we read before: the grant no longer reaches the object (Page left out or removed). */
  get objectUnreachable(): boolean {
    return this.code === 100 && this.subcode === 33;
  }
}

/** Codes 4, 17, 32, 613, 80001, 80002, HTTP 429, or our own gate pausing calls. */
export class MetaRateLimitError extends MetaError {
  readonly kind = 'rate_limited' as const;
  constructor(
    details: MetaErrorDetails,
    readonly retryAfterSeconds: number,
  ) {
    super(details);
  }
}

/** Codes 1, 2, `is_transient`, HTTP 5xx, timeouts and network failures. Retried, then surfaced. */
export class MetaTransientError extends MetaError {
  readonly kind = 'transient' as const;
}

/**
 * debug_token refused our own app token (`app_id|app_secret`), e.g. after a secret rotation: an
 * error at the top level of its answer, with no `data`. It says nothing about the user's token,
 * so no account may change status for it. A transient failure from the accounts' point of view.
 */
export class MetaAppCredentialsError extends MetaTransientError {
  readonly appCredentials = true as const;
}

/**
 * Whether a failure is about our app's credentials rather than the account: debug_token refusing
 * the app token, or a wrong appsecret_proof (computed with a secret Meta no longer has).
 */
export function isAppCredentialsFailure(error: MetaError): boolean {
  return error instanceof MetaAppCredentialsError || (error.code === 100 && /appsecret_proof/i.test(error.message));
}

/** Code 100 and anything else Meta rejects: a bug on our side, a used code, a deleted object. */
export class MetaBadRequestError extends MetaError {
  readonly kind = 'bad_request' as const;
}

const AUTH_SUBCODE_REASONS: Record<number, string> = {
  458: 'The app was removed from the account on Meta.',
  459: 'Meta put the account in a security checkpoint; log in on Instagram or Facebook and follow the steps to clear it. We check again for 14 days and restore the connection once it is cleared; after that, reconnect.',
  460: 'The account password was changed; reconnect to continue.',
  463: 'The access token expired; reconnect to continue.',
  464: 'The Facebook user is not confirmed; confirm the account on Facebook. We check again for 14 days and restore the connection once it is confirmed; after that, reconnect.',
  467: 'The session was invalidated (logged out or revoked); reconnect to continue.',
  492: 'The session is invalid for this Page (role removed?); reconnect to continue.',
};

function describeAuthSubcode(subcode: number | undefined): string {
  return (subcode !== undefined && AUTH_SUBCODE_REASONS[subcode]) || 'Meta no longer accepts the access token; reconnect to continue.';
}

const RATE_LIMIT_CODES = new Set([4, 17, 32, 613, 80001, 80002, 80003, 80004, 80005, 80006, 80008, 80009, 80014]);

export const isRateLimitCode = (code: number | undefined) => code !== undefined && RATE_LIMIT_CODES.has(code);

interface MetaErrorBody {
  error?: {
    message?: string;
    type?: string;
    code?: number;
    error_subcode?: number;
    error_user_msg?: string;
    fbtrace_id?: string;
    is_transient?: boolean;
  };
  // api.instagram.com's OAuth endpoint uses a flat shape instead.
  error_type?: string;
  code?: number;
  error_message?: string;
}

/** The one place that decides what a Meta error means. */
export function classifyMetaError(httpStatus: number, body: unknown, retryAfterSeconds = 60): MetaError {
  const b = (typeof body === 'object' && body !== null ? body : {}) as MetaErrorBody;
  // 429 Too Many Requests is a rate limit whatever the body says: wait (Retry-After), never retry at once.
  if (httpStatus === 429 && !isRateLimitCode(b.error?.code)) {
    return new MetaRateLimitError(
      { message: b.error?.message ?? b.error_message ?? 'Meta answered 429 Too Many Requests', code: b.error?.code, httpStatus },
      retryAfterSeconds,
    );
  }
  if (!b.error && (b.error_message || b.error_type)) {
    const details = { message: b.error_message ?? b.error_type ?? 'Instagram rejected the request', code: b.code, httpStatus };
    return httpStatus >= 500 ? new MetaTransientError(details) : new MetaBadRequestError(details);
  }
  const e = b.error ?? {};
  const details: MetaErrorDetails = {
    message: e.message ?? `Meta answered HTTP ${httpStatus}`,
    code: e.code,
    subcode: e.error_subcode,
    httpStatus,
    fbtraceId: e.fbtrace_id,
    userMessage: e.error_user_msg,
  };
  const code = e.code;
  if (code === 190 || code === 102) return new MetaAuthError(details);
  if (isRateLimitCode(code)) return new MetaRateLimitError(details, retryAfterSeconds);
  if (code === 10 || (code !== undefined && code >= 200 && code <= 299)) return new MetaPermissionError(details);
  // "Object with ID '…' does not exist, cannot be loaded due to missing permissions": for an id Meta
  // gave us, the grant no longer reaches it (the Page was left out of a reconnect or removed).
  if (code === 100 && e.error_subcode === 33) return new MetaPermissionError(details);
  if (e.is_transient || code === 1 || code === 2 || httpStatus >= 500) return new MetaTransientError(details);
  return new MetaBadRequestError(details);
}

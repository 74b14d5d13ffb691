import { GraphQLError } from 'graphql';
import { isDatabaseUnavailable } from './database/unavailable';
import { MetaAuthError, MetaError, MetaPermissionError, MetaRateLimitError, MetaTransientError } from './services/meta/errors';

/** Every `extensions.code` a client can receive. Partners code against these names. */
export enum ErrorCode {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  NOT_FOUND = 'NOT_FOUND',
  INVALID_OAUTH_STATE = 'INVALID_OAUTH_STATE',
  OAUTH_DENIED = 'OAUTH_DENIED',
  OAUTH_CODE_REJECTED = 'OAUTH_CODE_REJECTED',
  NO_INSTAGRAM_ACCOUNT = 'NO_INSTAGRAM_ACCOUNT',
  PERSONAL_ACCOUNT_NOT_SUPPORTED = 'PERSONAL_ACCOUNT_NOT_SUPPORTED',
  ACCOUNT_DISCONNECTED = 'ACCOUNT_DISCONNECTED',
  TOKEN_EXPIRED = 'TOKEN_EXPIRED',
  PERMISSION_MISSING = 'PERMISSION_MISSING',
  RATE_LIMITED = 'RATE_LIMITED',
  UPSTREAM_UNAVAILABLE = 'UPSTREAM_UNAVAILABLE',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
  /** The operation is over an operation limit (aliases, tokens, depth, directives, cost); refused before any resolver. */
  OPERATION_LIMIT_EXCEEDED = 'OPERATION_LIMIT_EXCEEDED',
  /** WebSocket: more subscriptions on one socket than WS_MAX_SUBSCRIPTIONS_PER_SOCKET. */
  SUBSCRIPTION_LIMIT_EXCEEDED = 'SUBSCRIPTION_LIMIT_EXCEEDED',
  /** Our database cannot be reached right now; nothing was changed; retry (retryAfterSeconds). */
  SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE',
  /** A subscription cursor older than STATUS_EVENT_RETENTION_DAYS: refetch the list, then subscribe without it. */
  CURSOR_EXPIRED = 'CURSOR_EXPIRED',
}

/** The HTTP status the REST facade and non-GraphQL routes use for each code. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  BAD_USER_INPUT: 400,
  NOT_FOUND: 404,
  INVALID_OAUTH_STATE: 400,
  OAUTH_DENIED: 400,
  OAUTH_CODE_REJECTED: 400,
  NO_INSTAGRAM_ACCOUNT: 422,
  PERSONAL_ACCOUNT_NOT_SUPPORTED: 422,
  ACCOUNT_DISCONNECTED: 409,
  TOKEN_EXPIRED: 409,
  PERMISSION_MISSING: 409,
  RATE_LIMITED: 429,
  UPSTREAM_UNAVAILABLE: 503,
  INTERNAL_SERVER_ERROR: 500,
  OPERATION_LIMIT_EXCEEDED: 400,
  SUBSCRIPTION_LIMIT_EXCEEDED: 429,
  SERVICE_UNAVAILABLE: 503,
  CURSOR_EXPIRED: 410,
};

/** How long a client should wait before retrying while our database is unreachable. */
const SERVICE_UNAVAILABLE_RETRY_SECONDS = 1;

/**
 * A failure the caller can act on. Services throw it; it reaches clients with its code, message
 * and extensions unchanged. Messages are written for the person in front of the frontend.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/**
 * Turns a Meta failure into what the caller sees. Status changes were already decided by the
 * service (see AccountStatusService.classify); this only chooses the error code.
 */
export function appErrorFromMeta(error: MetaError): AppError {
  if (error instanceof MetaRateLimitError) {
    return new AppError(ErrorCode.RATE_LIMITED, `Instagram is limiting requests; try again in ${error.retryAfterSeconds} seconds.`, {
      retryAfterSeconds: error.retryAfterSeconds,
      // Meta's limit, shared by every member (a member's own budget says scope "member").
      scope: 'meta',
    });
  }
  if (error instanceof MetaTransientError) {
    return new AppError(ErrorCode.UPSTREAM_UNAVAILABLE, 'Instagram is not answering right now; nothing was changed. Try again shortly.');
  }
  if (error instanceof MetaAuthError) {
    if (error.appRemoved) return new AppError(ErrorCode.ACCOUNT_DISCONNECTED, `${error.reason} Connect it again to continue.`);
    return new AppError(ErrorCode.TOKEN_EXPIRED, error.reason, { metaSubcode: error.subcode ?? null });
  }
  if (error instanceof MetaPermissionError) {
    return new AppError(
      ErrorCode.PERMISSION_MISSING,
      'A permission this app needs was not granted or was removed. Reconnect and allow every requested permission.',
      { metaCode: error.code ?? null },
    );
  }
  return new AppError(ErrorCode.INTERNAL_SERVER_ERROR, 'Meta rejected a request we made; the problem is on our side and has been logged.');
}

/** Used by Apollo's formatError and the REST facade: known errors pass, anything else is hidden. */
export function toPublicError(error: unknown): { code: ErrorCode; message: string; extensions: Record<string, unknown>; unexpected: boolean } {
  if (error instanceof AppError) return { code: error.code, message: error.message, extensions: error.extensions, unexpected: false };
  if (error instanceof MetaError) {
    const app = appErrorFromMeta(error);
    return { code: app.code, message: app.message, extensions: app.extensions, unexpected: app.code === ErrorCode.INTERNAL_SERVER_ERROR };
  }
  // The driver's message names the host and port and means nothing to a client: only the code goes out.
  if (isDatabaseUnavailable(error)) {
    return {
      code: ErrorCode.SERVICE_UNAVAILABLE,
      message: 'The service is briefly unavailable; nothing was changed. Try again in a moment.',
      extensions: { retryable: true, retryAfterSeconds: SERVICE_UNAVAILABLE_RETRY_SECONDS },
      unexpected: false,
    };
  }
  return { code: ErrorCode.INTERNAL_SERVER_ERROR, message: 'Something went wrong on our side; it has been logged.', extensions: {}, unexpected: true };
}

/** An AppError as a GraphQL error: its message, extensions and code. */
export function graphQLErrorFrom(error: AppError): GraphQLError {
  return new GraphQLError(error.message, { extensions: { ...error.extensions, code: error.code } });
}

import type { ErrorRequestHandler, Response } from 'express';
import { ErrorCode, HTTP_STATUS, toPublicError } from '../../errors';
import type { Logger } from '../../logger';
import { middlewareErrorFields, requestErrorMessage } from '../middleware-errors';

/**
 * The existing API's envelope: `{status, message, data}` for every answer, errors included, with
 * the same `code` GraphQL would give and its extra fields (retryAfterSeconds, reason...) in `details`.
 */
export interface Envelope<T> {
  status: number;
  message: string;
  data: T | null;
  code?: ErrorCode;
  details?: Record<string, unknown>;
}

export function sendData<T>(res: Response, message: string, data: T): void {
  res.status(200).json({ status: 200, message, data } satisfies Envelope<T>);
}

export function sendError(res: Response, code: ErrorCode, message: string, details: Record<string, unknown> = {}): void {
  const status = HTTP_STATUS[code];
  if ((code === ErrorCode.RATE_LIMITED || code === ErrorCode.SERVICE_UNAVAILABLE) && typeof details.retryAfterSeconds === 'number')
    res.set('retry-after', String(details.retryAfterSeconds));
  res.status(status).json({ status, message, data: null, code, ...(Object.keys(details).length ? { details } : {}) } satisfies Envelope<null>);
}

/** Service errors, body-parser errors and anything unexpected, all as envelopes (never HTML). */
export function envelopeErrors(logger: Logger): ErrorRequestHandler {
  return (error, _req, res, next) => {
    if (res.headersSent) return next(error);
    const fields = middlewareErrorFields(error);
    const parserStatus = fields.type !== undefined ? fields.status : undefined;
    if (parserStatus === 413) {
      res.status(413).json({ status: 413, message: 'The request body is too large.', data: null, code: ErrorCode.BAD_USER_INPUT });
      return;
    }
    if (parserStatus && parserStatus < 500) return sendError(res, ErrorCode.BAD_USER_INPUT, requestErrorMessage(error, 'The request body is malformed.'));
    const pub = toPublicError(error);
    if (pub.unexpected) logger.error({ err: error }, 'unexpected error in the REST API');
    sendError(res, pub.code, pub.message, pub.extensions);
  };
}

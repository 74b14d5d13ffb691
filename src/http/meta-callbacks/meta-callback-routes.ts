import express, { Router, type ErrorRequestHandler } from 'express';
import type { Logger } from '../../logger';
import { LoginProvider } from '../../domain/social-account';
import type { Services } from '../../services';
import { SignedRequestError } from '../../services/meta-callbacks/signed-request';
import { middlewareErrorFields } from '../middleware-errors';
import { deletionStatusPage, unknownCodePage } from './status-page';

/** A signed_request is a few hundred bytes; anything near this is not Meta. */
const BODY_LIMIT = '16kb';

const FLOWS = [
  ['facebook', LoginProvider.FACEBOOK],
  ['instagram', LoginProvider.INSTAGRAM],
] as const;

/**
 * The URLs entered in Meta's app dashboard (docs/operations.md, "Meta callbacks"): deauthorize and data
 * deletion per flow, and the status page the data deletion answer points to. No member JWT here:
 * the signed_request is the authentication.
 */
export function metaCallbackRoutes(services: Services): Router {
  // Mounted under /meta, so the error handler below sees this router's requests only.
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: BODY_LIMIT, parameterLimit: 20 });
  const callbacks = services.metaCallbacks;

  for (const [path, provider] of FLOWS) {
    router.post(`/${path}/deauthorize`, form, async (req, res) => {
      const { disconnected } = await callbacks.deauthorize(provider, signedRequestIn(req.body));
      res.json({ success: true, disconnected_accounts: disconnected });
    });
    router.post(`/${path}/data-deletion`, form, async (req, res) => {
      const receipt = await callbacks.requestDataDeletion(provider, signedRequestIn(req.body));
      res.json({ url: receipt.url, confirmation_code: receipt.confirmationCode });
    });
  }

  router.get('/data-deletion/:confirmationCode', async (req, res) => {
    const code = String(req.params.confirmationCode);
    const state = await callbacks.deletionState(code);
    res.set('cache-control', 'no-store').type('html');
    if (!state) res.status(404).send(unknownCodePage());
    else res.send(deletionStatusPage(code, state));
  });

  router.use(callbackErrors(services.logger));
  return Router().use('/meta', router);
}

/** Meta reads the status code; the JSON body is for humans debugging the dashboard settings. */
function callbackErrors(logger: Logger): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) return next(error);
    if (error instanceof SignedRequestError) {
      logger.warn({ path: req.originalUrl, reason: error.message }, 'refused a Meta callback');
      res.status(400).json({ error: { code: 'BAD_SIGNED_REQUEST', message: error.message } });
      return;
    }
    const status = middlewareErrorFields(error).status ?? 500;
    if (status === 413) {
      res.status(413).json({ error: { code: 'PAYLOAD_TOO_LARGE', message: `The request body is larger than ${BODY_LIMIT}.` } });
      return;
    }
    if (status >= 400 && status < 500) {
      res.status(400).json({ error: { code: 'BAD_REQUEST', message: 'The request body is not a valid form.' } });
      return;
    }
    next(error); // the app's JSON error handler logs it and answers 500
  };
}

/** The form field Meta posts; verification (signed-request.ts) refuses anything that is not a valid one. */
function signedRequestIn(body: unknown): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>).signed_request : undefined;
}

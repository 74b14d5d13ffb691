import { randomBytes } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import { forkEm } from '../../database/transaction';
import { LoginProvider } from '../../domain/social-account';
import type { Services } from '../../services';
import { CONNECT_LINK_CALLBACK_PATH, CONNECT_LINK_PATH } from '../../services/connect-links/connect-links.service';
import { linkPage, unusablePage } from './connect-link-pages';

/**
 * The pages a connect link opens (docs/platform-backend.md):
 * - GET  /connect/:token      says what will happen; a form posts back to start the dialog;
 * - POST /connect/:token      issues a state bound to the link's member, 303 to Meta's dialog;
 * - GET  /connect/callback    Meta's redirect: completes the connection, 303 to the link's returnUrl.
 */
export function connectLinkRoutes(services: Services): Router {
  const router = Router();
  const links = services.connectLinks;
  const dialogOrigins = [services.config.meta.urls.facebookWww, services.config.meta.urls.instagramWww].map((u) => new URL(u).origin);

  // Before /:token, which would otherwise take "callback" for a token.
  router.get(CONNECT_LINK_CALLBACK_PATH, async (req, res, next) => {
    try {
      const em = forkEm(services.orm);
      const completed = await links.complete(em, {
        code: query(req, 'code') ?? '',
        state: query(req, 'state') ?? '',
        error: query(req, 'error') ?? null,
        errorReason: query(req, 'error_reason') ?? null,
        errorDescription: query(req, 'error_description') ?? null,
      });
      if (!completed) {
        sendPage(res, 400, (nonce) => unusablePage(nonce, 'unknown'), dialogOrigins);
        return;
      }
      const { link, outcome } = completed;
      services.logger.info(
        { connectLinkId: link.id, memberId: link.member_id, createdBy: link.created_by, outcome: outcome.ok ? 'connected' : outcome.code },
        'connect link used',
      );
      res.set('cache-control', 'no-store').redirect(303, links.returnUrlWith(link, outcome));
    } catch (error) {
      next(error);
    }
  });

  router.get(`${CONNECT_LINK_PATH}/:token`, async (req, res, next) => {
    try {
      const opened = await links.open(forkEm(services.orm), String(req.params.token));
      if (!opened) return sendPage(res, 404, (nonce) => unusablePage(nonce, 'unknown'), dialogOrigins);
      const { link, state } = opened;
      if (state !== 'usable') {
        const back = links.returnUrlWith(link, {
          ok: false,
          code: `CONNECT_LINK_${state.toUpperCase()}`,
          reason: null,
          message: `The connect link is ${state}.`,
        });
        return sendPage(res, 410, (nonce) => unusablePage(nonce, state, back), dialogOrigins);
      }
      sendPage(
        res,
        200,
        (nonce) =>
          linkPage(nonce, {
            action: `${CONNECT_LINK_PATH}/${String(req.params.token)}`,
            provider: link.provider,
            reconnect: Boolean(link.account_id),
            expiresAt: new Date(link.expires_at),
          }),
        dialogOrigins,
      );
    } catch (error) {
      next(error);
    }
  });

  router.post(`${CONNECT_LINK_PATH}/:token`, express.urlencoded({ extended: false, limit: '2kb' }), async (req, res, next) => {
    try {
      const em = forkEm(services.orm);
      const opened = await links.open(em, String(req.params.token));
      if (!opened) return sendPage(res, 404, (nonce) => unusablePage(nonce, 'unknown'), dialogOrigins);
      const raw = (req.body as Record<string, unknown> | undefined)?.provider;
      const chosen = Object.values(LoginProvider).includes(raw as LoginProvider) ? (raw as LoginProvider) : undefined;
      const dialog = opened.state === 'usable' ? await links.start(em, opened.link, chosen) : undefined;
      if (!dialog) {
        const state = opened.state === 'usable' ? links.stateOf(opened.link) : opened.state;
        return sendPage(res, 410, (nonce) => unusablePage(nonce, state === 'usable' ? 'expired' : state), dialogOrigins);
      }
      res.set('cache-control', 'no-store').redirect(303, dialog);
    } catch (error) {
      next(error);
    }
  });

  return router;
}

/**
 * A page with its own CSP: nothing but its nonce'd <style>, forms only to us and to Meta's dialog
 * origins (a form's redirect target is checked too), never framed, no referrer for the bearer URL.
 */
function sendPage(res: Response, status: number, html: (nonce: string) => string, dialogOrigins: string[]): void {
  const nonce = randomBytes(16).toString('base64');
  res
    .status(status)
    .set({
      'content-security-policy': `default-src 'none'; style-src 'nonce-${nonce}'; img-src 'self'; form-action 'self' ${dialogOrigins.join(' ')}; base-uri 'none'; frame-ancestors 'none'`,
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    })
    .type('html')
    .send(html(nonce));
}

function query(req: Request, name: string): string | undefined {
  const value = req.query[name];
  return typeof value === 'string' ? value : undefined;
}

import cors from 'cors';
import type { RequestHandler } from 'express';

/**
 * Browsers on the platform's own origins (CORS_ORIGINS) may call /graphql and the REST facade.
 * Exact origins only, echoed back one at a time: `Access-Control-Allow-Origin: *` is refused by
 * browsers together with credentials, and a pattern is one typo away from "any site". An origin
 * not on the list gets no CORS headers at all, so the browser refuses the response. Apollo's CSRF
 * prevention stays on: a cross-site "simple" request (no preflight) is still refused by Apollo.
 */
export function corsMiddleware(origins: readonly string[]): RequestHandler {
  const allowed = new Set(origins);
  return cors({
    origin: (origin, done) => done(null, origin !== undefined && allowed.has(origin)),
    credentials: true,
    methods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
    // What our clients send: the JWT, JSON bodies, and the headers Apollo's CSRF check accepts.
    allowedHeaders: ['authorization', 'content-type', 'accept', 'apollo-require-preflight', 'x-apollo-operation-name'],
    exposedHeaders: ['retry-after'],
    maxAge: 600,
  });
}

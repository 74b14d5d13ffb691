import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';

/** web/dist, built by `npm install` (prepare) and `npm start`; the same path from src/ and dist/. */
export const WEB_DIST = path.resolve(__dirname, '..', '..', 'web', 'dist');

/**
 * The dashboard at `/`: static files from web/dist, and index.html for the client-side routes
 * (`/`, `/oauth/callback`). Mounted after every API route so it never shadows one.
 */
export function webApp(dist = WEB_DIST): Router {
  const router = Router();
  const index = path.join(dist, 'index.html');
  router.use(express.static(dist, { index: false, maxAge: '1h', immutable: false }));
  router.get(['/', '/oauth/callback'], (_req, res) => {
    if (!existsSync(index)) {
      res.status(503).type('text/plain').send('The dashboard is not built yet: run `npm run build:web` (npm install and npm start do it).');
      return;
    }
    res.set('cache-control', 'no-cache').sendFile(index);
  });
  return router;
}

import { Router } from 'express';
import type { Config } from '../config';
import { signDevelopmentToken } from '../services/auth/jwt-verifier';

const DEMO_MEMBER_ID = 'demo-member';

/**
 * Sandbox-only helpers for the dashboard: whether this is a sandbox, and a development JWT for a
 * demo member. Mounted only in sandbox mode (never in production: sandbox mode cannot start there).
 */
export function sandboxRoutes(config: Config, emulatorUrl: string): Router {
  const router = Router();
  router.get('/sandbox', (_req, res) => {
    res.json({ sandbox: true, emulator: emulatorUrl, demoMemberId: DEMO_MEMBER_ID });
  });
  router.post('/sandbox/token', (_req, res) => {
    const token = signDevelopmentToken(config.jwt.secret!, DEMO_MEMBER_ID, 12 * 3600, { issuer: config.jwt.issuer, audience: config.jwt.audience });
    res.set('cache-control', 'no-store').json({ token, memberId: DEMO_MEMBER_ID });
  });
  return router;
}

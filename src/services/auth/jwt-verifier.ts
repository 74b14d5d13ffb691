import jwt from 'jsonwebtoken';
import type { ServiceScope } from './principal';

// Verification lives in authenticator.ts; these types are imported under this path by resolvers.
export type { AuthenticatedMember, Principal } from './principal';

/** Signs a development token (npm run token, sandbox sign-in). HS256 only. */
export function signDevelopmentToken(secret: string, memberId: string, ttlSeconds = 12 * 3600, extra: { issuer?: string; audience?: string } = {}): string {
  // jsonwebtoken rejects an option that is present but undefined, so only set claims we have.
  return jwt.sign({}, secret, {
    algorithm: 'HS256',
    subject: memberId,
    expiresIn: ttlSeconds,
    ...(extra.issuer ? { issuer: extra.issuer } : {}),
    ...(extra.audience ? { audience: extra.audience } : {}),
  });
}

/** Signs a development service token (HS256) for JWT_SERVICE_AUDIENCE with these scopes. */
export function signDevelopmentServiceToken(
  secret: string,
  serviceId: string,
  scopes: ServiceScope[],
  audience: string,
  ttlSeconds = 3600,
  extra: { issuer?: string } = {},
): string {
  return jwt.sign({ scope: scopes.join(' '), client_id: serviceId }, secret, {
    algorithm: 'HS256',
    subject: serviceId,
    audience,
    expiresIn: ttlSeconds,
    ...(extra.issuer ? { issuer: extra.issuer } : {}),
  });
}

import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import jwt, { type Algorithm, type JwtPayload } from 'jsonwebtoken';
import type { JwtConfig } from '../../config';
import { AppError, ErrorCode } from '../../errors';

export interface AuthenticatedMember {
  memberId: string;
  /** Token expiry, epoch seconds: subscriptions close when it passes. */
  expiresAt: number;
}

const MAX_TOKEN_LENGTH = 8192;

/**
 * Tokens verified recently, by their exact text. A client sends the same token with every
 * request until it expires, and a request checks it twice (the member budget, then the
 * resolvers' context): signature and claims cost ~9 µs a time, a hit ~0.1 µs (3 % of a read
 * request's CPU in the profile; BENCHMARKS.md, read path). The answer cannot change while the token is
 * unexpired (the key, issuer and audience are fixed for the process, and `nbf` once passed stays
 * passed), so a hit only re-checks `exp`, exactly as jsonwebtoken does. Only tokens that verified
 * are kept, so garbage cannot fill it; the oldest entry goes first past the bound.
 */
const VERIFIED_TOKENS_KEPT = 10_000;

/**
 * Verifies platform JWTs: HS256 with a shared secret, or RS256/ES256 with a public key.
 * `exp` is required; issuer and audience are checked when configured. The member is `sub`.
 */
export class JwtVerifier {
  private readonly key: KeyObject;
  private readonly algorithms: Algorithm[];
  private readonly verified = new Map<string, AuthenticatedMember>();

  /** In sandbox mode, refusals say where a valid development token comes from. */
  private readonly hint: string;

  constructor(
    private readonly config: JwtConfig,
    options: { sandbox?: boolean } = {},
  ) {
    this.hint = options.sandbox ? ' In sandbox mode, `npm run token -- <memberId>` prints one.' : '';
    // A KeyObject, made once. Given a string, jsonwebtoken first tries to parse it as a PEM
    // public key on every verify; for a shared secret that parse fails inside OpenSSL and costs
    // ~0.35 ms of CPU per request, more than the rest of the auth check (bench/: read path).
    this.key = config.publicKey ? createPublicKey(config.publicKey) : createSecretKey(Buffer.from(config.secret!, 'utf8'));
    this.algorithms = config.publicKey ? ['RS256', 'ES256'] : ['HS256'];
  }

  /** Accepts `Bearer <jwt>` or the bare token. */
  verifyHeader(header: string | undefined | null): AuthenticatedMember {
    // HTTP trims the header, so an empty `Bearer ` arrives as `Bearer`: a missing token too.
    const token = header?.replace(/^Bearer(?:\s+|$)/i, '').trim();
    if (!token) throw unauthenticated(`Sign in: send Authorization: Bearer <token>.${this.hint}`);
    return this.verify(token);
  }

  verify(token: string): AuthenticatedMember {
    if (!token || token.length > MAX_TOKEN_LENGTH) throw unauthenticated('The access token is missing or malformed.');
    const known = this.verified.get(token);
    if (known) {
      // jsonwebtoken's own rule: expired once the current second reaches `exp`.
      if (Math.floor(Date.now() / 1000) < known.expiresAt) return known;
      this.verified.delete(token);
      throw expiredToken();
    }
    const member = this.verifyClaims(token);
    if (this.verified.size >= VERIFIED_TOKENS_KEPT) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, member);
    return member;
  }

  private verifyClaims(token: string): AuthenticatedMember {
    let payload: JwtPayload;
    try {
      const decoded = jwt.verify(token, this.key, {
        algorithms: this.algorithms,
        issuer: this.config.issuer,
        audience: this.config.audience,
      });
      if (typeof decoded === 'string') throw new Error('string payload');
      payload = decoded;
    } catch (error) {
      if ((error as Error).name === 'TokenExpiredError') throw expiredToken();
      throw unauthenticated(`The access token is invalid.${this.hint}`);
    }
    if (typeof payload.exp !== 'number') throw unauthenticated('The access token must carry an expiry (exp).');
    if (typeof payload.sub !== 'string' || payload.sub.length === 0 || payload.sub.length > 255) {
      throw unauthenticated('The access token does not name a member (sub).');
    }
    return { memberId: payload.sub, expiresAt: payload.exp };
  }
}

function expiredToken(): AppError {
  return unauthenticated('The access token has expired; sign in again.');
}

function unauthenticated(message: string): AppError {
  return new AppError(ErrorCode.UNAUTHENTICATED, message);
}

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

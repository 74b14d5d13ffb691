import { errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { JwtConfig } from '../../config';
import { AppError, ErrorCode } from '../../errors';
import { memberOf, SERVICE_SCOPES, type AuthenticatedMember, type Principal, type ServiceScope } from './principal';
import { KeysUnavailable, SigningKeys } from './signing-keys';

const MAX_TOKEN_LENGTH = 8192;
const MAX_ID_LENGTH = 255;

/**
 * Tokens verified recently, by their exact text. A client sends the same token with every
 * request until it expires: signature and claims cost ~9 µs a time (more with RSA), a hit
 * ~0.1 µs (3 % of a read request's CPU in the profile; BENCHMARKS.md, read path). The answer
 * cannot change while the token is unexpired (keys, issuer and audiences are fixed for the process,
 * a JWKS key once trusted for a token verified it, and `nbf` once passed stays passed), so a hit
 * only re-checks `exp`. Only tokens that verified are kept, so garbage cannot fill it; the oldest
 * entry goes first past the bound.
 */
const VERIFIED_TOKENS_KEPT = 10_000;

/**
 * The one place credentials are checked. A bearer JWT becomes a Principal: a member (the member
 * claim, JWT_MEMBER_CLAIM) or, when its `aud` holds JWT_SERVICE_AUDIENCE, a service with scopes.
 * Keys: HS256 with JWT_SECRET, RS256/ES256 with JWT_PUBLIC_KEY or JWT_JWKS_URL (signing-keys.ts).
 * `exp` is required; `iss` is checked when configured, `aud` as above.
 */
export class Authenticator {
  private readonly keys: SigningKeys;
  private readonly verified = new Map<string, Principal>();
  /** In sandbox mode, refusals say where a valid development token comes from. */
  private readonly hint: string;

  constructor(
    private readonly config: JwtConfig,
    options: { sandbox?: boolean } = {},
  ) {
    this.keys = new SigningKeys(config);
    this.hint = options.sandbox ? ' In sandbox mode, `npm run token -- <memberId>` prints one.' : '';
  }

  /** Accepts `Bearer <jwt>` or the bare token; UNAUTHENTICATED (coded) when it is missing or not valid. */
  async authenticate(header: string | undefined | null): Promise<Principal> {
    // HTTP trims the header, so an empty `Bearer ` arrives as `Bearer`: a missing token too.
    const token = header?.replace(/^Bearer(?:\s+|$)/i, '').trim();
    if (!token) throw unauthenticated(`Sign in: send Authorization: Bearer <token>.${this.hint}`);
    return this.verify(token);
  }

  /** authenticate, for operations that act for the signed-in member (a service token is FORBIDDEN). */
  async authenticateMember(header: string | undefined | null): Promise<AuthenticatedMember> {
    return memberOf(await this.authenticate(header));
  }

  /**
   * The principal of a token verified earlier and still unexpired, without verifying anything:
   * for labels (who sent a refused request), never for access.
   */
  remembered(header: string | undefined | null): Principal | undefined {
    const known = header ? this.verified.get(header.replace(/^Bearer\s+/i, '').trim()) : undefined;
    return known && nowSeconds() < known.expiresAt ? known : undefined;
  }

  async verify(token: string): Promise<Principal> {
    if (!token || token.length > MAX_TOKEN_LENGTH) throw unauthenticated('The access token is missing or malformed.');
    const known = this.verified.get(token);
    if (known) {
      // jose's and jsonwebtoken's rule: expired once the current second reaches `exp`.
      if (nowSeconds() < known.expiresAt) return known;
      this.verified.delete(token);
      throw expiredToken();
    }
    const principal = this.principalOf(await this.verifySignature(token));
    if (this.verified.size >= VERIFIED_TOKENS_KEPT) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, principal);
    return principal;
  }

  private async verifySignature(token: string): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(token, this.keys.resolve, {
        algorithms: this.keys.algorithms,
        issuer: this.config.issuer,
        requiredClaims: ['exp'],
      });
      return payload;
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw expiredToken();
      if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'exp') {
        throw unauthenticated('The access token must carry an expiry (exp).');
      }
      if (error instanceof KeysUnavailable) {
        // The provider's key set could not be fetched: not the caller's fault, and not cached.
        throw new AppError(ErrorCode.SERVICE_UNAVAILABLE, "The identity provider's signing keys could not be fetched; retry shortly.", {
          retryAfterSeconds: 1,
        });
      }
      // Signature, algorithm, issuer, nbf, a kid the key set does not hold, a malformed token: one answer.
      throw unauthenticated(`The access token is invalid.${this.hint}`);
    }
  }

  /** A member, or (its `aud` holds JWT_SERVICE_AUDIENCE) a service; refuses a token that is neither or both. */
  private principalOf(payload: JWTPayload): Principal {
    const expiresAt = payload.exp!;
    const audiences = typeof payload.aud === 'string' ? [payload.aud] : (payload.aud ?? []);
    const { audience, serviceAudience } = this.config;
    const forMembers = !audience || audiences.includes(audience);
    if (serviceAudience && audiences.includes(serviceAudience)) {
      // A token meant for both would let one leaked member token act as the backend: refused.
      if (audience && audiences.includes(audience)) throw unauthenticated('The access token is invalid: it names both the member and the service audience.');
      const serviceId = firstId(payload.client_id, payload.azp, payload.sub);
      if (!serviceId) throw unauthenticated('The service token does not name its client (client_id, azp or sub).');
      return { kind: 'service', serviceId, scopes: scopesOf(payload), expiresAt };
    }
    if (!forMembers) throw unauthenticated('The access token is invalid.');
    const claim = this.config.memberClaim ?? 'sub';
    const memberId = payload[claim];
    if (typeof memberId !== 'string' || memberId.length === 0 || memberId.length > MAX_ID_LENGTH) {
      throw unauthenticated(`The access token does not name a member (${claim}).`);
    }
    return { kind: 'member', memberId, expiresAt };
  }
}

/** RFC 9068's space-separated `scope`, or `scp` (a list or a string, as Okta and Entra ID send it); unknown scopes are ignored. */
function scopesOf(payload: JWTPayload): ServiceScope[] {
  const raw = payload.scope ?? payload.scp;
  const listed = typeof raw === 'string' ? raw.split(' ') : Array.isArray(raw) ? raw.filter((s): s is string => typeof s === 'string') : [];
  return SERVICE_SCOPES.filter((scope) => listed.includes(scope));
}

function firstId(...candidates: unknown[]): string | undefined {
  return candidates.find((c): c is string => typeof c === 'string' && c.length > 0 && c.length <= MAX_ID_LENGTH);
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

function expiredToken(): AppError {
  return unauthenticated('The access token has expired; sign in again.');
}

function unauthenticated(message: string): AppError {
  return new AppError(ErrorCode.UNAUTHENTICATED, message);
}

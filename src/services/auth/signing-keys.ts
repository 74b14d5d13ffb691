import { describeError } from '../../describe-error';
import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, errors as joseErrors, type FlattenedJWSInput, type JWTHeaderParameters, type KeyLike } from 'jose';
import type { JwtConfig } from '../../config';

/** Asymmetric algorithms accepted from the identity provider (JWT_PUBLIC_KEY or JWT_JWKS_URL). */
const ASYMMETRIC_ALGORITHMS = ['RS256', 'ES256'];

/** How long fetched keys are trusted without a refetch (jose's cacheMaxAge); an unknown `kid` refetches sooner. */
const JWKS_MAX_AGE_MS = 10 * 60_000;
const JWKS_TIMEOUT_MS = 5_000;

export type KeyResolver = (header: JWTHeaderParameters, token: FlattenedJWSInput) => Promise<KeyLike | Uint8Array> | KeyLike;

/**
 * The keys a token may be signed with, by algorithm: HS256 only with JWT_SECRET, RS256/ES256 only
 * with JWT_PUBLIC_KEY or a key of JWT_JWKS_URL. An algorithm never meets another family's key,
 * so a public key cannot be used as an HMAC secret (algorithm confusion). jose refuses `none`.
 */
export class SigningKeys {
  readonly algorithms: string[];
  private readonly secret?: KeyObject;
  private readonly publicKey?: KeyObject;
  private readonly jwks?: ReturnType<typeof createRemoteJWKSet>;

  constructor(config: JwtConfig) {
    // KeyObjects made once: parsing a PEM or wrapping a secret per request costs more than the check.
    if (config.secret) this.secret = createSecretKey(Buffer.from(config.secret, 'utf8'));
    if (config.publicKey) this.publicKey = createPublicKey(config.publicKey);
    if (config.jwksUrl) {
      // jose caches the set, refetches it for a `kid` it does not know, and never more than once
      // per cooldown (an attacker's random kids cannot make us hammer the provider).
      this.jwks = createRemoteJWKSet(new URL(config.jwksUrl), {
        cooldownDuration: (config.jwksCooldownSeconds ?? 30) * 1000,
        cacheMaxAge: JWKS_MAX_AGE_MS,
        timeoutDuration: JWKS_TIMEOUT_MS,
      });
    }
    this.algorithms = [...(this.secret ? ['HS256'] : []), ...(this.publicKey || this.jwks ? ASYMMETRIC_ALGORITHMS : [])];
  }

  /** jose's key lookup: the key for this header's algorithm (and `kid`, from the JWKS). */
  readonly resolve: KeyResolver = (header, token) => {
    if (header.alg === 'HS256' && this.secret) return this.secret;
    if (ASYMMETRIC_ALGORITHMS.includes(header.alg)) {
      if (this.publicKey && (!this.jwks || !header.kid)) return this.publicKey;
      if (this.jwks) return this.fromJwks(header, token);
    }
    throw new UnusableAlgorithm();
  };

  /** A key of the set by `kid`; a set that cannot be fetched (down, timeout, not JSON) is KeysUnavailable, not a bad token. */
  private async fromJwks(header: JWTHeaderParameters, token: FlattenedJWSInput) {
    try {
      return await this.jwks!(header, token);
    } catch (error) {
      const aboutTheToken =
        error instanceof joseErrors.JWKSNoMatchingKey ||
        error instanceof joseErrors.JWKSMultipleMatchingKeys ||
        error instanceof joseErrors.JOSENotSupported ||
        error instanceof joseErrors.JWKInvalid;
      if (aboutTheToken) throw error;
      throw new KeysUnavailable(describeError(error));
    }
  }
}

/** The identity provider's key set could not be fetched. */
export class KeysUnavailable extends Error {}

export class UnusableAlgorithm extends Error {
  constructor() {
    super('no key for this algorithm');
  }
}

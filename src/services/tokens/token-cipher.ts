import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { TokenKeyring } from '../../config';

/**
 * AES-256-GCM for access tokens at rest. The stored form is `v1.<keyId>.<iv>.<tag>.<ciphertext>`
 * (base64url parts), so a rotated key can still be found by id and a tampered value fails to decrypt.
 * The associated data binds a ciphertext to its purpose (e.g. "grant:<id>"), so a token copied
 * into another row does not decrypt there.
 */
export class TokenCipher {
  constructor(private readonly keys: TokenKeyring) {}

  encrypt(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.current.key, iv);
    cipher.setAAD(Buffer.from(context));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', this.keys.current.id, b64(iv), b64(cipher.getAuthTag()), b64(ciphertext)].join('.');
  }

  decrypt(stored: string, context: string): string {
    const [version, keyId, iv, tag, ciphertext] = stored.split('.');
    if (version !== 'v1' || !ciphertext) throw new TokenDecryptionError('unknown token envelope');
    const key = [this.keys.current, ...this.keys.old].find((k) => k.id === keyId);
    if (!key) throw new TokenDecryptionError(`no key with id ${keyId} is configured`, keyId);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new TokenDecryptionError('token failed authentication (wrong key or tampered value)', keyId);
    }
  }

  /** True when the value was written with an old key and should be re-encrypted. */
  needsRotation(stored: string): boolean {
    return stored.split('.')[1] !== this.keys.current.id;
  }

  get currentKeyId(): string {
    return this.keys.current.id;
  }

  /** Whether a key id (from a stored value) is the current key, an old one still configured, or gone. */
  keyStatus(keyId: string): 'current' | 'old' | 'not_configured' {
    if (keyId === this.keys.current.id) return 'current';
    return this.keys.old.some((k) => k.id === keyId) ? 'old' : 'not_configured';
  }
}

export class TokenDecryptionError extends Error {
  override name = 'TokenDecryptionError';
  constructor(
    message: string,
    /** The key id the stored value names, when it has one. */
    readonly keyId?: string,
  ) {
    super(message);
  }
}

/** The key id a stored value was sealed with (`v1.<keyId>.…`). */
export function sealedKeyId(stored: string): string {
  return stored.split('.')[1] ?? '';
}

const b64 = (buffer: Buffer) => buffer.toString('base64url');

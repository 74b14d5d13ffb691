import { TokenCipher, TokenDecryptionError } from '../../src/services/tokens/token-cipher';

const keyA = { id: 'a', key: Buffer.alloc(32, 1) };
const keyB = { id: 'b', key: Buffer.alloc(32, 2) };

describe('TokenCipher (AES-256-GCM at rest)', () => {
  const cipher = new TokenCipher({ current: keyA, old: [] });

  it('round-trips and never stores the plaintext', () => {
    const sealed = cipher.encrypt('EAAG-secret-token', 'grant:1');
    expect(sealed).not.toContain('secret');
    expect(sealed.startsWith('v1.a.')).toBe(true);
    expect(cipher.decrypt(sealed, 'grant:1')).toBe('EAAG-secret-token');
    // A fresh IV each time: equal tokens do not give equal ciphertexts.
    expect(cipher.encrypt('EAAG-secret-token', 'grant:1')).not.toBe(sealed);
  });

  it('refuses a tampered value, another row, or an unknown key', () => {
    const sealed = cipher.encrypt('token', 'account:1');
    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[4], 'base64url');
    flipped[0] ^= 1;
    expect(() => cipher.decrypt([...parts.slice(0, 4), flipped.toString('base64url')].join('.'), 'account:1')).toThrow(TokenDecryptionError);
    expect(() => cipher.decrypt(sealed, 'account:2')).toThrow(TokenDecryptionError);
    expect(() => new TokenCipher({ current: keyB, old: [] }).decrypt(sealed, 'account:1')).toThrow(/no key with id a/);
  });

  it('decrypts with an old key after rotation and flags the value for re-encryption', () => {
    const sealed = cipher.encrypt('token', 'grant:9');
    const rotated = new TokenCipher({ current: keyB, old: [keyA] });
    expect(rotated.decrypt(sealed, 'grant:9')).toBe('token');
    expect(rotated.needsRotation(sealed)).toBe(true);
    expect(rotated.needsRotation(rotated.encrypt('token', 'grant:9'))).toBe(false);
  });
});

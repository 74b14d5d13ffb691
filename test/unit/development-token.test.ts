import { JwtVerifier, signDevelopmentToken } from '../../src/services/auth/jwt-verifier';

const SECRET = 'a-development-secret-that-is-long-enough-0123';

describe('signDevelopmentToken (npm run token)', () => {
  it('signs a token the verifier accepts when no issuer or audience is configured', () => {
    const token = signDevelopmentToken(SECRET, 'member-42', 60);
    expect(new JwtVerifier({ secret: SECRET }).verify(token).memberId).toBe('member-42');
  });

  it('carries the configured issuer and audience, which the verifier then requires', () => {
    const token = signDevelopmentToken(SECRET, 'member-43', 60, { issuer: 'https://platform.example', audience: 'instagram-connect' });
    const strict = new JwtVerifier({ secret: SECRET, issuer: 'https://platform.example', audience: 'instagram-connect' });
    expect(strict.verify(token).memberId).toBe('member-43');
    expect(() => strict.verify(signDevelopmentToken(SECRET, 'member-44', 60))).toThrow();
  });
});

import { Authenticator } from '../../src/services/auth/authenticator';
import { signDevelopmentServiceToken, signDevelopmentToken } from '../../src/services/auth/jwt-verifier';

const SECRET = 'a-development-secret-that-is-long-enough-0123';

describe('signDevelopmentToken (npm run token)', () => {
  it('signs a token the verifier accepts when no issuer or audience is configured', async () => {
    const token = signDevelopmentToken(SECRET, 'member-42', 60);
    expect(await new Authenticator({ secret: SECRET }).verify(token)).toMatchObject({ memberId: 'member-42' });
  });

  it('carries the configured issuer and audience, which the verifier then requires', async () => {
    const token = signDevelopmentToken(SECRET, 'member-43', 60, { issuer: 'https://platform.example', audience: 'instagram-connect' });
    const strict = new Authenticator({ secret: SECRET, issuer: 'https://platform.example', audience: 'instagram-connect' });
    expect(await strict.verify(token)).toMatchObject({ memberId: 'member-43' });
    await expect(strict.verify(signDevelopmentToken(SECRET, 'member-44', 60))).rejects.toThrow();
  });
});

describe('signDevelopmentServiceToken (npm run token -- --service)', () => {
  it('signs a service token the authenticator takes as that service with those scopes', async () => {
    const token = signDevelopmentServiceToken(SECRET, 'pricing', ['accounts:read', 'connect-links:create'], 'backend', 60);
    const principal = await new Authenticator({ secret: SECRET, serviceAudience: 'backend' }).verify(token);
    expect(principal).toMatchObject({ kind: 'service', serviceId: 'pricing', scopes: ['accounts:read', 'connect-links:create'] });
  });
});

import jwt from 'jsonwebtoken';
import { AppError, ErrorCode } from '../../src/errors';
import { Authenticator } from '../../src/services/auth/authenticator';

const SECRET = 'a-verifier-secret-that-is-long-enough-0123456789';
const sign = (claims: object) => jwt.sign(claims, SECRET, { algorithm: 'HS256' });
const nowSeconds = () => Math.floor(Date.now() / 1000);

async function refusal(verify: () => Promise<unknown>): Promise<AppError> {
  try {
    await verify();
  } catch (error) {
    return error as AppError;
  }
  throw new Error('expected the token to be refused');
}

describe('Authenticator and the tokens it has already verified', () => {
  it('answers a token it has seen with the same member, and a changed token is verified afresh', async () => {
    const verifier = new Authenticator({ secret: SECRET });
    const token = sign({ sub: 'member-1', exp: nowSeconds() + 600 });
    expect(await verifier.verify(token)).toEqual({ kind: 'member', memberId: 'member-1', expiresAt: expect.any(Number) });
    expect(await verifier.verify(token)).toMatchObject({ memberId: 'member-1' });
    const tampered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    expect((await refusal(() => verifier.verify(tampered))).message).toBe('The access token is invalid.');
  });

  it('refuses a remembered token once it expires, with the same answer as a token never seen', async () => {
    const verifier = new Authenticator({ secret: SECRET });
    const token = sign({ sub: 'member-2', exp: nowSeconds() + 2 }); // 2: a second boundary between signing and the first check must not expire it
    const principal = await verifier.verify(token);
    expect(principal).toMatchObject({ kind: 'member', memberId: 'member-2' });
    while (nowSeconds() < principal.expiresAt) await new Promise((resolve) => setTimeout(resolve, 50));
    const remembered = await refusal(() => verifier.verify(token));
    const fresh = await refusal(() => new Authenticator({ secret: SECRET }).verify(token));
    expect(remembered.code).toBe(ErrorCode.UNAUTHENTICATED);
    expect(remembered.message).toBe('The access token has expired; sign in again.');
    expect(remembered.message).toBe(fresh.message);
    expect((await refusal(() => verifier.verify(token))).message).toBe(fresh.message); // and stays refused
  });
});

describe('Authenticator: members and services', () => {
  const exp = () => nowSeconds() + 600;

  it('takes the member from JWT_MEMBER_CLAIM', async () => {
    const verifier = new Authenticator({ secret: SECRET, memberClaim: 'uid' });
    expect(await verifier.verify(sign({ sub: 'auth0|x', uid: 'member-9', exp: exp() }))).toMatchObject({ kind: 'member', memberId: 'member-9' });
    expect((await refusal(() => verifier.verify(sign({ sub: 'auth0|y', exp: exp() })))).message).toBe('The access token does not name a member (uid).');
  });

  it('makes a service of a token for the service audience, with only the scopes it knows', async () => {
    const verifier = new Authenticator({ secret: SECRET, audience: 'members', serviceAudience: 'backend' });
    const service = await verifier.verify(sign({ aud: 'backend', client_id: 'pricing', sub: 'x', scope: 'openid accounts:read admin', exp: exp() }));
    expect(service).toEqual({ kind: 'service', serviceId: 'pricing', scopes: ['accounts:read'], expiresAt: expect.any(Number) });
    expect(await verifier.verify(sign({ aud: 'members', sub: 'member-1', scope: 'accounts:read', exp: exp() }))).toMatchObject({ kind: 'member' });
    const both = await refusal(() => verifier.verify(sign({ aud: ['members', 'backend'], sub: 'x', scope: 'accounts:read', exp: exp() })));
    expect(both.code).toBe(ErrorCode.UNAUTHENTICATED);
  });
});

describe('Authenticator refusals say what to do', () => {
  it('calls an empty Bearer missing, as HTTP delivers it (trimmed) and with spaces left in', async () => {
    const verifier = new Authenticator({ secret: SECRET });
    for (const header of [undefined, '', 'Bearer', 'bearer ', 'Bearer    ']) {
      expect((await refusal(() => verifier.authenticate(header))).message).toBe('Sign in: send Authorization: Bearer <token>.');
    }
    expect((await refusal(() => verifier.authenticate('Bearer not-a-jwt'))).message).toBe('The access token is invalid.');
  });

  it('in sandbox mode, points to npm run token', async () => {
    const sandbox = new Authenticator({ secret: SECRET }, { sandbox: true });
    const hint = 'In sandbox mode, `npm run token -- <memberId>` prints one.';
    expect((await refusal(() => sandbox.authenticate('Bearer not-a-jwt'))).message).toBe(`The access token is invalid. ${hint}`);
    expect((await refusal(() => sandbox.authenticate('Bearer'))).message).toBe(`Sign in: send Authorization: Bearer <token>. ${hint}`);
  });
});

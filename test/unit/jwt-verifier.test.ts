import jwt from 'jsonwebtoken';
import { AppError, ErrorCode } from '../../src/errors';
import { JwtVerifier } from '../../src/services/auth/jwt-verifier';

const SECRET = 'a-verifier-secret-that-is-long-enough-0123456789';
const sign = (claims: object) => jwt.sign(claims, SECRET, { algorithm: 'HS256' });
const nowSeconds = () => Math.floor(Date.now() / 1000);

function refusal(verify: () => unknown): AppError {
  try {
    verify();
  } catch (error) {
    return error as AppError;
  }
  throw new Error('expected the token to be refused');
}

describe('JwtVerifier and the tokens it has already verified', () => {
  it('answers a token it has seen with the same member, and a changed token is verified afresh', () => {
    const verifier = new JwtVerifier({ secret: SECRET });
    const token = sign({ sub: 'member-1', exp: nowSeconds() + 600 });
    expect(verifier.verify(token)).toEqual({ memberId: 'member-1', expiresAt: expect.any(Number) });
    expect(verifier.verify(token).memberId).toBe('member-1');
    const tampered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    expect(refusal(() => verifier.verify(tampered)).message).toBe('The access token is invalid.');
  });

  it('refuses a remembered token once it expires, with the same answer as a token never seen', async () => {
    const verifier = new JwtVerifier({ secret: SECRET });
    const token = sign({ sub: 'member-2', exp: nowSeconds() + 1 });
    const { memberId, expiresAt } = verifier.verify(token);
    expect(memberId).toBe('member-2');
    while (nowSeconds() < expiresAt) await new Promise((resolve) => setTimeout(resolve, 50));
    const remembered = refusal(() => verifier.verify(token));
    const fresh = refusal(() => new JwtVerifier({ secret: SECRET }).verify(token));
    expect(remembered.code).toBe(ErrorCode.UNAUTHENTICATED);
    expect(remembered.message).toBe('The access token has expired; sign in again.');
    expect(remembered.message).toBe(fresh.message);
    expect(refusal(() => verifier.verify(token)).message).toBe(fresh.message); // and stays refused
  });
});

describe('JwtVerifier refusals say what to do', () => {
  it('calls an empty Bearer missing, as HTTP delivers it (trimmed) and with spaces left in', () => {
    const verifier = new JwtVerifier({ secret: SECRET });
    for (const header of [undefined, '', 'Bearer', 'bearer ', 'Bearer    ']) {
      expect(refusal(() => verifier.verifyHeader(header)).message).toBe('Sign in: send Authorization: Bearer <token>.');
    }
    expect(refusal(() => verifier.verifyHeader('Bearer not-a-jwt')).message).toBe('The access token is invalid.');
  });

  it('in sandbox mode, points to npm run token', () => {
    const sandbox = new JwtVerifier({ secret: SECRET }, { sandbox: true });
    const hint = 'In sandbox mode, `npm run token -- <memberId>` prints one.';
    expect(refusal(() => sandbox.verifyHeader('Bearer not-a-jwt')).message).toBe(`The access token is invalid. ${hint}`);
    expect(refusal(() => sandbox.verifyHeader('Bearer')).message).toBe(`Sign in: send Authorization: Bearer <token>. ${hint}`);
  });
});

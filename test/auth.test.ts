import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { SocialAccountsDocument } from '../client/generated/graphql';
import { appForThisFile, onlyError, TEST_JWT_SECRET, TestApp } from './helpers/test-app';

const app = appForThisFile({ env: { JWT_ISSUER: 'https://platform.example', JWT_AUDIENCE: 'instagram-connect' } });

const sign = (claims: object, options: jwt.SignOptions = {}, key: string = TEST_JWT_SECRET) => {
  const merged: jwt.SignOptions = {
    algorithm: 'HS256',
    expiresIn: 600,
    issuer: 'https://platform.example',
    audience: 'instagram-connect',
    subject: 'member-auth',
    ...options,
  };
  // jsonwebtoken refuses an `undefined` option; leaving it out is how a test drops a claim.
  for (const key of Object.keys(merged) as Array<keyof jwt.SignOptions>) if (merged[key] === undefined) delete merged[key];
  return jwt.sign(claims, key, merged);
};

async function codeFor(token: string | null, query = '{ socialAccounts { id } }') {
  return onlyError(await app.post({ query }, { token })).extensions.code;
}

describe('authentication', () => {
  it('accepts a valid token and takes the member from sub', async () => {
    const response = await app.gql(SocialAccountsDocument, {}, { token: sign({}) });
    expect(response.data?.socialAccounts).toEqual([]);
  });

  it.each([
    ['no token', null],
    ['garbage', 'not-a-jwt'],
    ['expired', sign({}, { expiresIn: -10 })],
    ['wrong key', sign({}, {}, 'another-secret-that-is-long-enough-0123456789')],
    ['wrong audience', sign({}, { audience: 'someone-else' })],
    ['wrong issuer', sign({}, { issuer: 'https://evil.example' })],
    ['no exp', jwt.sign({ sub: 'member-auth', iss: 'https://platform.example', aud: 'instagram-connect' }, TEST_JWT_SECRET)],
    ['no sub', sign({}, { subject: undefined })],
    [
      'alg none',
      `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'member-auth', exp: 9999999999 })).toString('base64url')}.`,
    ],
  ])('refuses %s with UNAUTHENTICATED on every operation', async (_name, token) => {
    const operations = [
      '{ socialAccounts { id } }',
      '{ socialAccount(id: "00000000-0000-4000-8000-000000000000") { id } }',
      '{ oauthUrl }',
      'mutation { connectInstagram(code: "c", state: "s") { id } }',
      'mutation { syncSocialAccount(id: "00000000-0000-4000-8000-000000000000") { id } }',
      'mutation { disconnectSocialAccount(id: "00000000-0000-4000-8000-000000000000") { id } }',
    ];
    for (const query of operations) expect(await codeFor(token as string | null, query)).toBe('UNAUTHENTICATED');
  });

  it('leaves introspection open so partners can read the schema', async () => {
    const response = await app.post({ query: '{ __schema { queryType { name } } }' }, { token: null });
    expect(response.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });
});

describe('authentication with a public key (RS256)', () => {
  it('verifies RS256 tokens with JWT_PUBLIC_KEY and refuses HS256 ones', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const rsApp = await TestApp.start({ env: { JWT_SECRET: '', JWT_PUBLIC_KEY: pem } });
    try {
      const good = jwt.sign({}, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { algorithm: 'RS256', subject: 'm', expiresIn: 60 });
      expect((await rsApp.post({ query: '{ socialAccounts { id } }' }, { token: good })).data).toEqual({ socialAccounts: [] });
      // An HS256 token "signed" with the public key text must not pass (algorithm confusion).
      const confused = jwt.sign({}, TEST_JWT_SECRET, { algorithm: 'HS256', subject: 'm', expiresIn: 60 });
      expect(onlyError(await rsApp.post({ query: '{ socialAccounts { id } }' }, { token: confused })).extensions.code).toBe('UNAUTHENTICATED');
    } finally {
      await rsApp.close();
    }
  });
});

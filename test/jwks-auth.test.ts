import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';
import jwt from 'jsonwebtoken';
import { onlyError, TEST_JWT_SECRET, TestApp } from './helpers/test-app';

/**
 * Tokens from the platform's identity provider: RS256/ES256 verified against a JWKS served on
 * loopback by this test, with keys the test generates. No JWT_SECRET: HS256 must be refused.
 */
jest.setTimeout(60_000);

const ISSUER = 'https://id.platform.example';
const AUDIENCE = 'instagram-connect';
const QUERY = '{ socialAccounts { id } }';

interface SigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: KeyLike;
  jwk: JWK;
}

async function newKey(kid: string, alg: 'RS256' | 'ES256' = 'RS256'): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg);
  return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

let published: SigningKey[] = [];
let jwksHits = 0;
let jwksServer: Server;
let app: TestApp;

function sign(key: SigningKey, claims: Record<string, unknown> = {}, options: { issuer?: string; audience?: string; expiresIn?: number; sub?: string } = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: key.alg, kid: key.kid })
    .setSubject(options.sub ?? 'member-idp')
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresIn ?? 600))
    .sign(key.privateKey);
}

const codeOf = async (token: string) => onlyError(await app.post({ query: QUERY }, { token })).extensions.code;
const accepted = async (token: string) => (await app.post({ query: QUERY }, { token })).data;

beforeAll(async () => {
  published = [await newKey('key-1')];
  jwksServer = createServer((req, res) => {
    jwksHits++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: published.map((k) => k.jwk) }));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`;
  app = await TestApp.start({
    env: { JWT_SECRET: '', JWT_JWKS_URL: jwksUrl, JWT_JWKS_COOLDOWN_SECONDS: '1', JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE },
  });
});

afterAll(async () => {
  await app?.close();
  await new Promise((resolve) => jwksServer?.close(resolve));
});

describe('identity-provider tokens (JWKS)', () => {
  it('accepts an RS256 token signed with a published key, and an ES256 one', async () => {
    expect(await accepted(await sign(published[0]))).toEqual({ socialAccounts: [] });
    const ec = await newKey('ec-1', 'ES256');
    published.push(ec);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // past the cooldown: the unknown kid refetches
    expect(await accepted(await sign(ec))).toEqual({ socialAccounts: [] });
  });

  it('follows a rotation: a new kid is fetched once the cooldown allows, the old key stays valid while published', async () => {
    const rotated = await newKey('key-2');
    published = [published[0], rotated];
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const before = jwksHits;
    expect(await accepted(await sign(rotated))).toEqual({ socialAccounts: [] });
    expect(jwksHits).toBe(before + 1);
    published = [rotated]; // the provider drops key-1: tokens already verified are cached, new ones need key-2
    expect(await accepted(await sign(rotated, { n: 2 }))).toEqual({ socialAccounts: [] });
  });

  it('refetches at most once per cooldown however many unknown kids arrive', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const before = jwksHits;
    const strangers = await Promise.all([1, 2, 3, 4, 5].map((i) => newKey(`unknown-${i}`)));
    for (const key of strangers) expect(await codeOf(await sign(key))).toBe('UNAUTHENTICATED');
    expect(jwksHits - before).toBeLessThanOrEqual(1);
  });

  it.each([
    ['an unknown issuer', { issuer: 'https://evil.example' }],
    ['a wrong audience', { audience: 'someone-else' }],
    ['an expired token', { expiresIn: -30 }],
  ])('refuses %s with UNAUTHENTICATED', async (_name, options) => {
    const key = published.at(-1)!;
    expect(await codeOf(await sign(key, {}, options))).toBe('UNAUTHENTICATED');
  });

  it('refuses alg none and an HS256 token when only asymmetric keys are configured', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const body = Buffer.from(JSON.stringify({ sub: 'member-idp', iss: ISSUER, aud: AUDIENCE, exp: 9999999999 })).toString('base64url');
    expect(await codeOf(`${header}.${body}.`)).toBe('UNAUTHENTICATED');
    const hs = jwt.sign({}, TEST_JWT_SECRET, { algorithm: 'HS256', subject: 'member-idp', issuer: ISSUER, audience: AUDIENCE, expiresIn: 600 });
    expect(await codeOf(hs)).toBe('UNAUTHENTICATED');
    // HS256 "signed" with the published public key's text: the classic algorithm confusion.
    const confused = jwt.sign({}, JSON.stringify(published.at(-1)!.jwk), {
      algorithm: 'HS256',
      subject: 'x',
      issuer: ISSUER,
      audience: AUDIENCE,
      expiresIn: 600,
    });
    expect(await codeOf(confused)).toBe('UNAUTHENTICATED');
  });

  it('answers SERVICE_UNAVAILABLE, not UNAUTHENTICATED, while the key set cannot be fetched', async () => {
    const down = await TestApp.start({
      share: app,
      env: { JWT_SECRET: '', JWT_JWKS_URL: 'http://127.0.0.1:9/jwks.json', JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE },
    });
    try {
      const response = await down.post({ query: QUERY }, { token: await sign(published.at(-1)!) });
      expect(onlyError(response).extensions.code).toBe('SERVICE_UNAVAILABLE');
    } finally {
      await down.close();
    }
  });
});

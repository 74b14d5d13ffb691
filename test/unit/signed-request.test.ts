import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';
import { callbackPayload, signRequest } from '../../src/sandbox/emulator/callbacks';
import { SignedRequestError, verifySignedRequest } from '../../src/services/meta-callbacks/signed-request';

// The reference vector (docs/meta-platform.md, "Callbacks from Meta").
const SECRET = 'client_secret_shhhhhh!';
const VECTOR =
  'w5ZbbWP9yOwBA1uJZbc7-9gZok0O42U4i0yyvxXE_jY.eyJhbGdvcml0aG0iOiJITUFDLVNIQTI1NiIsImV4cGlyZXMiOjEyOTE4NDA0MDAsImlzc3VlZF9hdCI6MTI5MTgzNjgwMCwidXNlcl9pZCI6IjIxODQ3MSJ9';
const ISSUED_AT = 1291836800;
const atVectorTime = { now: new Date((ISSUED_AT + 10) * 1000), maxAgeSeconds: 3600 };

function refused(signedRequest: unknown, options = atVectorTime, secret = SECRET): string {
  try {
    verifySignedRequest(signedRequest, secret, options);
  } catch (error) {
    expect(error).toBeInstanceOf(SignedRequestError);
    return (error as Error).message;
  }
  throw new Error('the signed_request was accepted');
}

describe('verifySignedRequest', () => {
  it('accepts the reference test vector', () => {
    expect(verifySignedRequest(VECTOR, SECRET, atVectorTime)).toEqual({ userId: '218471', issuedAt: ISSUED_AT });
  });

  it('the emulator signs exactly as Meta does (it reproduces the vector)', () => {
    const payload = { algorithm: 'HMAC-SHA256', expires: 1291840400, issued_at: ISSUED_AT, user_id: '218471' };
    expect(signRequest(payload, SECRET)).toBe(VECTOR);
  });

  it('refuses a tampered signature, a tampered payload and another app secret', () => {
    const [signature, payload] = VECTOR.split('.');
    const flipped = `${signature.slice(0, 5)}${signature[5] === 'A' ? 'B' : 'A'}${signature.slice(6)}`;
    expect(refused(`${flipped}.${payload}`)).toMatch(/signature/);
    const otherUser = Buffer.from(Buffer.from(payload, 'base64url').toString().replace('218471', '218472')).toString('base64url');
    expect(refused(`${signature}.${otherUser}`)).toMatch(/signature/);
    expect(refused(`${signature.slice(0, -2)}.${payload}`)).toMatch(/signature/); // wrong length
    expect(refused(VECTOR, atVectorTime, 'another-secret')).toMatch(/signature/);
  });

  it('refuses any algorithm but HMAC-SHA256, even when correctly signed', () => {
    for (const algorithm of ['HMAC-SHA1', 'hmac-sha256', 'none', undefined]) {
      const signed = signRequest({ algorithm, issued_at: ISSUED_AT, user_id: '218471' }, SECRET);
      expect(refused(signed)).toMatch(/algorithm/);
    }
  });

  it('refuses an issued_at older than the window, or far in the future; accepts the edge', () => {
    const maxAge = atVectorTime.maxAgeSeconds;
    expect(refused(VECTOR, { now: new Date((ISSUED_AT + maxAge + 1) * 1000), maxAgeSeconds: maxAge })).toMatch(/too old/);
    expect(verifySignedRequest(VECTOR, SECRET, { now: new Date((ISSUED_AT + maxAge) * 1000), maxAgeSeconds: maxAge }).userId).toBe('218471');
    expect(refused(VECTOR, { now: new Date((ISSUED_AT - 301) * 1000), maxAgeSeconds: maxAge })).toMatch(/future/);
  });

  it('requires user_id and issued_at', () => {
    expect(refused(signRequest({ algorithm: 'HMAC-SHA256', issued_at: ISSUED_AT }, SECRET))).toMatch(/user_id/);
    expect(refused(signRequest({ algorithm: 'HMAC-SHA256', issued_at: ISSUED_AT, user_id: 'abc' }, SECRET))).toMatch(/user_id/);
    expect(refused(signRequest({ algorithm: 'HMAC-SHA256', user_id: '218471' }, SECRET))).toMatch(/issued_at/);
    expect(refused(signRequest({ algorithm: 'HMAC-SHA256', issued_at: '1291836800', user_id: '218471' }, SECRET))).toMatch(/issued_at/);
  });

  it('accepts a numeric user_id as its string', () => {
    expect(verifySignedRequest(signRequest({ algorithm: 'HMAC-SHA256', issued_at: ISSUED_AT, user_id: 218471 }, SECRET), SECRET, atVectorTime).userId).toBe(
      '218471',
    );
  });

  it('refuses garbage without throwing anything but SignedRequestError', () => {
    // Correctly signed, but the payload is not a JSON object.
    const signedJunk = (text: string) => {
      const payload = Buffer.from(text).toString('base64url');
      return `${createHmac('sha256', SECRET).update(payload).digest('base64url')}.${payload}`;
    };
    for (const junk of [undefined, null, 42, ['a.b'], '', '.', 'abc', 'abc.', '.abc', 'a b.c', `${VECTOR}=`, `${VECTOR}.extra`, 'x'.repeat(10_000)]) {
      refused(junk);
    }
    expect(refused(signedJunk('not json'))).toMatch(/not JSON/);
    expect(refused(signedJunk('[1,2]'))).toMatch(/not an object/);
    expect(refused(signedJunk('null'))).toMatch(/not an object/);
  });

  it('is what the emulator sends: callbackPayload signed with the app secret verifies at that time', () => {
    const now = Date.UTC(2026, 0, 1);
    const signed = signRequest(callbackPayload('17841400000000001', now), 'app-secret');
    expect(verifySignedRequest(signed, 'app-secret', { now: new Date(now), maxAgeSeconds: 60 })).toEqual({
      userId: '17841400000000001',
      issuedAt: now / 1000,
    });
  });
});

describe('callback settings in loadConfig', () => {
  const cwd = mkdtempSync(path.join(tmpdir(), 'signed-request-config-'));

  it('defaults to a one-hour signed_request window and a 30 s deletion grace', () => {
    const { meta } = loadConfig({}, { cwd });
    expect({ maxAge: meta.signedRequestMaxAgeSeconds, grace: meta.dataDeletionGraceSeconds }).toEqual({ maxAge: 3600, grace: 30 });
    expect(loadConfig({ META_SIGNED_REQUEST_MAX_AGE_SECONDS: '600' }, { cwd }).meta.signedRequestMaxAgeSeconds).toBe(600);
  });

  it('reports bad values by name', () => {
    let problems: string[] = [];
    try {
      loadConfig({ META_SIGNED_REQUEST_MAX_AGE_SECONDS: '10', META_DATA_DELETION_GRACE_SECONDS: 'soon' }, { cwd });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems = error.problems;
    }
    expect(problems).toEqual([
      'META_SIGNED_REQUEST_MAX_AGE_SECONDS must be between 60 and 604800 (got 10)',
      'META_DATA_DELETION_GRACE_SECONDS must be a whole number (got "soon")',
    ]);
  });
});

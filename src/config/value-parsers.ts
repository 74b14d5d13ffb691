// Values of their own kind (keys, secrets, origins): each checks one set value and says what is wrong.
import { createHash } from 'node:crypto';
import { isHttpUrl, type Problems } from './parsers';
import type { TokenKey } from './types';

export function tokenKey(raw: string, name: string, problems: Problems): TokenKey | undefined {
  // Accept "kid:base64" to name a key explicitly; a bare base64 key gets a fingerprint id.
  const match = /^([A-Za-z0-9_-]{1,32}):(.+)$/.exec(raw);
  const encoded = match ? match[2] : raw;
  const key = Buffer.from(encoded, 'base64');
  if (key.length !== 32 || key.toString('base64').replace(/=+$/, '') !== encoded.replace(/=+$/, '')) {
    problems.push(`${name} must be base64 of exactly 32 bytes (generate one with \`openssl rand -base64 32\`)`);
    return undefined;
  }
  return { id: match ? match[1] : keyFingerprint(key), key };
}

export function keyFingerprint(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

export function jwtSecret(raw: string, name: string, problems: Problems): string {
  if (raw.length < 32) problems.push(`${name} must be at least 32 characters`);
  return raw;
}

/** A PEM public key; `\n` escapes become newlines, since one-line env files cannot hold them. */
export function jwtPublicKey(raw: string, name: string, problems: Problems): string {
  const pem = raw.replace(/\\n/g, '\n');
  if (!pem.includes('BEGIN')) problems.push(`${name} must be a PEM public key`);
  return pem;
}

/** Standard Webhooks: "whsec_" then base64 of 24 to 64 random bytes. */
export function webhookSecret(raw: string, name: string, problems: Problems): string {
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(raw);
  const bytes = match ? Buffer.from(match[1], 'base64').length : 0;
  if (!match || bytes < 24 || bytes > 64) {
    problems.push(`${name} must be whsec_ followed by base64 of 24 to 64 random bytes (e.g. \`echo whsec_$(openssl rand -base64 32)\`)`);
  }
  return raw;
}

/** One absolute http(s) URL of a list; `shown` is how a bad one appears in the message (redacted for webhooks). */
export function httpUrlEntry(shown: (url: string) => string) {
  return (url: string, name: string, problems: Problems): string | undefined => {
    if (isHttpUrl(url)) return url;
    problems.push(`${name}: "${shown(url)}" is not an absolute http(s) URL`);
    return undefined;
  };
}

/** Exact origins only: with credentials a browser refuses `*`, and a pattern is one typo from "anyone". */
export function corsOrigin(entry: string, name: string, problems: Problems): string | undefined {
  let url: URL | undefined;
  try {
    url = new URL(entry);
  } catch {
    url = undefined;
  }
  if (url && (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === entry.replace(/\/+$/, '')) return url.origin;
  problems.push(`${name}: "${entry}" is not an exact origin (scheme://host[:port], no path, no wildcard)`);
  return undefined;
}

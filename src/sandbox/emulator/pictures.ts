import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Profile pictures on the emulator's stand-in for Instagram's CDN. Meta's `profile_picture_url`
 * is a signed CDN URL (`scontent….cdninstagram.com/v/t51.2885-19/…?…&oh={signature}&oe={expiry}`,
 * `oe` the expiry in hex epoch seconds) that answers 403 "URL signature expired" once `oe` has
 * passed; a fresh profile read gives a fresh URL (docs/meta-platform.md, "Profile pictures").
 * Ours has the same shape, served on the emulator's loopback port, with a generated picture.
 */
export const PICTURE_PATH = '/scontent.cdninstagram.com/v/t51.2885-19';

/** How long a URL works. Meta does not document it; users report a few days. */
const VALID_SECONDS = 4 * 24 * 3600;
const DAY_SECONDS = 24 * 3600;

export interface PictureAnswer {
  status: number;
  type: string;
  body: string;
  headers?: Record<string, string>;
}

export class ProfilePictures {
  private readonly secret = randomBytes(16);

  constructor(
    private readonly deps: {
      now: () => number;
      /** The emulator's base URL (known once it listens). */
      baseUrl: () => string;
      /** Whether the emulator knows this Instagram account (else 404). */
      exists: (igId: string) => boolean;
    },
  ) {}

  /**
   * The URL a profile read answers now. Stable within a UTC day (Meta's change now and then, not
   * on every read), valid VALID_SECONDS from the start of that day.
   */
  urlFor(igId: string): string {
    const nowSeconds = Math.floor(this.deps.now() / 1000);
    const expiry = nowSeconds - (nowSeconds % DAY_SECONDS) + VALID_SECONDS;
    const file = `${igId}_n.svg`;
    const oe = expiry.toString(16).toUpperCase();
    return `${this.deps.baseUrl()}${PICTURE_PATH}/${file}?_nc_ht=scontent.cdninstagram.com&oh=${this.sign(file, oe)}&oe=${oe}`;
  }

  /** GET {PICTURE_PATH}/{file}: the picture, or the CDN's plain-text refusal. */
  answer(file: string, query: { oh?: string; oe?: string }): PictureAnswer {
    const match = /^(\d+)_n\.svg$/.exec(file);
    if (!match || !this.deps.exists(match[1])) return { status: 404, type: 'text/plain', body: 'Not Found' };
    const { oh = '', oe = '' } = query;
    const expected = Buffer.from(this.sign(file, oe));
    const given = Buffer.from(oh);
    if (!/^[0-9A-F]+$/.test(oe) || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return { status: 403, type: 'text/plain', body: 'URL signature mismatch' };
    }
    const expiry = parseInt(oe, 16);
    const remaining = expiry - Math.floor(this.deps.now() / 1000);
    if (remaining <= 0) return { status: 403, type: 'text/plain', body: 'URL signature expired' };
    return {
      status: 200,
      type: 'image/svg+xml',
      body: pictureOf(match[1]),
      headers: { 'cache-control': `max-age=${Math.min(remaining, 86400)}` },
    };
  }

  private sign(file: string, oe: string): string {
    return `00_${createHmac('sha256', this.secret).update(`${file}|${oe}`).digest('base64url').slice(0, 43)}`;
  }
}

/** A 150×150 picture per account: a silhouette on a gradient in a colour of its own (from its id). */
function pictureOf(igId: string): string {
  let hash = 0;
  for (const char of igId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  const hue = hash % 360;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="150" height="150" viewBox="0 0 150 150">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${hue},70%,62%)"/><stop offset="1" stop-color="hsl(${(hue + 40) % 360},65%,45%)"/></linearGradient></defs>
<rect width="150" height="150" fill="url(#g)"/>
<circle cx="75" cy="60" r="27" fill="#fff" fill-opacity=".85"/>
<path d="M25 150c4-33 25-52 50-52s46 19 50 52z" fill="#fff" fill-opacity=".85"/>
</svg>`;
}

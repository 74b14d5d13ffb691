import type { MetaUrls } from './types';

export const META_DEFAULT_URLS: MetaUrls = {
  facebookWww: 'https://www.facebook.com',
  facebookGraph: 'https://graph.facebook.com',
  instagramWww: 'https://www.instagram.com',
  instagramApi: 'https://api.instagram.com',
  instagramGraph: 'https://graph.instagram.com',
};

/** Used only outside production when no JWT key is configured, so `npm run token` works out of the box. */
export const DEVELOPMENT_JWT_SECRET = 'development-only-jwt-secret-do-not-use-in-production';

/** Placeholder app credentials the sandbox gives to the emulator and to our clients alike. */
export const SANDBOX_APPS = {
  facebook: { id: '100000000000001', secret: 'sandbox-facebook-app-secret' },
  instagram: { id: '100000000000002', secret: 'sandbox-instagram-app-secret' },
} as const;

/** Public, like the development JWT secret: signs webhooks to the sandbox's own receiver only. */
export const SANDBOX_WEBHOOK_SECRET = `whsec_${Buffer.from('sandbox-webhook-secret-not-for-production').toString('base64')}`;

/** Where the generated development token key is kept, inside DATA_DIR. */
export const DEVELOPMENT_TOKEN_KEY_FILE = 'development-token-key';

import type { MetaConfig } from '../../config';
import { MetaBadRequestError } from './errors';
import type { MetaHttp } from './meta-http';
import type { RawInstagramProfile } from '../../domain/instagram-profile';

export interface InstagramShortLivedToken {
  accessToken: string;
  /** The professional account id, exact (can exceed 2^53). */
  userId: string;
  permissions: string[];
}

export interface InstagramLongLivedToken {
  accessToken: string;
  expiresIn: number;
}

const ME_FIELDS = 'id,user_id,username,name,account_type,profile_picture_url,followers_count,follows_count,media_count,biography,website';

/** Business Login for Instagram: api.instagram.com (code exchange) and graph.instagram.com. */
export class InstagramClient {
  constructor(
    private readonly http: MetaHttp,
    private readonly config: MetaConfig,
  ) {}

  private get app() {
    return this.config.instagram;
  }

  authorizeUrl(redirectUri: string, state: string, scopes: readonly string[]): string {
    const url = this.http.url('instagramWww', '/oauth/authorize');
    url.search = new URLSearchParams({
      client_id: this.app.id,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: scopes.join(','),
      state,
    }).toString();
    return url.toString();
  }

  async exchangeCode(code: string, redirectUri: string): Promise<InstagramShortLivedToken> {
    const body = await this.http.request<unknown>({
      host: 'instagramApi',
      method: 'POST',
      path: '/oauth/access_token',
      form: {
        client_id: this.app.id,
        client_secret: this.app.secret,
        grant_type: 'authorization_code',
        redirect_uri: redirectUri,
        code,
      },
      operation: 'oauth/access_token(authorization_code)',
    });
    return parseShortLivedToken(body);
  }

  async exchangeForLongLived(shortLived: string): Promise<InstagramLongLivedToken> {
    const body = await this.http.request<{ access_token: string; expires_in: number }>({
      host: 'instagramGraph',
      path: '/access_token',
      query: { grant_type: 'ig_exchange_token', client_secret: this.app.secret },
      accessToken: shortLived,
      operation: 'access_token(ig_exchange_token)',
    });
    return requireToken(body, 'ig_exchange_token');
  }

  /** Only for a long-lived token at least 24 h old and not yet expired. */
  async refresh(longLived: string): Promise<InstagramLongLivedToken> {
    const body = await this.http.request<{ access_token: string; expires_in: number }>({
      host: 'instagramGraph',
      path: '/refresh_access_token',
      query: { grant_type: 'ig_refresh_token' },
      accessToken: longLived,
      operation: 'refresh_access_token',
    });
    return requireToken(body, 'ig_refresh_token');
  }

  async me(token: string): Promise<RawInstagramProfile> {
    return this.http.request({
      host: 'instagramGraph',
      path: '/me',
      versioned: true,
      query: { fields: ME_FIELDS },
      accessToken: token,
      operation: 'ig-me',
    });
  }
}

/**
 * Two shapes are seen in the wild: the documented `{"data":[{access_token,user_id,permissions:"a,b"}]}`
 * and a flat `{access_token,user_id:<number>,permissions:[...]}`. The body was parsed keeping
 * big integers as strings, so user_id arrives exact either way.
 */
export function parseShortLivedToken(body: unknown): InstagramShortLivedToken {
  const root = (body ?? {}) as Record<string, unknown>;
  const entry = (Array.isArray(root.data) ? root.data[0] : root) as Record<string, unknown> | undefined;
  const accessToken = entry?.access_token;
  const userId = entry?.user_id;
  if (typeof accessToken !== 'string' || !accessToken || (typeof userId !== 'string' && typeof userId !== 'number')) {
    throw new MetaBadRequestError({ message: 'Instagram answered the code exchange without a token or user id' });
  }
  const permissions = entry?.permissions;
  return {
    accessToken,
    userId: String(userId),
    permissions: Array.isArray(permissions)
      ? permissions.map(String)
      : typeof permissions === 'string'
        ? permissions
            .split(',')
            .map((p) => p.trim())
            .filter(Boolean)
        : [],
  };
}

/** Never let an empty or partial answer overwrite a working token. */
function requireToken(body: { access_token?: string; expires_in?: number }, operation: string): InstagramLongLivedToken {
  if (!body?.access_token || !Number.isFinite(body.expires_in) || (body.expires_in ?? 0) <= 0) {
    throw new MetaBadRequestError({ message: `Instagram answered ${operation} without a usable token` });
  }
  return { accessToken: body.access_token, expiresIn: body.expires_in! };
}

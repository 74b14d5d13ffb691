import type { MetaConfig } from '../../config';
import { MetaAppCredentialsError, MetaAuthError, MetaBadRequestError, MetaPermissionError, MetaTransientError } from './errors';
import type { MetaHttp } from './meta-http';
import { IG_PROFILE_FIELDS, type RawInstagramProfile } from '../../domain/instagram-profile';

export interface FacebookToken {
  accessToken: string;
  expiresIn?: number;
}

export interface FacebookPage {
  id: string;
  name: string;
  accessToken: string;
  instagram?: RawInstagramProfile;
}

export interface DebugTokenData {
  app_id?: string;
  type?: string;
  is_valid: boolean;
  expires_at?: number;
  data_access_expires_at?: number;
  scopes?: string[];
  granular_scopes?: Array<{ scope: string; target_ids?: string[] }>;
  user_id?: string;
  error?: { code?: number; subcode?: number; message?: string };
}

interface Paged<T> {
  data: T[];
  paging?: { cursors?: { before?: string; after?: string }; next?: string };
}

interface RawPage {
  id: string;
  name: string;
  access_token: string;
  instagram_business_account?: RawInstagramProfile;
}

const PAGE_FIELDS = `id,name,access_token,instagram_business_account{${IG_PROFILE_FIELDS.join(',')}}`;
/** Guard against a paging loop: 100 pages × 100 per page is far beyond any real user. */
const MAX_PAGING_REQUESTS = 100;

/** Facebook Login for Business: graph.facebook.com. */
export class FacebookClient {
  constructor(
    private readonly http: MetaHttp,
    private readonly config: MetaConfig,
  ) {}

  private get app() {
    return this.config.facebook;
  }

  /** The Facebook Login dialog URL. */
  authorizeUrl(redirectUri: string, state: string, scopes: readonly string[]): string {
    const url = this.http.url('facebookWww', '/dialog/oauth', true);
    url.search = new URLSearchParams({
      client_id: this.app.id,
      redirect_uri: redirectUri,
      state,
      scope: scopes.join(','),
      response_type: 'code',
    }).toString();
    return url.toString();
  }

  async exchangeCode(code: string, redirectUri: string): Promise<FacebookToken> {
    const body = await this.http.request<{ access_token: string; expires_in?: number }>({
      host: 'facebookGraph',
      path: '/oauth/access_token',
      versioned: true,
      query: { client_id: this.app.id, client_secret: this.app.secret, redirect_uri: redirectUri, code },
      operation: 'oauth/access_token(code)',
    });
    return { accessToken: body.access_token, expiresIn: body.expires_in };
  }

  async exchangeForLongLived(shortLived: string): Promise<FacebookToken> {
    const body = await this.http.request<{ access_token: string; expires_in?: number }>({
      host: 'facebookGraph',
      path: '/oauth/access_token',
      versioned: true,
      query: {
        grant_type: 'fb_exchange_token',
        client_id: this.app.id,
        client_secret: this.app.secret,
        fb_exchange_token: shortLived,
      },
      limits: { subjectToken: shortLived },
      operation: 'oauth/access_token(fb_exchange_token)',
    });
    return { accessToken: body.access_token, expiresIn: body.expires_in };
  }

  async me(userToken: string): Promise<{ id: string; name?: string }> {
    return this.http.request({ host: 'facebookGraph', path: '/me', versioned: true, query: { fields: 'id,name' }, accessToken: userToken, operation: 'me' });
  }

  /** Every Page the user granted, following `paging.next` to the end. */
  async pages(userToken: string): Promise<FacebookPage[]> {
    // Meta's default page size (25); paging.next is followed to the end.
    return this.collect<RawPage>(userToken, '/me/accounts', 'me/accounts', { fields: PAGE_FIELDS });
  }

  /** Pages reachable only through a Business Portfolio (needs business_management). */
  async businessPages(userToken: string): Promise<FacebookPage[]> {
    const businesses = await this.collectRaw<{ id: string }>(userToken, '/me/businesses', 'me/businesses', { fields: 'id', limit: 100 });
    const pages: FacebookPage[] = [];
    for (const business of businesses) {
      for (const edge of ['owned_pages', 'client_pages']) {
        pages.push(...(await this.collect<RawPage>(userToken, `/${business.id}/${edge}`, `business/${edge}`, { fields: PAGE_FIELDS, limit: 100 })));
      }
    }
    return pages;
  }

  async instagramProfile(igUserId: string, token: string): Promise<RawInstagramProfile> {
    return this.http.request({
      host: 'facebookGraph',
      path: `/${encodeURIComponent(igUserId)}`,
      versioned: true,
      query: { fields: IG_PROFILE_FIELDS.join(',') },
      accessToken: token,
      limits: { instagramAccountId: igUserId },
      operation: 'ig-user',
    });
  }

  /**
   * Inspects any token with the app token; HTTP 200 even when the token is invalid (the verdict
   * about the input token is inside `data`). An error at the top level is Meta refusing the call
   * itself, i.e. our app token: MetaAppCredentialsError, never a verdict about the user.
   */
  async debugToken(inputToken: string): Promise<DebugTokenData> {
    let body: { data?: DebugTokenData };
    try {
      body = await this.http.request<{ data?: DebugTokenData }>({
        host: 'facebookGraph',
        path: '/debug_token',
        versioned: true,
        query: { input_token: inputToken, access_token: `${this.app.id}|${this.app.secret}` },
        // Called with our app token, but about the input token: a limit here is that grant's.
        limits: { subjectToken: inputToken },
        operation: 'debug_token',
      });
    } catch (error) {
      if (error instanceof MetaAuthError || error instanceof MetaBadRequestError || error instanceof MetaPermissionError) {
        throw new MetaAppCredentialsError({
          message: `Meta refused our Facebook app token on debug_token (code ${error.code ?? 'unknown'}): ${error.message}`,
          code: error.code,
          subcode: error.subcode,
          httpStatus: error.httpStatus,
          fbtraceId: error.fbtraceId,
        });
      }
      throw error;
    }
    if (!body?.data || typeof body.data.is_valid !== 'boolean') throw new MetaTransientError({ message: 'debug_token answered without data' });
    return body.data;
  }

  async revokePermissions(userId: string, userToken: string): Promise<void> {
    await this.http.request({
      host: 'facebookGraph',
      method: 'DELETE',
      path: `/${encodeURIComponent(userId)}/permissions`,
      versioned: true,
      accessToken: userToken,
      operation: 'revoke-permissions',
    });
  }

  /**
   * Up to 50 GETs in one call. Returns one result per request, in order: the parsed body, or an
   * Error built by the classifier. Entries Meta did not process (null) are retried once more.
   * Meta counts every entry against its own scope's limit, so each entry is gated on its own: an
   * entry whose object is paused is not sent, and a rate-limit error in an entry pauses that
   * entry's scope (its node: the path's first segment), not the whole batch's.
   */
  async batch(token: string, relativeUrls: string[]): Promise<unknown[]> {
    if (relativeUrls.length > 50) throw new RangeError('a Graph batch takes at most 50 requests');
    const targets = relativeUrls.map((relativeUrl) =>
      this.http.targetsFor({ host: 'facebookGraph', path: `/${relativeUrl.split('?')[0]}`, accessToken: token }),
    );
    const results: unknown[] = relativeUrls.map((_, i) => this.http.pausedFor(targets[i]));
    for (let round = 0; round < 3; round++) {
      const pending = results.map((r, i) => (r === undefined ? i : -1)).filter((i) => i >= 0);
      if (pending.length === 0) break;
      const answers = await this.http.request<Array<{ code: number; body: string; headers?: Array<{ name: string; value: string }> } | null>>({
        host: 'facebookGraph',
        method: 'POST',
        path: '/',
        form: {
          // No include_headers=false: each entry's own headers carry its object's usage
          // (X-Business-Use-Case-Usage), which the rate-limit gate reads per entry.
          batch: JSON.stringify(pending.map((i) => ({ method: 'GET', relative_url: `${this.config.graphVersion}/${relativeUrls[i]}` }))),
        },
        accessToken: token,
        operation: 'batch',
      });
      for (const [position, index] of pending.entries()) {
        const answer = answers[position];
        if (!answer) continue; // not processed: retry in the next round
        results[index] = await this.http.parseBatchEntry(targets[index], answer.code, answer.body, answer.headers);
      }
    }
    return results.map((r) => r ?? new MetaTransientError({ message: 'Meta did not process this batch entry' }));
  }

  private async collect<T extends RawPage>(token: string, path: string, operation: string, query: Record<string, string | number>) {
    const raw = await this.collectRaw<T>(token, path, operation, query);
    return raw.map((p) => ({ id: p.id, name: p.name, accessToken: p.access_token, instagram: p.instagram_business_account }));
  }

  private async collectRaw<T>(token: string, path: string, operation: string, query: Record<string, string | number>): Promise<T[]> {
    const items: T[] = [];
    let page = await this.http.request<Paged<T>>({ host: 'facebookGraph', path, versioned: true, query, accessToken: token, operation });
    for (let requests = 1; ; requests++) {
      items.push(...(page.data ?? []));
      const next = page.paging?.next;
      if (!next || requests >= MAX_PAGING_REQUESTS) return items;
      page = await this.http.requestAbsolute<Paged<T>>({ host: 'facebookGraph', absoluteUrl: next, accessToken: token, operation });
    }
  }
}

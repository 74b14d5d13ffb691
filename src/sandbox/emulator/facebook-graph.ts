import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Faults } from './faults';
import { parseFieldsParam, project, type FieldSelection } from './fields';
import { authError, graphError, missingObject, ok, unknownField, type GraphResult } from './responses';
import { FB_SHORT_LIVED_SECONDS, LONG_LIVED_SECONDS, igProfileValues, type FbPage, type FbUser, type TokenRecord, type World } from './world';

export interface GraphCall {
  method: string;
  /** Path without the version prefix, e.g. `/me/accounts`. */
  path: string;
  /** Query and form parameters together. */
  params: Record<string, string>;
  /** The version the caller used (`v25.0`), for paging URLs. */
  version: string;
}

export interface CallLogEntry {
  host: 'facebook-www' | 'facebook-graph' | 'instagram-www' | 'instagram-api' | 'instagram-graph';
  method: string;
  path: string;
  hadAppsecretProof: boolean;
  /** True for a request that arrived inside a Graph batch. */
  batch?: boolean;
  at: number;
}

const DEFAULT_PAGE_SIZE = 25;
const MAX_PAGE_SIZE = 100;
const MAX_BATCH = 50;

/** graph.facebook.com: token exchanges, debug_token, Pages, IG users, permissions and batches. */
export class FacebookGraph {
  constructor(
    private readonly world: World,
    private readonly faults: Faults,
    private readonly options: { requireAppsecretProof: boolean; baseUrl: () => string; log: (entry: CallLogEntry) => void },
  ) {}

  private get app() {
    return this.world.apps.facebook;
  }

  handle(call: GraphCall): GraphResult {
    if (call.path === '/oauth/access_token') return this.accessToken(call.params);
    if (call.path === '/debug_token') return this.debugToken(call.params);
    if (call.path === '/' && call.method === 'POST') return this.batch(call);

    const token = call.params.access_token;
    if (!token) return graphError(400, 2500, 'An active access token must be used to query information about the current user.');
    if (token === `${this.app.id}|${this.app.secret}`) return graphError(400, 100, 'This method must be called with a user or Page access token.');
    const proofProblem = this.checkProof(token, call.params.appsecret_proof);
    if (proofProblem) return proofProblem;
    const record = this.world.tokens.get(token);
    const problem = this.world.tokenProblem(record);
    if (problem || !record || record.kind.startsWith('ig')) return authError(problem ?? { message: 'Invalid OAuth access token - Cannot parse access token' });

    const parsed = parseFieldsParam(call.params.fields);
    if ('error' in parsed) return parsed.error;
    const { fields } = parsed;
    const [first, edge, ...rest] = call.path.split('/').filter(Boolean);
    if (!first || rest.length > 0) return graphError(400, 2500, `Unknown path components: ${call.path}`);
    if (edge === 'permissions') return this.permissions(call.method, first, record);
    if (call.method !== 'GET') return graphError(400, 100, `(#100) Unsupported ${call.method} request.`);
    if (edge === 'accounts') return this.accounts(first, record, fields, call);
    if (edge === 'businesses') return this.businesses(first, record, call);
    if (edge === 'owned_pages' || edge === 'client_pages') return this.businessPages(first, edge, record, fields, call);
    if (edge) return graphError(400, 100, `(#100) Tried accessing nonexisting field (${edge})`);
    return this.node(first, record, fields);
  }

  private checkProof(token: string, proof: string | undefined): GraphResult | undefined {
    if (!this.options.requireAppsecretProof) return undefined;
    if (!proof) return graphError(400, 100, 'API calls from the server require an appsecret_proof argument', { type: 'GraphMethodException' });
    const expected = createHmac('sha256', this.app.secret).update(token).digest();
    const given = Buffer.from(proof, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return graphError(400, 100, 'Invalid appsecret_proof provided in the API argument', { type: 'GraphMethodException' });
    }
    return undefined;
  }

  private accessToken(params: Record<string, string>): GraphResult {
    if (params.client_id !== this.app.id) return graphError(400, 101, 'Error validating application. Invalid application ID.');
    if (params.client_secret !== this.app.secret) return graphError(400, 100, 'Error validating client secret.');
    if (params.grant_type === 'fb_exchange_token') {
      const record = this.world.tokens.get(params.fb_exchange_token ?? '');
      const problem = this.world.tokenProblem(record);
      if (problem || !record || !record.kind.startsWith('fb_user')) return authError(problem ?? { message: 'Invalid OAuth access token.' });
      const long = this.world.issueToken('fb_user_long', record.subjectId, record.scopes, { lifetimeSeconds: LONG_LIVED_SECONDS });
      return ok({ access_token: long.value, token_type: 'bearer', expires_in: LONG_LIVED_SECONDS });
    }
    if (!params.code) return graphError(400, 100, 'Missing authorization code');
    const redeemed = this.world.redeemCode(params.code, 'facebook', params.redirect_uri ?? '');
    if ('problem' in redeemed) {
      switch (redeemed.problem) {
        case 'used':
          return graphError(400, 100, 'This authorization code has been used.', { subcode: 36009 });
        case 'expired':
          return graphError(400, 100, 'This authorization code has expired.', { subcode: 36007 });
        case 'redirect_mismatch':
          return graphError(
            400,
            100,
            'Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request',
            {
              subcode: 36008,
            },
          );
        default:
          return graphError(400, 100, 'Invalid verification code format.');
      }
    }
    const user = this.world.fbUsers.get(redeemed.userId)!;
    user.grantedPageIds = redeemed.pageIds ? new Set(redeemed.pageIds) : null;
    user.grantedScopes = redeemed.scopes;
    user.grantedAt = this.world.now();
    const short = this.world.issueToken('fb_user_short', user.id, redeemed.scopes, { lifetimeSeconds: FB_SHORT_LIVED_SECONDS });
    return ok({ access_token: short.value, token_type: 'bearer', expires_in: FB_SHORT_LIVED_SECONDS });
  }

  private debugToken(params: Record<string, string>): GraphResult {
    if (params.access_token !== `${this.app.id}|${this.app.secret}`) {
      const record = this.world.tokens.get(params.access_token ?? '');
      if (!record || this.world.tokenProblem(record)) return graphError(400, 190, 'Invalid OAuth access token signature.');
    }
    const record = this.world.tokens.get(params.input_token ?? '');
    if (!record || record.kind.startsWith('ig')) {
      return ok({ data: { is_valid: false, scopes: [], error: { code: 190, message: 'Invalid OAuth access token.' } } });
    }
    const user = this.world.fbUsers.get(record.subjectId);
    const problem = this.world.tokenProblem(record);
    const granted = user ? this.world.grantedPages(user) : [];
    const data: Record<string, unknown> = {
      app_id: this.app.id,
      type: record.kind === 'fb_page' ? 'PAGE' : 'USER',
      application: 'Emulated App',
      is_valid: !problem,
      expires_at: record.expiresAt ? Math.floor(record.expiresAt / 1000) : 0,
      data_access_expires_at: user ? Math.floor(this.world.dataAccessExpiresAt(user) / 1000) : 0,
      issued_at: Math.floor(record.issuedAt / 1000),
      scopes: problem ? [] : record.scopes,
      granular_scopes: problem
        ? []
        : record.scopes.map((scope) => ({
            scope,
            ...(scope.startsWith('pages_') ? { target_ids: granted.map((p) => p.id) } : {}),
            ...(scope === 'instagram_basic' ? { target_ids: granted.flatMap((p) => (p.instagramId ? [p.instagramId] : [])) } : {}),
          })),
      user_id: record.subjectId,
      ...(record.pageId ? { profile_id: record.pageId } : {}),
    };
    if (problem) data.error = { code: 190, subcode: problem.subcode, message: problem.message };
    return ok({ data });
  }

  private permissions(method: string, subject: string, record: TokenRecord): GraphResult {
    const userId = subject === 'me' ? record.subjectId : subject;
    if (userId !== record.subjectId || record.kind === 'fb_page') return missingObject(subject);
    if (method === 'DELETE') {
      this.world.invalidateSubject(userId, 458);
      return ok({ success: true });
    }
    return ok({ data: record.scopes.map((permission) => ({ permission, status: 'granted' })) });
  }

  private userOf(record: TokenRecord): FbUser | undefined {
    return this.world.fbUsers.get(record.subjectId);
  }

  /** Pages this token can see: the granted ones for a user token, its own Page for a page token. */
  private visiblePages(record: TokenRecord): FbPage[] {
    const user = this.userOf(record);
    if (!user) return [];
    const granted = this.world.grantedPages(user);
    return record.kind === 'fb_page' ? granted.filter((p) => p.id === record.pageId) : granted;
  }

  private node(id: string, record: TokenRecord, fields: FieldSelection[] | undefined): GraphResult {
    const user = this.userOf(record);
    if (id === 'me' || id === record.subjectId) {
      if (record.kind === 'fb_page') return this.pageNode(this.world.pages.get(record.pageId!)!, record, fields);
      const projected = project({ id: user!.id, name: user!.name }, fields ?? [{ name: 'id' }, { name: 'name' }], 'User');
      return 'ok' in projected ? ok(projected.ok) : unknownField(projected);
    }
    const pages = this.visiblePages(record);
    const page = pages.find((p) => p.id === id);
    if (page) return this.pageNode(page, record, fields);
    const viaPage = pages.find((p) => p.instagramId === id);
    const scopes = record.scopes;
    if (viaPage && scopes.includes('instagram_basic')) {
      const result = this.igNode(id, fields);
      return 'ok' in result ? ok(result.ok) : unknownField(result);
    }
    if (viaPage) return graphError(403, 10, '(#10) Application does not have permission for this action');
    return missingObject(id);
  }

  private pageNode(page: FbPage, record: TokenRecord, fields: FieldSelection[] | undefined): GraphResult {
    const result = this.pageValues(page, record, fields ?? [{ name: 'id' }, { name: 'name' }]);
    return 'ok' in result ? ok(result.ok) : unknownField(result);
  }

  private pageValues(page: FbPage, userToken: TokenRecord, fields: FieldSelection[]) {
    return project({ id: page.id, name: page.name, category: 'Creator' }, fields, 'Page', {
      access_token: () => (userToken.kind === 'fb_page' ? userToken.value : this.world.pageToken(userToken, page.id).value),
      instagram_business_account: (sub) => {
        if (!page.instagramId) return undefined;
        const ig = this.igNode(page.instagramId, sub ?? [{ name: 'id' }]);
        return 'ok' in ig ? ig.ok : { id: page.instagramId };
      },
    });
  }

  private igNode(id: string, fields: FieldSelection[] | undefined) {
    const ig = this.world.igAccounts.get(id)!;
    const values: Record<string, unknown> = { id: ig.id, ig_id: Number(ig.id.slice(-10)), ...igProfileValues(this.world, ig) };
    return project(values, fields ?? [{ name: 'id' }], 'IGUser');
  }

  private accounts(subject: string, record: TokenRecord, fields: FieldSelection[] | undefined, call: GraphCall): GraphResult {
    if (record.kind === 'fb_page' || (subject !== 'me' && subject !== record.subjectId)) return missingObject(subject);
    if (!record.scopes.includes('pages_show_list')) return graphError(403, 200, '(#200) Requires pages_show_list permission');
    const pages = this.visiblePages(record).filter((p) => !p.businessId);
    return this.paged(pages, (p) => this.pageValues(p, record, fields ?? [{ name: 'id' }, { name: 'name' }, { name: 'access_token' }]), call);
  }

  private businesses(subject: string, record: TokenRecord, call: GraphCall): GraphResult {
    if (record.kind === 'fb_page' || (subject !== 'me' && subject !== record.subjectId)) return missingObject(subject);
    if (!record.scopes.includes('business_management')) return graphError(403, 200, '(#200) Requires business_management permission to manage the object');
    const user = this.userOf(record)!;
    const list = user.businessIds.map((id) => this.world.businesses.get(id)!);
    return this.paged(list, (b) => ({ ok: { id: b.id, name: b.name } }), call);
  }

  private businessPages(businessId: string, edge: string, record: TokenRecord, fields: FieldSelection[] | undefined, call: GraphCall): GraphResult {
    const business = this.world.businesses.get(businessId);
    if (!business || !business.memberIds.has(record.subjectId)) return missingObject(businessId);
    if (!record.scopes.includes('business_management')) return graphError(403, 200, '(#200) Requires business_management permission to manage the object');
    const pages = edge === 'owned_pages' ? this.visiblePages(record).filter((p) => p.businessId === businessId) : [];
    return this.paged(pages, (p) => this.pageValues(p, record, fields ?? [{ name: 'id' }, { name: 'name' }]), call);
  }

  /** Cursor paging the way Graph does it: `limit`, `after`, and an absolute `next` URL. */
  private paged<T>(items: T[], view: (item: T) => ReturnType<typeof project>, call: GraphCall): GraphResult {
    const limit = Math.min(Math.max(Number(call.params.limit) || DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE);
    const offset = call.params.after ? Number(Buffer.from(call.params.after, 'base64url').toString()) || 0 : 0;
    const slice = items.slice(offset, offset + limit);
    const data: unknown[] = [];
    for (const item of slice) {
      const result = view(item);
      if (!('ok' in result)) return unknownField(result);
      data.push(result.ok);
    }
    const cursor = (n: number) => Buffer.from(String(n)).toString('base64url');
    const body: Record<string, unknown> = { data };
    if (slice.length > 0) {
      const paging: Record<string, unknown> = { cursors: { before: cursor(offset), after: cursor(offset + slice.length) } };
      if (offset + slice.length < items.length) {
        const next = new URL(`${this.options.baseUrl()}/${call.version}${call.path}`);
        for (const [key, value] of Object.entries(call.params)) if (key !== 'after' && key !== 'appsecret_proof') next.searchParams.set(key, value);
        next.searchParams.set('limit', String(limit));
        next.searchParams.set('after', cursor(offset + slice.length));
        paging.next = next.toString();
      }
      body.paging = paging;
    }
    return ok(body);
  }

  /** `POST /` with up to 50 requests; each answer is `{code, headers, body}` or null (not processed). */
  private batch(call: GraphCall): GraphResult {
    let requests: Array<{ method?: string; relative_url?: string }>;
    try {
      requests = JSON.parse(call.params.batch ?? '') as typeof requests;
    } catch {
      return graphError(400, 100, '(#100) The parameter batch is required and must be a JSON array');
    }
    if (!Array.isArray(requests)) return graphError(400, 100, '(#100) The parameter batch must be a JSON array');
    if (requests.length > MAX_BATCH) return graphError(400, 100, `(#100) Too many requests in batch message. Maximum batch size is ${MAX_BATCH}`);
    // Meta sends each entry's headers unless the batch asks include_headers=false.
    const withHeaders = call.params.include_headers !== 'false';
    const answers = requests.map((request) => {
      if (this.faults.nullBatchEntries > 0) {
        this.faults.nullBatchEntries--;
        return null;
      }
      const url = new URL(`http://batch/${String(request.relative_url ?? '').replace(/^\/+/, '')}`);
      const match = /^\/(v\d+\.\d+)(\/.*)?$/.exec(url.pathname);
      const path = match ? match[2] || '/' : url.pathname;
      const params: Record<string, string> = { access_token: call.params.access_token, appsecret_proof: call.params.appsecret_proof };
      url.searchParams.forEach((value, key) => (params[key] = value));
      if (url.searchParams.has('access_token') && !url.searchParams.has('appsecret_proof')) delete params.appsecret_proof;
      const method = (request.method ?? 'GET').toUpperCase();
      this.options.log({
        host: 'facebook-graph',
        method,
        path: url.pathname,
        hadAppsecretProof: Boolean(params.appsecret_proof),
        batch: true,
        at: this.world.now(),
      });
      // Meta counts and limits every entry on its own: a limited object fails inside the batch, the rest answer.
      const fault = this.faults.take('facebook', url.pathname, this.world.subjectsOf(params.access_token));
      const result =
        fault && !fault.reset
          ? fault
          : fault
            ? graphError(500, 1, 'An unknown error occurred')
            : path === '/'
              ? graphError(400, 100, '(#100) Batch requests cannot be nested')
              : this.handle({ method, path, params, version: match?.[1] ?? call.version });
      const body = typeof result.body === 'string' ? result.body : JSON.stringify(result.body);
      if (!withHeaders) return { code: result.status, body };
      // The usage headers every answer carries, for this entry's own object, as on a single call.
      const headers = [
        { name: 'Content-Type', value: 'text/javascript; charset=UTF-8' },
        ...Object.entries({ ...this.faults.headers(url.pathname), ...result.headers }).map(([name, value]) => ({ name, value })),
      ];
      return { code: result.status, headers, body };
    });
    return ok(answers);
  }
}

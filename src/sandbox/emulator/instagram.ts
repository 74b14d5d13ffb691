import { parseFieldsParam, project } from './fields';
import type { GraphCall } from './facebook-graph';
import { authError, graphError, instagramOAuthError, ok, unknownField, type GraphResult } from './responses';
import { IG_REFRESH_MIN_AGE, IG_SHORT_LIVED_SECONDS, igProfileValues, LONG_LIVED_SECONDS, type World } from './world';

/** Business Login for Instagram: api.instagram.com (code exchange) and graph.instagram.com. */
export class InstagramHosts {
  constructor(private readonly world: World) {}

  private get app() {
    return this.world.apps.instagram;
  }

  /** POST api.instagram.com/oauth/access_token */
  exchangeCode(params: Record<string, string>): GraphResult {
    if (params.client_id !== this.app.id) return instagramOAuthError('Invalid platform app');
    if (params.client_secret !== this.app.secret) return instagramOAuthError('Error validating client secret.');
    if (params.grant_type !== 'authorization_code') return instagramOAuthError('Unsupported grant_type');
    const redeemed = this.world.redeemCode(params.code ?? '', 'instagram', params.redirect_uri ?? '');
    if ('problem' in redeemed) {
      return instagramOAuthError(redeemed.problem === 'redirect_mismatch' ? 'Invalid redirect_uri' : 'Matching code was not found or was already used');
    }
    const account = this.world.igAccounts.get(redeemed.userId)!;
    const token = this.world.issueToken('ig_short', account.id, redeemed.scopes, { lifetimeSeconds: IG_SHORT_LIVED_SECONDS });
    if (account.tokenResponseShape === 'flat') {
      // user_id goes out as a bare JSON number, as Meta sends it: it can exceed 2^53.
      const body = `{"access_token":${JSON.stringify(token.value)},"user_id":${account.id},"permissions":${JSON.stringify(redeemed.scopes)}}`;
      return ok(body);
    }
    return ok({ data: [{ access_token: token.value, user_id: account.id, permissions: redeemed.scopes.join(',') }] });
  }

  /** GET graph.instagram.com/... */
  handleGraph(call: GraphCall): GraphResult {
    const record = this.world.tokens.get(call.params.access_token ?? '');
    const problem = this.world.tokenProblem(record);
    if (problem || !record || !record.kind.startsWith('ig')) return authError(problem ?? { message: 'Invalid OAuth access token - Cannot parse access token' });

    if (call.path === '/access_token') {
      if (call.params.grant_type !== 'ig_exchange_token') return graphError(400, 100, 'Unsupported grant type');
      if (call.params.client_secret !== this.app.secret) return graphError(400, 100, 'Error validating client secret.');
      if (record.kind !== 'ig_short') return graphError(400, 100, 'The access token is already long-lived.');
      const long = this.world.issueToken('ig_long', record.subjectId, record.scopes, { lifetimeSeconds: LONG_LIVED_SECONDS });
      return ok({ access_token: long.value, token_type: 'bearer', expires_in: LONG_LIVED_SECONDS });
    }
    if (call.path === '/refresh_access_token') {
      if (call.params.grant_type !== 'ig_refresh_token') return graphError(400, 100, 'Unsupported grant type');
      if (record.kind !== 'ig_long') return graphError(400, 100, 'Only long-lived access tokens can be refreshed.');
      if (this.world.now() - record.issuedAt < IG_REFRESH_MIN_AGE) {
        return graphError(400, 100, 'The access token must be at least 24 hours old to be refreshed.');
      }
      const fresh = this.world.issueToken('ig_long', record.subjectId, record.scopes, { lifetimeSeconds: LONG_LIVED_SECONDS });
      this.world.refreshesBySubject.set(record.subjectId, (this.world.refreshesBySubject.get(record.subjectId) ?? 0) + 1);
      return ok({ access_token: fresh.value, token_type: 'bearer', expires_in: LONG_LIVED_SECONDS, permissions: record.scopes.join(',') });
    }
    if (call.path === '/me/subscribed_apps' && call.method === 'POST') return ok({ success: true });
    if (call.path !== '/me' && call.path !== `/${record.subjectId}`) return graphError(400, 100, `Unsupported get request: ${call.path}`);

    const parsed = parseFieldsParam(call.params.fields);
    if ('error' in parsed) return parsed.error;
    const ig = this.world.igAccounts.get(record.subjectId)!;
    const projected = project(
      {
        id: ig.appScopedId,
        // A string on this host: JSON numbers this large lose digits in most clients.
        user_id: ig.id,
        account_type: ig.accountType,
        ...igProfileValues(this.world, ig),
      },
      parsed.fields ?? [{ name: 'id' }],
      'User',
    );
    return 'ok' in projected ? ok(projected.ok) : unknownField(projected);
  }
}

import { callbackPayloadText, postSignedRequest, signPayloadText, type CallbackResult } from './callbacks';
import type { CallLogEntry } from './facebook-graph';
import type { FaultRule, Faults, UsageSettings } from './faults';
import type { EmulatedAudience, EmulatedMedia } from './media';
import { FACEBOOK_DEFAULT_SCOPES, INSTAGRAM_DEFAULT_SCOPES, LONG_LIVED_SECONDS, type IgAccount, type Provider, type World } from './world';

const MAX_LOGGED_CALLS = 20_000;

/** A deauthorize or data deletion callback Meta sends for one user. */
export interface CallbackInput {
  provider: Provider;
  /** Facebook user id; for Instagram the professional account id (`user_id`) or its app-scoped `id`. */
  userId: string;
  url: string;
  /**
   * Instagram: which of the user's two ids goes in the signed_request. Meta does not document
   * which one it sends, so tests send both ways. Default: `userId` as given.
   */
  idKind?: 'as-given' | 'app-scoped';
  /** user_id as a JSON string (default) or as a bare JSON number, digits exact even beyond 2^53. */
  userIdAs?: 'string' | 'number';
}

/**
 * How tests, the sandbox seed and load tests shape the emulated Meta: create users, play the
 * dialog, change profiles, kill tokens, inject failures and read what was called. Mirrored over
 * HTTP at `POST /_control/<method>` for other processes (browser tests, benchmarks).
 */
export class EmulatorControl {
  private log: CallLogEntry[] = [];
  /** App secrets as configured before a rotation, to restore them. */
  private readonly originalSecrets = new Map<Provider, string>();

  constructor(
    private readonly world: World,
    private readonly faults: Faults,
  ) {}

  /** Every call the emulator answered, oldest first (bounded). */
  get calls(): readonly CallLogEntry[] {
    return this.log;
  }

  record(entry: CallLogEntry): void {
    this.log.push(entry);
    if (this.log.length > MAX_LOGGED_CALLS) this.log.splice(0, this.log.length - MAX_LOGGED_CALLS);
  }

  resetCalls(): void {
    this.log = [];
  }

  addFacebookUser(input: Parameters<World['addFacebookUser']>[0]) {
    return this.world.addFacebookUser(input);
  }

  addInstagramUser(input: Parameters<World['addInstagramUser']>[0]) {
    return this.world.addInstagramUser(input);
  }

  /** What clicking "Allow" does: a code bound to this redirect URI, and the URL the browser goes to. */
  authorize(input: { provider: Provider; userId: string; redirectUri: string; state?: string; scopes?: string[]; pageIds?: string[] }): {
    code: string;
    redirectUrl: string;
  } {
    if (input.provider === 'facebook' && !this.world.fbUsers.has(input.userId)) throw new Error(`no Facebook user ${input.userId}`);
    if (input.provider === 'instagram' && !this.world.igLoginUserIds.has(input.userId)) throw new Error(`no Instagram user ${input.userId}`);
    const code = this.world.issueCode({
      provider: input.provider,
      userId: input.userId,
      redirectUri: input.redirectUri,
      scopes: input.scopes ?? (input.provider === 'facebook' ? FACEBOOK_DEFAULT_SCOPES : INSTAGRAM_DEFAULT_SCOPES),
      pageIds: input.pageIds,
    });
    const url = new URL(input.redirectUri);
    url.searchParams.set('code', code.value);
    if (input.state) url.searchParams.set('state', input.state);
    // Facebook appends "#_=_"; Instagram "#_", which clients must strip from a copied code.
    url.hash = input.provider === 'facebook' ? '_=_' : '_';
    return { code: code.value, redirectUrl: url.toString() };
  }

  updateProfile(igId: string, patch: Partial<Omit<IgAccount, 'id' | 'appScopedId'>>): void {
    this.world.updateProfile(igId, patch);
  }

  /** Every token of a Facebook user or Instagram account stops working with 190/subcode. */
  invalidateUser(userId: string, subcode = 460): void {
    this.world.invalidateSubject(userId, subcode);
  }

  /** Tokens of this user stop expiring (as some Facebook user tokens do); data access still ends after 90 days. */
  makeTokensPermanent(userId: string): void {
    for (const value of this.world.tokensOf(userId)) this.world.tokens.get(value)!.expiresAt = 0;
  }

  invalidateToken(token: string, subcode = 467): void {
    this.world.invalidateToken(token, subcode);
  }

  /**
   * The user removes the app on Facebook or Instagram: their tokens die (190/458, as Meta's do)
   * and Meta POSTs a signed_request to the app's deauthorize callback `url`.
   */
  async sendDeauthorize(input: CallbackInput): Promise<CallbackResult> {
    this.world.invalidateSubject(this.professionalId(input), 458);
    return this.sendSignedRequest(input);
  }

  /** The user asks Meta to delete their data: Meta POSTs a signed_request to the data deletion callback `url`. */
  async sendDataDeletion(input: CallbackInput): Promise<CallbackResult> {
    return this.sendSignedRequest(input);
  }

  private sendSignedRequest(input: CallbackInput): Promise<CallbackResult> {
    const userId = input.idKind === 'app-scoped' ? this.appScopedId(input) : input.userId;
    const payload = callbackPayloadText(userId, this.world.now(), input.userIdAs);
    return postSignedRequest(input.url, signPayloadText(payload, this.world.apps[input.provider].secret));
  }

  /** `userId` may name an Instagram user by either id; tokens belong to the professional one. */
  private professionalId(input: CallbackInput): string {
    if (input.provider !== 'instagram') return input.userId;
    const byScoped = [...this.world.igAccounts.values()].find((a) => a.appScopedId === input.userId);
    return byScoped?.id ?? input.userId;
  }

  private appScopedId(input: CallbackInput): string {
    const account = input.provider === 'instagram' ? this.world.igAccounts.get(this.professionalId(input)) : undefined;
    if (!account) throw new Error(`idKind app-scoped needs an Instagram user, not ${input.provider} ${input.userId}`);
    return account.appScopedId;
  }

  /**
   * The app secret is rotated in the App Dashboard: from now on Meta refuses the old app token
   * (`app_id|old_secret`), so debug_token answers a top-level 190 OAuthException, and the old
   * secret fails code exchanges and appsecret_proof checks. Returns the new secret.
   */
  rotateAppSecret(provider: Provider = 'facebook'): { secret: string } {
    const app = this.world.apps[provider];
    if (!this.originalSecrets.has(provider)) this.originalSecrets.set(provider, app.secret);
    const secret = `rotated-${Math.random().toString(36).slice(2)}`;
    this.world.apps[provider] = { ...app, secret };
    return { secret };
  }

  /** Puts back the secret the app had before rotateAppSecret (the operator deployed the right one). */
  restoreAppSecret(provider: Provider = 'facebook'): void {
    const original = this.originalSecrets.get(provider);
    if (original === undefined) return;
    this.world.apps[provider] = { ...this.world.apps[provider], secret: original };
    this.originalSecrets.delete(provider);
  }

  /**
   * The user removes the app's access to one Page in Facebook's Business Integrations settings:
   * the grant no longer reaches that Page or its Instagram account (debug_token's target_ids drop
   * them; reading the nodes answers 100/33), the other Pages keep working.
   */
  removePageAccess(input: { userId: string; pageId: string }): void {
    const user = this.world.fbUsers.get(input.userId);
    if (!user) throw new Error(`no Facebook user ${input.userId}`);
    user.grantedPageIds = new Set(
      this.world
        .grantedPages(user)
        .map((p) => p.id)
        .filter((id) => id !== input.pageId),
    );
  }

  /**
   * The user clears a security checkpoint (459) or confirms their account (464) on Meta: the
   * tokens those froze work again. Tokens dead for any other cause stay dead.
   */
  clearCheckpoint(userId: string): void {
    for (const value of this.world.tokensOf(userId)) {
      const record = this.world.tokens.get(value)!;
      if (record.invalid && (record.invalid.subcode === 459 || record.invalid.subcode === 464)) delete record.invalid;
    }
  }

  /** The next `count` calls matching the rule fail the given way (count 0 removes such rules). */
  failNext(rule: FaultRule): void {
    this.faults.add(rule);
  }

  /**
   * Meta rate-limits one scope for `minutes` of the emulator's clock, as Meta does: code 4 limits
   * the whole app (every call on `host`, X-App-Usage at 100 %); 17 a user's token, 32/80001 a Page,
   * 80002 an Instagram account, 613 one object: only calls touching `scopeId` (in the path, or
   * made with that subject's token) fail, with a low X-App-Usage and an
   * X-Business-Use-Case-Usage naming `scopeId` with `minutes` to regain access.
   */
  limitRate(input: { host: 'facebook' | 'instagram' | 'any'; code: number; scopeId?: string; minutes: number }): void {
    if (input.code !== 4 && !input.scopeId) throw new Error(`code ${input.code} limits one object: pass its scopeId`);
    this.faults.add({
      host: input.host,
      kind: 'rate_limit',
      code: input.code,
      count: 0,
      subjectId: input.code === 4 ? undefined : input.scopeId,
      regainMinutes: input.minutes,
      untilMs: this.world.now() + input.minutes * 60_000,
    });
  }

  /** The next `count` calls matching `pathIncludes` (all, when omitted) answer HTTP 429 with `Retry-After: retryAfterSeconds`. */
  throttle(input: { host: 'facebook' | 'instagram' | 'any'; pathIncludes?: string; count: number; retryAfterSeconds: number }): void {
    this.faults.add({ ...input, kind: 'throttled' });
  }

  /** Every rate limit and 429 set up with limitRate, throttle or failNext is lifted. */
  liftRateLimits(): void {
    this.faults.liftRateLimits();
  }

  setUsage(usage: UsageSettings): void {
    this.faults.usage = usage;
  }

  /** The next `count` batch entries come back as null (Meta did not process them). */
  dropBatchEntries(count: number): void {
    this.faults.nullBatchEntries = count;
  }

  setLatency(ms: number): void {
    this.faults.latencyMs = Math.max(0, ms);
  }

  /** How many requests are being held by the latency right now. */
  get delayedRequests(): number {
    return this.faults.delayedNow;
  }

  /** Clears injected failures, usage headers, latency and the call log. */
  reset(): void {
    this.faults.clear();
    this.resetCalls();
  }

  /**
   * Load tests: `count` Business Login accounts, each with a long-lived token issued `ageDays`
   * ago (without going through the dialog), and the refresh counter cleared.
   */
  issueInstagramTokens(input: { count: number; ageDays: number }): Array<{ userId: string; token: string }> {
    this.world.refreshesBySubject.clear();
    const issuedAt = this.world.now() - input.ageDays * 86_400_000;
    return Array.from({ length: input.count }, () => {
      const { userId } = this.world.addInstagramUser({});
      const record = this.world.issueToken('ig_long', userId, ['instagram_business_basic']);
      record.issuedAt = issuedAt;
      record.expiresAt = issuedAt + LONG_LIVED_SECONDS * 1000;
      return { userId, token: record.value };
    });
  }

  /** Instagram refreshes answered since the last issueInstagramTokens: in all, and the most for one account. */
  refreshCounts(): { total: number; accounts: number; mostForOneAccount: number } {
    const counts = [...this.world.refreshesBySubject.values()];
    return { total: counts.reduce((a, b) => a + b, 0), accounts: counts.length, mostForOneAccount: counts.reduce((a, b) => Math.max(a, b), 0) };
  }

  /**
   * Replaces an Instagram account's posts. Each post: `id`, `mediaType`, `productType`,
   * `timestamp` (epoch ms or ISO), counts; insights values left out mean "Meta has no data".
   */
  setMedia(input: {
    igId: string;
    media: Array<Omit<EmulatedMedia, 'timestamp' | 'likesHidden'> & { timestamp: number | string; likesHidden?: boolean }>;
  }): void {
    if (!this.world.igAccounts.has(input.igId)) throw new Error(`no Instagram account ${input.igId}`);
    this.world.setMedia(
      input.igId,
      input.media.map((m) => ({
        ...m,
        likesHidden: m.likesHidden ?? false,
        timestamp: typeof m.timestamp === 'number' ? m.timestamp : Date.parse(m.timestamp),
      })),
    );
  }

  /** The account's posts as the emulator holds them (generated on first use). */
  mediaOf(igId: string): EmulatedMedia[] {
    return this.world.mediaOf(igId);
  }

  /** Replaces an account's follower_demographics counts (before Meta's thresholds). */
  setAudience(input: { igId: string; audience: EmulatedAudience }): void {
    if (!this.world.igAccounts.has(input.igId)) throw new Error(`no Instagram account ${input.igId}`);
    this.world.setAudience(input.igId, input.audience);
  }

  /** Token strings issued for a user or account (tests assert none of them leak). */
  tokensOf(userId: string): string[] {
    return this.world.tokensOf(userId);
  }

  tokenInfo(token: string): { kind: string; subjectId: string; issuedAt: number; expiresAt: number; valid: boolean } | undefined {
    const record = this.world.tokens.get(token);
    if (!record) return undefined;
    return { kind: record.kind, subjectId: record.subjectId, issuedAt: record.issuedAt, expiresAt: record.expiresAt, valid: !this.world.tokenProblem(record) };
  }

  /** Who exists, for the index page and for humans poking at the sandbox. */
  describe() {
    return {
      facebookUsers: [...this.world.fbUsers.values()].map((u) => ({
        id: u.id,
        name: u.name,
        pages: u.pageIds.map((id) => {
          const page = this.world.pages.get(id)!;
          return { id, name: page.name, instagramId: page.instagramId ?? null, businessOnly: Boolean(page.businessId) };
        }),
      })),
      instagramUsers: [...this.world.igLoginUserIds].map((id) => {
        const ig = this.world.igAccounts.get(id)!;
        return { userId: id, username: ig.username, accountType: ig.accountType, followersCount: ig.followersCount };
      }),
    };
  }
}

/** Methods reachable over HTTP at /_control/<name>. */
export const HTTP_CONTROL_METHODS = [
  'addFacebookUser',
  'addInstagramUser',
  'authorize',
  'updateProfile',
  'invalidateUser',
  'invalidateToken',
  'sendDeauthorize',
  'sendDataDeletion',
  'makeTokensPermanent',
  'issueInstagramTokens',
  'refreshCounts',
  'failNext',
  'limitRate',
  'throttle',
  'liftRateLimits',
  'setUsage',
  'dropBatchEntries',
  'setLatency',
  'reset',
  'resetCalls',
  'tokensOf',
  'tokenInfo',
  'describe',
  'rotateAppSecret',
  'restoreAppSecret',
  'removePageAccess',
  'clearCheckpoint',
  'setMedia',
  'mediaOf',
  'setAudience',
] as const;

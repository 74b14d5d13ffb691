import { callbackPayload, postSignedRequest, signRequest, type CallbackResult } from './callbacks';
import type { CallLogEntry } from './facebook-graph';
import type { FaultRule, Faults, UsageSettings } from './faults';
import { FACEBOOK_DEFAULT_SCOPES, INSTAGRAM_DEFAULT_SCOPES, type IgAccount, type Provider, type World } from './world';

const MAX_LOGGED_CALLS = 20_000;

/**
 * How tests, the sandbox seed and load tests shape the emulated Meta: create users, play the
 * dialog, change profiles, kill tokens, inject failures and read what was called. Mirrored over
 * HTTP at `POST /_control/<method>` for other processes (browser tests, benchmarks).
 */
export class EmulatorControl {
  private log: CallLogEntry[] = [];

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
  authorize(input: { provider: Provider; userId: string; redirectUri: string; state?: string; scopes?: string[]; pageIds?: string[] }): { code: string; redirectUrl: string } {
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
  async sendDeauthorize(input: { provider: Provider; userId: string; url: string }): Promise<CallbackResult> {
    this.world.invalidateSubject(input.userId, 458);
    return this.sendSignedRequest(input);
  }

  /** The user asks Meta to delete their data: Meta POSTs a signed_request to the data deletion callback `url`. */
  async sendDataDeletion(input: { provider: Provider; userId: string; url: string }): Promise<CallbackResult> {
    return this.sendSignedRequest(input);
  }

  private sendSignedRequest(input: { provider: Provider; userId: string; url: string }): Promise<CallbackResult> {
    const signed = signRequest(callbackPayload(input.userId, this.world.now()), this.world.apps[input.provider].secret);
    return postSignedRequest(input.url, signed);
  }

  /** The next `count` calls matching the rule fail the given way (count 0 removes such rules). */
  failNext(rule: FaultRule): void {
    this.faults.add(rule);
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
      record.expiresAt = issuedAt + 5_183_944_000;
      return { userId, token: record.value };
    });
  }

  /** Instagram refreshes answered since the last issueInstagramTokens: in all, and the most for one account. */
  refreshCounts(): { total: number; accounts: number; mostForOneAccount: number } {
    const counts = [...this.world.refreshesBySubject.values()];
    return { total: counts.reduce((a, b) => a + b, 0), accounts: counts.length, mostForOneAccount: counts.reduce((a, b) => Math.max(a, b), 0) };
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
  'setUsage',
  'dropBatchEntries',
  'setLatency',
  'reset',
  'resetCalls',
  'tokensOf',
  'tokenInfo',
  'describe',
] as const;

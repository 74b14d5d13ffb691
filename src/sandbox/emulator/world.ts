import { randomBytes } from 'node:crypto';

/**
 * The emulator's in-memory Meta: Facebook users with Pages, Instagram professional accounts,
 * Business Login users, authorization codes and access tokens. HTTP handlers read and change it;
 * the control API lets tests and the sandbox shape it.
 */
export interface EmulatorApp {
  id: string;
  secret: string;
}

export type IgAccountType = 'BUSINESS' | 'MEDIA_CREATOR' | 'PERSONAL';

export interface IgAccount {
  /** The professional account id: what the Facebook host and webhooks call it. */
  id: string;
  /** The app-scoped id graph.instagram.com answers in `id` for Business Login. */
  appScopedId: string;
  username: string;
  name: string;
  /** Set: this URL as given. Unset: the emulator's own signed picture URL (pictures.ts). */
  profilePictureUrl?: string;
  followersCount: number;
  followsCount: number;
  mediaCount: number;
  biography: string;
  website: string;
  accountType: IgAccountType;
  /** Business Login only: which token response shape api.instagram.com answers for this user. */
  tokenResponseShape: 'documented' | 'flat';
}

export interface FbPage {
  id: string;
  name: string;
  instagramId?: string;
  /** Set when the Page is reachable only through a Business Portfolio (owned_pages). */
  businessId?: string;
}

export interface FbUser {
  id: string;
  name: string;
  pageIds: string[];
  businessIds: string[];
  /** Pages shared in the last dialog (null = all of them). */
  grantedPageIds: Set<string> | null;
  grantedScopes: string[];
  grantedAt: number;
}

export type TokenKind = 'fb_user_short' | 'fb_user_long' | 'fb_page' | 'ig_short' | 'ig_long';

export interface TokenRecord {
  value: string;
  kind: TokenKind;
  /** Facebook user id, or the Instagram professional account id for Business Login. */
  subjectId: string;
  pageId?: string;
  scopes: string[];
  issuedAt: number;
  /** 0 = never expires (page tokens from a long-lived user token). */
  expiresAt: number;
  invalid?: { subcode: number; message: string };
}

export type Provider = 'facebook' | 'instagram';

export interface AuthCode {
  value: string;
  provider: Provider;
  userId: string;
  redirectUri: string;
  issuedAt: number;
  used: boolean;
  scopes: string[];
  pageIds?: string[];
}

export const FACEBOOK_DEFAULT_SCOPES = ['instagram_basic', 'pages_show_list', 'pages_read_engagement', 'business_management'];
export const INSTAGRAM_DEFAULT_SCOPES = ['instagram_business_basic'];

const SECOND = 1000;
const HOUR = 3600 * SECOND;
const DAY = 24 * HOUR;
export const LONG_LIVED_SECONDS = 5_183_944;
export const FB_SHORT_LIVED_SECONDS = 5400;
export const IG_SHORT_LIVED_SECONDS = 3600;
const FB_CODE_TTL = 10 * 60 * SECOND;
const IG_CODE_TTL = HOUR;
const DATA_ACCESS_DAYS = 90;
export const IG_REFRESH_MIN_AGE = DAY;

/** Messages Meta sends with code 190 for each subcode. */
const AUTH_SUBCODE_MESSAGES: Record<number, string> = {
  458: 'Error validating access token: The user has not authorized application.',
  459: 'Error validating access token: You cannot access the app till you log in to www.facebook.com and follow the instructions given.',
  460: 'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.',
  463: 'Error validating access token: Session has expired.',
  464: 'Error validating access token: Sessions for the user are not allowed because the user is not a confirmed user.',
  467: 'Error validating access token: The user has logged out.',
  492: 'Error validating access token: The session is invalid because the user is no longer an admin of the Page.',
};

export class World {
  readonly fbUsers = new Map<string, FbUser>();
  readonly pages = new Map<string, FbPage>();
  readonly igAccounts = new Map<string, IgAccount>();
  /** Business Login users by professional account id. */
  readonly igLoginUserIds = new Set<string>();
  readonly businesses = new Map<string, { id: string; name: string; memberIds: Set<string> }>();
  readonly tokens = new Map<string, TokenRecord>();
  private readonly tokensBySubject = new Map<string, Set<string>>();
  private readonly codes = new Map<string, AuthCode>();
  /** Page tokens are stable per (user token, page), like Meta's. */
  private readonly pageTokenCache = new Map<string, string>();
  /** Instagram refreshes answered, per account: load tests check nothing was refreshed twice. */
  readonly refreshesBySubject = new Map<string, number>();
  private counter = 0;

  constructor(
    /** Mutable: the control API can rotate an app's secret. */
    readonly apps: { facebook: EmulatorApp; instagram: EmulatorApp },
    readonly now: () => number,
    /** The picture URL a profile read answers for an account without a fixed one. */
    private readonly pictureUrlOf: (igId: string) => string = () => '',
  ) {}

  private nextId(prefix: string, length: number): string {
    this.counter++;
    const tail = `${this.counter}${randomBytes(4).readUInt32BE(0)}`;
    return `${prefix}${tail.padStart(length - prefix.length, '0').slice(-(length - prefix.length))}`;
  }

  addFacebookUser(input: {
    name?: string;
    id?: string;
    pages?: Array<{ name?: string; viaBusinessOnly?: boolean; instagram?: Partial<Omit<IgAccount, 'appScopedId' | 'tokenResponseShape'>> }>;
  }): { id: string; name: string; pages: Array<{ id: string; name: string; instagram?: { id: string; username: string } }> } {
    const user: FbUser = {
      id: input.id ?? this.nextId('100', 15),
      name: input.name ?? 'Emulated Creator',
      pageIds: [],
      businessIds: [],
      grantedPageIds: null,
      grantedScopes: [],
      grantedAt: this.now(),
    };
    this.fbUsers.set(user.id, user);
    const pages = (input.pages ?? []).map((spec, i) => {
      const page: FbPage = { id: this.nextId('10', 15), name: spec.name ?? `${user.name} Page ${i + 1}` };
      if (spec.instagram) page.instagramId = this.putIgAccount(spec.instagram).id;
      if (spec.viaBusinessOnly) page.businessId = this.businessOf(user).id;
      this.pages.set(page.id, page);
      user.pageIds.push(page.id);
      const ig = page.instagramId ? this.igAccounts.get(page.instagramId) : undefined;
      return { id: page.id, name: page.name, instagram: ig ? { id: ig.id, username: ig.username } : undefined };
    });
    return { id: user.id, name: user.name, pages };
  }

  addInstagramUser(input: Partial<Omit<IgAccount, 'id' | 'appScopedId'>> & { userId?: string }): { userId: string; username: string; appScopedId: string } {
    const account = this.putIgAccount({ ...input, id: input.userId });
    this.igLoginUserIds.add(account.id);
    return { userId: account.id, username: account.username, appScopedId: account.appScopedId };
  }

  private putIgAccount(spec: Partial<IgAccount>): IgAccount {
    const id = spec.id ?? this.nextId('17841', 17);
    const username = spec.username ?? `creator_${id.slice(-6)}`;
    const account: IgAccount = {
      id,
      appScopedId: this.nextId('2', 17),
      username,
      name: spec.name ?? username.replace(/[._]/g, ' '),
      profilePictureUrl: spec.profilePictureUrl,
      followersCount: spec.followersCount ?? 1000,
      followsCount: spec.followsCount ?? 100,
      mediaCount: spec.mediaCount ?? 42,
      biography: spec.biography ?? '',
      website: spec.website ?? '',
      accountType: spec.accountType ?? 'BUSINESS',
      tokenResponseShape: spec.tokenResponseShape ?? 'documented',
    };
    this.igAccounts.set(id, account);
    return account;
  }

  private businessOf(user: FbUser) {
    if (user.businessIds.length === 0) {
      const business = { id: this.nextId('20', 15), name: `${user.name} Business`, memberIds: new Set([user.id]) };
      this.businesses.set(business.id, business);
      user.businessIds.push(business.id);
    }
    return this.businesses.get(user.businessIds[0])!;
  }

  updateProfile(igId: string, patch: Partial<Omit<IgAccount, 'id' | 'appScopedId'>>): void {
    const account = this.igAccounts.get(igId);
    if (!account) throw new Error(`no Instagram account ${igId}`);
    Object.assign(account, Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)));
  }

  // --- codes -------------------------------------------------------------------------------

  issueCode(input: Omit<AuthCode, 'value' | 'issuedAt' | 'used'>): AuthCode {
    const code: AuthCode = {
      ...input,
      value: `${input.provider === 'facebook' ? 'AQ' : 'AQB'}${randomBytes(24).toString('base64url')}`,
      issuedAt: this.now(),
      used: false,
    };
    this.codes.set(code.value, code);
    return code;
  }

  /** Looks a code up for an exchange and marks it used. Errors name Meta's subcodes. */
  redeemCode(value: string, provider: Provider, redirectUri: string): AuthCode | { problem: 'unknown' | 'used' | 'expired' | 'redirect_mismatch' } {
    const code = this.codes.get(value);
    if (!code || code.provider !== provider) return { problem: 'unknown' };
    if (code.used) return { problem: 'used' };
    if (this.now() - code.issuedAt > (provider === 'facebook' ? FB_CODE_TTL : IG_CODE_TTL)) return { problem: 'expired' };
    if (code.redirectUri !== redirectUri) return { problem: 'redirect_mismatch' };
    code.used = true;
    return code;
  }

  // --- tokens ------------------------------------------------------------------------------

  issueToken(kind: TokenKind, subjectId: string, scopes: string[], options: { pageId?: string; lifetimeSeconds?: number } = {}): TokenRecord {
    const prefix = kind.startsWith('ig') ? 'IGAA' : 'EAA';
    const record: TokenRecord = {
      value: `${prefix}${randomBytes(30).toString('base64url')}`,
      kind,
      subjectId,
      pageId: options.pageId,
      scopes,
      issuedAt: this.now(),
      expiresAt: options.lifetimeSeconds ? this.now() + options.lifetimeSeconds * SECOND : 0,
    };
    this.tokens.set(record.value, record);
    let set = this.tokensBySubject.get(subjectId);
    if (!set) this.tokensBySubject.set(subjectId, (set = new Set()));
    set.add(record.value);
    return record;
  }

  pageToken(userToken: TokenRecord, pageId: string): TokenRecord {
    const key = `${userToken.value}:${pageId}`;
    const cached = this.pageTokenCache.get(key);
    const existing = cached ? this.tokens.get(cached) : undefined;
    if (existing) return existing;
    // From a long-lived user token a page token never expires; from a short-lived one it lives as long.
    const lifetime = userToken.kind === 'fb_user_long' ? undefined : Math.max(1, Math.round((userToken.expiresAt - this.now()) / SECOND));
    const record = this.issueToken('fb_page', userToken.subjectId, userToken.scopes, { pageId, lifetimeSeconds: lifetime });
    this.pageTokenCache.set(key, record.value);
    return record;
  }

  tokensOf(subjectId: string): string[] {
    return [...(this.tokensBySubject.get(subjectId) ?? [])];
  }

  /** Kills every token of a user or account, as a password change, checkpoint or app removal does. */
  invalidateSubject(subjectId: string, subcode: number): void {
    for (const value of this.tokensOf(subjectId)) this.invalidateToken(value, subcode);
    if (subcode === 458) {
      const user = this.fbUsers.get(subjectId);
      if (user) {
        user.grantedPageIds = new Set();
        user.grantedScopes = [];
      }
    }
  }

  /** Who a token stands for (user or account, and its Page): what subject-scoped rate limits match. */
  subjectsOf(token: string | undefined): string[] {
    const record = token ? this.tokens.get(token) : undefined;
    return record ? [record.subjectId, ...(record.pageId ? [record.pageId] : [])] : [];
  }

  invalidateToken(value: string, subcode: number): void {
    const record = this.tokens.get(value);
    if (record) record.invalid = { subcode, message: AUTH_SUBCODE_MESSAGES[subcode] ?? 'Error validating access token.' };
  }

  /** Why a token is not accepted right now, or undefined when it is. */
  tokenProblem(record: TokenRecord | undefined): { subcode?: number; message: string } | undefined {
    if (!record) return { message: 'Invalid OAuth access token - Cannot parse access token' };
    if (record.invalid) return record.invalid;
    if (record.expiresAt && this.now() >= record.expiresAt) {
      return { subcode: 463, message: `Error validating access token: Session has expired on ${new Date(record.expiresAt).toUTCString()}.` };
    }
    return undefined;
  }

  profilePictureUrl(ig: IgAccount): string {
    return ig.profilePictureUrl ?? this.pictureUrlOf(ig.id);
  }

  /** Pages a Facebook user shared with the app in the last dialog. */
  grantedPages(user: FbUser): FbPage[] {
    return user.pageIds
      .filter((id) => user.grantedPageIds === null || user.grantedPageIds.has(id))
      .map((id) => this.pages.get(id)!)
      .filter(Boolean);
  }

  dataAccessExpiresAt(user: FbUser): number {
    return user.grantedAt + DATA_ACCESS_DAYS * DAY;
  }
}

/** The profile fields both Graph hosts answer for an Instagram professional account. */
export function igProfileValues(world: World, ig: IgAccount): Record<string, unknown> {
  return {
    username: ig.username,
    name: ig.name,
    profile_picture_url: world.profilePictureUrl(ig),
    followers_count: ig.followersCount,
    follows_count: ig.followsCount,
    media_count: ig.mediaCount,
    biography: ig.biography,
    website: ig.website,
  };
}

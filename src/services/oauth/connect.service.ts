import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../clock';
import { AppError, ErrorCode } from '../../errors';
import { forkEm } from '../../database/transaction';
import { otherFacebookAccountsOfMetaUser } from '../../repositories/social-account.repository';
import type { Logger } from '../../logger';
import { LoginProvider, SocialConnectionStatus } from '../../domain/social-account';
import type { AccountService, GrantInput, LinkedAccountInput } from '../accounts/account.service';
import { MetaBadRequestError, MetaPermissionError, MetaRateLimitError, MetaTransientError } from '../meta/errors';
import type { FacebookClient, FacebookPage } from '../meta/facebook-client';
import { grantReach, lostPageReason, reaches } from '../meta/grant-reach';
import type { InstagramClient } from '../meta/instagram-client';
import { accountTypeOf, normalizeProfile } from '../../domain/instagram-profile';
import type { OAuthStateService } from './oauth-state.service';
import { describeError } from '../../describe-error';

const FACEBOOK_SCOPES = ['instagram_basic', 'pages_show_list', 'pages_read_engagement', 'business_management'] as const;
const INSTAGRAM_SCOPES = ['instagram_business_basic'] as const;

export interface ConnectInput {
  code: string;
  state: string;
  /** What the dialog put on the redirect when the user cancelled (`error`, `error_reason`, `error_description`). */
  error?: string | null;
  errorReason?: string | null;
  errorDescription?: string | null;
}

const MAX_CODE_LENGTH = 2048;

/**
 * Meta ends its redirect with a fragment that belongs to neither parameter: Facebook Login with
 * `#_=_`, Business Login for Instagram with `#_`. A code or state copied from the address bar (the
 * last parameter, usually `state`) may still carry it; neither ever contains `#` itself.
 */
function withoutMetaFragment(value: string): string {
  return value.trim().replace(/#_(=_)?$/, '');
}

/**
 * The OAuth round trip for both Meta flows: the dialog URL, then code → long-lived token →
 * account discovery → one transaction that stores everything (AccountService.link).
 */
export class ConnectService {
  constructor(
    private readonly deps: {
      clock: Clock;
      logger: Logger;
      states: OAuthStateService;
      accounts: AccountService;
      facebook: FacebookClient;
      instagram: InstagramClient;
      redirectUris: string[];
      /** Scopes asked for on top of the basic ones (the insights scope when METRICS_INSIGHTS is on). */
      extraScopes?: (provider: LoginProvider) => string[];
    },
  ) {}

  async authorizeUrl(em: EntityManager, memberId: string, provider: LoginProvider, redirectUri?: string | null): Promise<string> {
    const target = redirectUri ?? this.deps.redirectUris[0];
    if (!this.deps.redirectUris.includes(target)) {
      throw new AppError(ErrorCode.BAD_USER_INPUT, 'redirectUri is not one of the allowed redirect URIs.', { field: 'redirectUri' });
    }
    return (await this.dialog(em, memberId, provider, target)).url;
  }

  /**
   * The dialog URL and its state, for a redirect URI of ours that is not in OAUTH_REDIRECT_URIS
   * (connect links' own callback): the caller vouches for `redirectUri`.
   */
  async dialog(em: EntityManager, memberId: string, provider: LoginProvider, redirectUri: string): Promise<{ url: string; state: string }> {
    const state = await this.deps.states.issue(em, memberId, provider, redirectUri);
    const url =
      provider === LoginProvider.FACEBOOK
        ? this.deps.facebook.authorizeUrl(redirectUri, state, [...FACEBOOK_SCOPES, ...(this.deps.extraScopes?.(provider) ?? [])])
        : this.deps.instagram.authorizeUrl(redirectUri, state, [...INSTAGRAM_SCOPES, ...(this.deps.extraScopes?.(provider) ?? [])]);
    return { url, state };
  }

  async connect(em: EntityManager, memberId: string, input: ConnectInput) {
    const cancelled = Boolean(input.error || input.errorReason);
    if (typeof input.code !== 'string' || input.code.length > MAX_CODE_LENGTH) {
      throw new AppError(ErrorCode.BAD_USER_INPUT, 'code is too long to be an authorization code.', { field: 'code' });
    }
    const code = withoutMetaFragment(input.code);
    const state = typeof input.state === 'string' ? withoutMetaFragment(input.state) : input.state;
    if (!code && !cancelled) throw new AppError(ErrorCode.BAD_USER_INPUT, 'code is empty: pass the code from the dialog redirect.', { field: 'code' });

    if (cancelled || !code) {
      await this.deps.states.consume(em, memberId, state);
      throw new AppError(ErrorCode.OAUTH_DENIED, 'The connection was cancelled in the Meta dialog, so nothing was linked. Start again and choose Allow.', {
        reason: input.errorReason ?? input.error ?? null,
      });
    }

    // The state is held, not spent, until Meta has the code: a connect that Meta rate-limits or
    // that cannot reach Meta before the exchange leaves it valid, so the same redirect can be
    // retried. Once the code went to Meta (exchanged or refused), it is spent, as before.
    const claim = await this.deps.states.claim(em, memberId, state);
    const progress = { exchanged: false };
    try {
      const linked =
        claim.provider === LoginProvider.FACEBOOK
          ? await this.connectFacebook(em, memberId, code, claim.redirectUri, progress)
          : await this.connectInstagram(em, memberId, code, claim.redirectUri, progress);
      await this.deps.states.spend(em, claim);
      return linked;
    } catch (error) {
      const beforeExchange = !progress.exchanged && (error instanceof MetaRateLimitError || error instanceof MetaTransientError);
      await (beforeExchange ? this.deps.states.release(em, claim) : this.deps.states.spend(em, claim)).catch((stateError) =>
        this.deps.logger.warn({ err: describeError(stateError) }, 'could not update the OAuth state after a failed connect'),
      );
      throw error;
    }
  }

  private async connectFacebook(em: EntityManager, memberId: string, code: string, redirectUri: string, progress: { exchanged: boolean }) {
    const { facebook } = this.deps;
    const shortLived = await rejectCodeErrors(() => facebook.exchangeCode(code, redirectUri));
    progress.exchanged = true;
    const longLived = await facebook.exchangeForLongLived(shortLived.accessToken);
    const [me, debug] = await Promise.all([facebook.me(longLived.accessToken), facebook.debugToken(longLived.accessToken)]);
    const scopes = debug.scopes ?? [];

    const pages = await facebook.pages(longLived.accessToken);
    if (scopes.includes('business_management')) {
      // Pages owned through a Business Portfolio may be missing from /me/accounts.
      try {
        pages.push(...(await facebook.businessPages(longLived.accessToken)));
      } catch (error) {
        if (!(error instanceof MetaPermissionError)) throw error;
      }
    }
    const linked = uniqueLinkedAccounts(pages);
    if (pages.length === 0) {
      throw new AppError(
        ErrorCode.NO_INSTAGRAM_ACCOUNT,
        'No Facebook Page was shared with us. Connect again and, in the Facebook dialog, select the Page your Instagram professional account is linked to.',
        { reason: 'NO_PAGES_GRANTED' },
      );
    }
    if (linked.length === 0) {
      throw new AppError(
        ErrorCode.NO_INSTAGRAM_ACCOUNT,
        `None of the Pages you shared (${pages.map((p) => p.name).join(', ')}) has an Instagram professional account linked. ` +
          'In Instagram, switch to a Business or Creator account and link it to one of these Pages, then connect again.',
        { reason: 'NO_LINKED_INSTAGRAM', pages: pages.map((p) => p.name) },
      );
    }

    const now = this.deps.clock.now();
    const grant: GrantInput = {
      provider: LoginProvider.FACEBOOK,
      metaUserId: me.id,
      token: longLived.accessToken,
      tokenIssuedAt: now,
      tokenExpiresAt: epochToDate(debug.expires_at) ?? secondsFrom(now, longLived.expiresIn),
      dataAccessExpiresAt: epochToDate(debug.data_access_expires_at),
      scopes,
    };
    const accounts = await this.deps.accounts.link(em, memberId, grant, linked);
    await this.markAccountsOutOfReach(
      em,
      memberId,
      me.id,
      debug,
      accounts.map((a) => a.id),
    );
    return accounts;
  }

  /**
   * This member's other accounts on the same Facebook user that the new grant no longer reaches
   * (the Page was left out of the dialog, or removed): ERROR with a reason naming the Page, so the
   * member learns it now rather than from a failing sync. debug_token's target_ids decide; with
   * none, the Pages this connect found do. Other members' accounts are never touched.
   */
  private async markAccountsOutOfReach(em: EntityManager, memberId: string, metaUserId: string, debug: Parameters<typeof grantReach>[0], linkedIds: string[]) {
    const reach = grantReach(debug);
    const others = await otherFacebookAccountsOfMetaUser(em, memberId, metaUserId, linkedIds);
    for (const other of others) {
      if (reach && reaches(reach, { platformUserId: other.platform_user_id, pageId: other.page_id })) continue;
      const reason = lostPageReason({ username: other.username, pageName: other.page_name });
      await this.deps.accounts.changeStatus(forkEm(em), other.id, SocialConnectionStatus.ERROR, reason);
    }
  }

  private async connectInstagram(em: EntityManager, memberId: string, code: string, redirectUri: string, progress: { exchanged: boolean }) {
    const { instagram } = this.deps;
    const shortLived = await rejectCodeErrors(() => instagram.exchangeCode(code, redirectUri));
    progress.exchanged = true;
    const longLived = await instagram.exchangeForLongLived(shortLived.accessToken);
    const raw = await instagram.me(longLived.accessToken);
    if (!accountTypeOf(raw.account_type)) {
      throw new AppError(
        ErrorCode.PERSONAL_ACCOUNT_NOT_SUPPORTED,
        `@${raw.username ?? 'this account'} is a personal Instagram account. In the Instagram app, switch it to a Business or Creator account (Settings → Account type and tools), then connect again.`,
      );
    }
    // user_id (the professional account id) is what webhooks and the Facebook host call this account.
    const platformUserId = String(raw.user_id ?? shortLived.userId);
    const now = this.deps.clock.now();
    return this.deps.accounts.link(
      em,
      memberId,
      {
        provider: LoginProvider.INSTAGRAM,
        metaUserId: platformUserId,
        // `id` is app-scoped; a deauthorize or data deletion callback may name the user by either.
        appScopedUserId: raw.id ? String(raw.id) : null,
        token: longLived.accessToken,
        tokenIssuedAt: now,
        tokenExpiresAt: secondsFrom(now, longLived.expiresIn),
        dataAccessExpiresAt: null,
        scopes: shortLived.permissions,
      },
      [{ profile: normalizeProfile(raw, platformUserId) }],
    );
  }
}

/** Meta refusing the code (used, expired, redirect mismatch) is OAUTH_CODE_REJECTED with Meta's reason. */
async function rejectCodeErrors<T>(exchange: () => Promise<T>): Promise<T> {
  try {
    return await exchange();
  } catch (error) {
    if (error instanceof MetaBadRequestError) {
      throw new AppError(ErrorCode.OAUTH_CODE_REJECTED, `Meta rejected the authorization code: ${error.message}. Start the connection again.`, {
        metaReason: error.message,
        metaSubcode: error.subcode ?? null,
      });
    }
    throw error;
  }
}

function uniqueLinkedAccounts(pages: FacebookPage[]): LinkedAccountInput[] {
  const byId = new Map<string, LinkedAccountInput>();
  for (const page of pages) {
    const ig = page.instagram;
    if (!ig?.id || byId.has(ig.id)) continue;
    byId.set(ig.id, { profile: normalizeProfile(ig, String(ig.id)), pageToken: page.accessToken, page: { id: page.id, name: page.name } });
  }
  return [...byId.values()];
}

function epochToDate(seconds: number | undefined): Date | null {
  return seconds && seconds > 0 ? new Date(seconds * 1000) : null;
}

function secondsFrom(now: Date, seconds: number | undefined): Date | null {
  return seconds && seconds > 0 ? new Date(now.getTime() + seconds * 1000) : null;
}

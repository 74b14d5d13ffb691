import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../clock';
import type { ConnectLinkConfig } from '../../config';
import { LoginProvider } from '../../domain/social-account';
import { SocialAccount } from '../../entities';
import { AppError, ErrorCode, toPublicError } from '../../errors';
import {
  completeConnectLink,
  findConnectLinkByToken,
  findUsableLinkByState,
  insertConnectLink,
  revokeConnectLink,
  startConnectLink,
  type ConnectLinkRow,
} from '../../repositories/connect-link.repository';
import type { ConnectService } from '../oauth/connect.service';
import { hashState } from '../oauth/oauth-state.service';

/** The path of a link's page; the token follows. */
export const CONNECT_LINK_PATH = '/connect';
/** Meta's redirect for every link's dialog (register it in both Meta apps' settings). */
export const CONNECT_LINK_CALLBACK_PATH = '/connect/callback';

export interface CreatedConnectLink {
  id: string;
  /** The bearer URL to send the member; shown once, stored only as a hash. */
  url: string;
  expiresAt: Date;
}

export type LinkState = 'usable' | 'expired' | 'revoked' | 'used';

/** What the callback tells the returnUrl: connected accounts, or a coded error. */
export type ConnectOutcome = { ok: true; accountIds: string[] } | { ok: false; code: string; reason: string | null; message: string };

/**
 * Connect and reconnect links: the platform's backend creates one for a member; the member opens
 * our page, goes through Meta's dialog (state bound to that member) and comes back to our
 * callback, which completes the connection and sends the browser to the link's returnUrl. A link's
 * token is 256 random bits, stored as its SHA-256; it is single-use once a connection completes,
 * expires (CONNECT_LINK_TTL_HOURS) and can be revoked.
 */
export class ConnectLinks {
  constructor(
    private readonly deps: {
      clock: Clock;
      config: ConnectLinkConfig;
      connect: ConnectService;
      publicUrl: string;
    },
  ) {}

  get callbackUri(): string {
    return `${this.deps.publicUrl}${CONNECT_LINK_CALLBACK_PATH}`;
  }

  async create(
    em: EntityManager,
    input: { memberId: string; provider?: LoginProvider | null; accountId?: string | null; returnUrl: string; createdBy: string },
  ): Promise<CreatedConnectLink> {
    const memberId = input.memberId.trim();
    if (!memberId || memberId.length > 255) throw new AppError(ErrorCode.BAD_USER_INPUT, 'memberId must be 1 to 255 characters.', { field: 'memberId' });
    this.assertReturnUrl(input.returnUrl);
    let provider = input.provider ?? null;
    if (input.accountId) {
      // A reconnect link: the member's own account, and its provider unless one was asked for.
      const account = /^[0-9a-f-]{36}$/i.test(input.accountId) ? await em.findOne(SocialAccount, { id: input.accountId, memberId }) : null;
      if (!account) throw new AppError(ErrorCode.NOT_FOUND, 'This member has no such account.', { field: 'accountId' });
      provider ??= account.provider;
    }
    const token = randomBytes(32).toString('base64url');
    const now = this.deps.clock.now();
    const expiresAt = new Date(now.getTime() + this.deps.config.ttlHours * 3600_000);
    const id = randomUUID();
    await insertConnectLink(em, {
      id,
      tokenHash: hashToken(token),
      memberId,
      provider,
      accountId: input.accountId ?? null,
      returnUrl: input.returnUrl,
      createdBy: input.createdBy,
      now,
      expiresAt,
    });
    return { id, url: `${this.deps.publicUrl}${CONNECT_LINK_PATH}/${token}`, expiresAt };
  }

  /** Revokes a link not yet completed; NOT_FOUND otherwise. Returns the member it was for. */
  async revoke(em: EntityManager, id: string): Promise<{ memberId: string }> {
    const row = /^[0-9a-f-]{36}$/i.test(id) ? await revokeConnectLink(em, id, this.deps.clock.now()) : undefined;
    if (!row) throw new AppError(ErrorCode.NOT_FOUND, 'No such connect link, or it was already used.', { field: 'id' });
    return { memberId: row.member_id };
  }

  /** The link of a token and what state it is in; undefined for a token we never issued. */
  async open(em: EntityManager, token: string): Promise<{ link: ConnectLinkRow; state: LinkState } | undefined> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
    const link = await findConnectLinkByToken(em, hashToken(token));
    return link && { link, state: this.stateOf(link) };
  }

  /** The Meta dialog for a usable link, its state bound to the link's member; undefined once the link is not usable. */
  async start(em: EntityManager, link: ConnectLinkRow, chosen: LoginProvider | undefined): Promise<string | undefined> {
    const provider = link.provider ?? chosen ?? LoginProvider.FACEBOOK;
    const { url, state } = await this.deps.connect.dialog(em, link.member_id, provider, this.callbackUri);
    const started = await startConnectLink(em, link.id, hashState(state), this.deps.clock.now());
    return started ? url : undefined;
  }

  /**
   * Meta's redirect: completes the connection for the link's member and spends the link.
   * undefined when no usable link started this state (expired, revoked, used, or not ours).
   */
  async complete(
    em: EntityManager,
    redirect: { code: string; state: string; error?: string | null; errorReason?: string | null; errorDescription?: string | null },
  ): Promise<{ link: ConnectLinkRow; outcome: ConnectOutcome } | undefined> {
    if (!redirect.state || redirect.state.length > 512) return undefined;
    const link = await findUsableLinkByState(em, hashState(redirect.state), this.deps.clock.now());
    if (!link) return undefined;
    try {
      const accounts = await this.deps.connect.connect(em, link.member_id, redirect);
      // Two redirects with one state cannot both get here (the state is single-use); this makes the link so too.
      await completeConnectLink(em, link.id, this.deps.clock.now());
      return { link, outcome: { ok: true, accountIds: accounts.map((a) => a.id) } };
    } catch (error) {
      // Meta's refusals and ours alike, as a client would see them; the link stays usable for another try.
      const pub = toPublicError(error);
      if (pub.unexpected) throw error;
      const reason = typeof pub.extensions.reason === 'string' ? pub.extensions.reason : null;
      return { link, outcome: { ok: false, code: pub.code, reason, message: pub.message } };
    }
  }

  /** The link's returnUrl with the outcome in its query string (keeping the platform's own parameters). */
  returnUrlWith(
    link: Pick<ConnectLinkRow, 'id' | 'return_url'>,
    outcome: ConnectOutcome | { ok: false; code: string; reason: string | null; message: string },
  ): string {
    const url = new URL(link.return_url);
    url.searchParams.set('connectLinkId', link.id);
    if (outcome.ok) {
      url.searchParams.set('status', 'connected');
      url.searchParams.set('accountIds', outcome.accountIds.join(','));
    } else {
      url.searchParams.set('status', 'error');
      url.searchParams.set('code', outcome.code);
      if (outcome.reason) url.searchParams.set('reason', outcome.reason);
      url.searchParams.set('message', outcome.message);
    }
    return url.toString();
  }

  stateOf(link: ConnectLinkRow): LinkState {
    if (link.completed_at) return 'used';
    if (link.revoked_at) return 'revoked';
    if (new Date(link.expires_at).getTime() <= this.deps.clock.now().getTime()) return 'expired';
    return 'usable';
  }

  /** returnUrl without its query string must be one of CONNECT_LINK_RETURN_URLS. */
  private assertReturnUrl(returnUrl: string): void {
    let bare: string | undefined;
    try {
      const url = new URL(returnUrl);
      url.search = '';
      url.hash = '';
      bare = url.protocol === 'https:' || url.protocol === 'http:' ? url.toString() : undefined;
    } catch {
      bare = undefined;
    }
    const allowed = this.deps.config.returnUrls.map((u) => new URL(u).toString());
    if (allowed.length === 0) {
      throw new AppError(ErrorCode.BAD_USER_INPUT, 'Connect links are off: set CONNECT_LINK_RETURN_URLS.', { field: 'returnUrl', reason: 'CONNECT_LINKS_OFF' });
    }
    if (!bare || !allowed.includes(bare)) {
      throw new AppError(ErrorCode.BAD_USER_INPUT, 'returnUrl is not one of CONNECT_LINK_RETURN_URLS (compared without its query string).', {
        field: 'returnUrl',
        reason: 'RETURN_URL_NOT_ALLOWED',
      });
    }
  }
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

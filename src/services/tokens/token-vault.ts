import type { EntityManager } from '@mikro-orm/postgresql';
import type { MetaGrant, SocialAccount } from '../../entities';
import { sealedGrantToken } from '../../repositories/meta-grant.repository';
import { sealedTokensOfAccount } from '../../repositories/social-account.repository';
import { TokenCipher } from './token-cipher';
import { openOrUnreadable, UnreadableStoredTokenError } from './unreadable-token';

export interface AccountTokens {
  /** Page token (Facebook flow). */
  accountToken?: string;
  /** User token: Facebook user (Facebook flow) or Instagram user (Instagram flow). */
  grantToken?: string;
}

/**
 * Where tokens are sealed and opened. Token columns are lazy, so ordinary loads never read them;
 * this is the one place that does, right before a Meta call. Each ciphertext is bound to its row
 * (AAD), so a value copied into another row does not open there.
 */
export class TokenVault {
  constructor(private readonly cipher: TokenCipher) {}

  sealGrant(grant: MetaGrant, token: string): void {
    grant.tokenEncrypted = this.sealGrantToken(grant.id, token);
  }

  /** The stored form of a grant token, for bulk writes that bypass the entity. */
  sealGrantToken(grantId: string, token: string): string {
    return this.cipher.encrypt(token, grantContext(grantId));
  }

  /** Throws UnreadableStoredTokenError (an auth failure: the account must reconnect) when the key is gone. */
  openGrantToken(grantId: string, sealed: string): string {
    return openOrUnreadable(() => this.cipher.decrypt(sealed, grantContext(grantId)));
  }

  openAccountToken(accountId: string, sealed: string): string {
    return openOrUnreadable(() => this.cipher.decrypt(sealed, accountContext(accountId)));
  }

  sealAccount(account: SocialAccount, token: string): void {
    account.tokenEncrypted = this.cipher.encrypt(token, accountContext(account.id));
  }

  async tokensFor(em: EntityManager, accountId: string): Promise<AccountTokens> {
    const row = await sealedTokensOfAccount(em, accountId);
    if (!row) return {};
    return {
      accountToken: row.account_token ? this.openAccountToken(accountId, row.account_token) : undefined,
      grantToken: row.grant_token && row.grant_id ? this.openGrantToken(row.grant_id, row.grant_token) : undefined,
    };
  }

  /** For disconnecting: tokens that cannot be read are simply absent (nothing to revoke with). */
  async readableTokensFor(em: EntityManager, accountId: string): Promise<AccountTokens> {
    try {
      return await this.tokensFor(em, accountId);
    } catch (error) {
      if (error instanceof UnreadableStoredTokenError) return {};
      throw error;
    }
  }

  async grantToken(em: EntityManager, grantId: string): Promise<string | undefined> {
    const sealed = await sealedGrantToken(em, grantId);
    return sealed ? this.openGrantToken(grantId, sealed) : undefined;
  }
}

/** The AAD each stored token is sealed with: the ciphertext opens only for the row it belongs to (key rotation reseals with the same). */
export const grantContext = (id: string) => `grant:${id}`;
export const accountContext = (id: string) => `account:${id}`;

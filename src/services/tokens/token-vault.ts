import type { EntityManager } from '@mikro-orm/postgresql';
import type { MetaGrant, SocialAccount } from '../../entities';
import { TokenCipher } from './token-cipher';

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

  openGrantToken(grantId: string, sealed: string): string {
    return this.cipher.decrypt(sealed, grantContext(grantId));
  }

  openAccountToken(accountId: string, sealed: string): string {
    return this.cipher.decrypt(sealed, accountContext(accountId));
  }

  sealAccount(account: SocialAccount, token: string): void {
    account.tokenEncrypted = this.cipher.encrypt(token, accountContext(account.id));
  }

  async tokensFor(em: EntityManager, accountId: string): Promise<AccountTokens> {
    const [row] = await em.execute<Array<{ account_token: string | null; grant_token: string | null; grant_id: string | null }>>(
      `select a.token_encrypted as account_token, g.token_encrypted as grant_token, g.id as grant_id
         from social_account a left join meta_grant g on g.id = a.grant_id where a.id = ?`,
      [accountId],
    );
    if (!row) return {};
    return {
      accountToken: row.account_token ? this.cipher.decrypt(row.account_token, accountContext(accountId)) : undefined,
      grantToken: row.grant_token && row.grant_id ? this.cipher.decrypt(row.grant_token, grantContext(row.grant_id)) : undefined,
    };
  }

  async grantToken(em: EntityManager, grantId: string): Promise<string | undefined> {
    const [row] = await em.execute<Array<{ token: string | null }>>('select token_encrypted as token from meta_grant where id = ?', [grantId]);
    return row?.token ? this.cipher.decrypt(row.token, grantContext(grantId)) : undefined;
  }
}

const grantContext = (id: string) => `grant:${id}`;
const accountContext = (id: string) => `account:${id}`;

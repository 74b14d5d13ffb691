import type { MikroORM } from '@mikro-orm/postgresql';
import { forkEm } from '../../database/transaction';
import type { Logger } from '../../logger';
import { countTokensUnderKey, swapTokens, tokensNotUnderKey, type TokenTable } from '../../repositories/stored-token.repository';
import { sealedKeyId, TokenDecryptionError, type TokenCipher } from './token-cipher';
import { accountContext, grantContext } from './token-vault';

/** The two places tokens live, and the AAD context each ciphertext is bound to (see TokenVault). */
const TABLES: ReadonlyArray<{ table: TokenTable; kind: 'grant' | 'account'; context: (id: string) => string }> = [
  { table: 'meta_grant', kind: 'grant', context: grantContext },
  { table: 'social_account', kind: 'account', context: accountContext },
];

export interface RotationCounts {
  /** Re-encrypted under the current key by this run. */
  rotated: number;
  /** Already under the current key when the run reached them (nothing to do). */
  alreadyCurrent: number;
  /** Rewritten by the service between our read and our write (a refresh, a reconnect): theirs wins. */
  changedMeanwhile: number;
  /** Could not be opened with any configured key, by the key id they name. */
  unreadable: Record<string, number>;
}

export type RotationReport = Record<'grant' | 'account', RotationCounts>;

export interface RotationOptions {
  batchSize: number;
  logger?: Logger;
  /** Called after each committed batch (progress; tests interrupt here). */
  afterBatch?: (kind: 'grant' | 'account', counts: RotationCounts) => void | Promise<void>;
}

/**
 * Re-encrypts every stored token under the current TOKEN_ENCRYPTION_KEY, in batches of
 * `batchSize` rows, each written by one compare-and-swap UPDATE (so a token the service rewrote in
 * between is left alone, and no lock is held while we decrypt). Every batch commits on its own:
 * an interrupted run loses nothing, and running it again picks up what is still under an old key.
 * Tokens no configured key opens are counted by key id and left untouched (the account reports
 * it needs reconnecting when it is next used).
 */
export async function rotateStoredTokens(orm: MikroORM, cipher: TokenCipher, options: RotationOptions): Promise<RotationReport> {
  const report = {} as RotationReport;
  for (const { table, kind, context } of TABLES) {
    const counts: RotationCounts = { rotated: 0, alreadyCurrent: 0, changedMeanwhile: 0, unreadable: {} };
    report[kind] = counts;
    const em = forkEm(orm);
    counts.alreadyCurrent = await countTokensUnderKey(em, table, cipher.currentKeyId);
    // Keyset pagination by id: unreadable rows stay behind us instead of being read again.
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows = await tokensNotUnderKey(em, table, cipher.currentKeyId, after, options.batchSize);
      if (rows.length === 0) break;
      after = rows[rows.length - 1].id;
      const updates: Array<{ id: string; previous: string; sealed: string }> = [];
      for (const row of rows) {
        try {
          updates.push({ id: row.id, previous: row.sealed, sealed: cipher.encrypt(cipher.decrypt(row.sealed, context(row.id)), context(row.id)) });
        } catch (error) {
          if (!(error instanceof TokenDecryptionError)) throw error;
          const keyId = error.keyId ?? sealedKeyId(row.sealed);
          counts.unreadable[keyId] = (counts.unreadable[keyId] ?? 0) + 1;
          options.logger?.warn({ table, id: row.id, keyId }, 'stored token cannot be opened with any configured key; left as is');
        }
      }
      if (updates.length > 0) {
        const changed = await swapTokens(em, table, updates);
        counts.rotated += changed.length;
        counts.changedMeanwhile += updates.length - changed.length;
      }
      await options.afterBatch?.(kind, counts);
    }
  }
  return report;
}

import type { EntityManager } from '@mikro-orm/postgresql';
import type { Metrics } from '../../metrics';
import { storedTokensByKey } from '../../repositories/stored-token.repository';
import type { TokenCipher } from './token-cipher';

/** Stored tokens per encryption key (and whether that key is current) for /metrics, read at scrape time. */
export async function recordStoredTokenStats(em: EntityManager, metrics: Metrics, cipher: TokenCipher): Promise<void> {
  const counts = await storedTokensByKey(em);
  metrics.storedTokens.reset();
  for (const { keyId, n } of counts) metrics.storedTokens.set({ key_id: keyId, key: cipher.keyStatus(keyId) }, n);
}

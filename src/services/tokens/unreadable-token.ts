import { MetaAuthError } from '../meta/errors';
import { TokenDecryptionError } from './token-cipher';

/**
 * A stored token we can no longer open: sealed with a key that was dropped from
 * TOKEN_ENCRYPTION_OLD_KEYS before `npm run rotate-keys` re-encrypted it (or a damaged value).
 * For the account it is exactly an unusable token, so it travels the same path as Meta's own 190:
 * the account becomes EXPIRED and its statusReason tells the member to reconnect (which stores a
 * fresh token under the current key). Never a crash, and never the key material in a message.
 */
export class UnreadableStoredTokenError extends MetaAuthError {
  constructor(readonly keyId: string | undefined) {
    super({
      message: keyId ? `stored token sealed with key ${keyId}, which is not configured or does not open it` : 'stored token is not in a known format',
      code: 190,
    });
  }

  override get reason(): string {
    return 'The stored access token can no longer be read (it was encrypted with a key that is no longer configured); reconnect the account to continue.';
  }
}

/** Runs a decryption, turning a TokenDecryptionError into the account-level UnreadableStoredTokenError. */
export function openOrUnreadable<T>(open: () => T): T {
  try {
    return open();
  } catch (error) {
    if (error instanceof TokenDecryptionError) throw new UnreadableStoredTokenError(error.keyId);
    throw error;
  }
}

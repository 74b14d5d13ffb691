import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../clock';
import { OAuthState } from '../../entities';
import { AppError, ErrorCode } from '../../errors';
import type { LoginProvider } from '../../schema/enums';

export interface ConsumedState {
  memberId: string;
  provider: LoginProvider;
  redirectUri: string;
}

/**
 * The OAuth `state`: 256 random bits, handed to the dialog and stored only as a hash, bound to
 * the member, the provider and the redirect URI, valid 10 minutes, usable once.
 */
export class OAuthStateService {
  constructor(
    private readonly clock: Clock,
    private readonly ttlSeconds: number,
    /** OAUTH_MAX_PENDING_STATES: a member's pending states kept; issuing one more deletes the oldest. */
    private readonly maxPending = Number.POSITIVE_INFINITY,
    private readonly onEvicted: (count: number) => void = () => undefined,
  ) {}

  async issue(em: EntityManager, memberId: string, provider: LoginProvider, redirectUri: string): Promise<string> {
    const state = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    em.create(OAuthState, {
      stateHash: hashState(state),
      memberId,
      provider,
      redirectUri,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.ttlSeconds * 1000),
    });
    await em.flush();
    if (Number.isFinite(this.maxPending)) await this.evictOldest(em, memberId, now);
    return state;
  }

  /**
   * One UPDATE ... WHERE unused AND unexpired AND ours RETURNING: of two concurrent calls with one
   * state exactly one gets the row. Another member's state is not burnt by a wrong caller.
   */
  async consume(em: EntityManager, memberId: string, state: string): Promise<ConsumedState> {
    if (!state || state.length > 512) throw invalidState();
    const rows = await em.execute<Array<{ provider: LoginProvider; redirect_uri: string; member_id: string }>>(
      `update "oauth_state" set "used_at" = ? where "state_hash" = ? and "member_id" = ? and "used_at" is null and "expires_at" > ?
       returning "provider", "redirect_uri", "member_id"`,
      [this.clock.now(), hashState(state), memberId, this.clock.now()],
    );
    if (rows.length !== 1) throw invalidState();
    return { memberId: rows[0].member_id, provider: rows[0].provider, redirectUri: rows[0].redirect_uri };
  }

  /**
   * A member who keeps asking for sign-in links cannot grow the table: past `maxPending` pending
   * (unused, unexpired) states, the oldest are deleted; their links answer INVALID_OAUTH_STATE.
   */
  private async evictOldest(em: EntityManager, memberId: string, now: Date): Promise<void> {
    const evicted = await em.execute<Array<{ id: string }>>(
      `delete from "oauth_state" where "id" in (
         select "id" from "oauth_state" where "member_id" = ? and "used_at" is null and "expires_at" > ?
         order by "created_at" desc, "id" desc offset ?)
       returning "id"`,
      [memberId, now, this.maxPending],
    );
    if (evicted.length > 0) this.onEvicted(evicted.length);
  }

  /** Housekeeping: states are useless an hour after expiry. */
  async purgeExpired(em: EntityManager): Promise<number> {
    return em.nativeDelete(OAuthState, { expiresAt: { $lt: new Date(this.clock.now().getTime() - 3600_000) } });
  }
}

function hashState(state: string): string {
  return createHash('sha256').update(state).digest('hex');
}

function invalidState(): AppError {
  return new AppError(
    ErrorCode.INVALID_OAUTH_STATE,
    'This sign-in link is invalid, expired (10 minutes) or already used. Start the connection again.',
  );
}

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { forkEm } from '../../database/transaction';
import type { Clock } from '../../clock';
import { OAuthState } from '../../entities';
import { AppError, ErrorCode } from '../../errors';
import { claimState, consumeState, evictPendingBeyond, releaseClaim, spendClaim } from '../../repositories/oauth-state.repository';
import type { LoginProvider } from '../../domain/social-account';

export interface ConsumedState {
  memberId: string;
  provider: LoginProvider;
  redirectUri: string;
}

/** A state held by one connect while it exchanges the code: spend it, or give it back. */
export interface ClaimedState extends ConsumedState {
  claimId: string;
}

/**
 * How long one connect may hold a state before another request may take it again: longer than a
 * connect takes with Meta at its slowest (timeouts × retries), and bounded by the state's expiry.
 * Only matters when a process dies mid-connect.
 */
const CLAIM_SECONDS = 120;

/**
 * The OAuth `state`: 256 random bits, handed to the dialog and stored only as a hash, bound to
 * the member, the provider and the redirect URI, valid 10 minutes, usable once (a connect that
 * failed before Meta exchanged the code does not use it up: see `claim`).
 */
export class OAuthStateService {
  constructor(
    private readonly clock: Clock,
    private readonly ttlSeconds: number,
    /** OAUTH_MAX_PENDING_STATES: a member's pending states kept; issuing one more deletes the oldest. */
    private readonly maxPending = Number.POSITIVE_INFINITY,
    private readonly onEvicted: (count: number) => void = () => undefined,
  ) {}

  async issue(requestEm: EntityManager, memberId: string, provider: LoginProvider, redirectUri: string): Promise<string> {
    // A fork of its own: oauthUrl is a query field, resolved beside others of the same operation
    // on the request's EntityManager, and a flush there opens a transaction that a sibling's query
    // (statusHistory) joined and then found "already complete" (test/executor-differential.test.ts).
    const em = forkEm(requestEm);
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
    const row = await consumeState(em, hashState(state), memberId, this.clock.now());
    if (!row) throw invalidState();
    return { memberId: row.member_id, provider: row.provider, redirectUri: row.redirect_uri };
  }

  /**
   * Takes the state for one connect without spending it: one UPDATE ... RETURNING sets a claim
   * only when the state is unused, unexpired, ours and not held by another request, so of two
   * concurrent replays exactly one proceeds to the code exchange. The claim is then either spent
   * (`spend`: the code went to Meta) or handed back (`release`: we never got to exchange it, e.g.
   * Meta rate-limited or unreachable), which leaves the state valid until its normal expiry.
   */
  async claim(em: EntityManager, memberId: string, state: string): Promise<ClaimedState> {
    if (!state || state.length > 512) throw invalidState();
    const now = this.clock.now();
    const claimId = randomUUID();
    const row = await claimState(em, { claimId, claimedUntil: new Date(now.getTime() + CLAIM_SECONDS * 1000), stateHash: hashState(state), memberId, now });
    if (!row) throw invalidState();
    return { claimId, memberId: row.member_id, provider: row.provider, redirectUri: row.redirect_uri };
  }

  /** The code was exchanged (or refused) by Meta: the state is used, as after any finished connect. */
  async spend(em: EntityManager, claim: ClaimedState): Promise<void> {
    await spendClaim(em, claim.claimId, this.clock.now());
  }

  /** The code never reached Meta's exchange: the state stays valid for a retry of the same redirect. */
  async release(em: EntityManager, claim: ClaimedState): Promise<void> {
    await releaseClaim(em, claim.claimId);
  }

  /**
   * A member who keeps asking for sign-in links cannot grow the table: past `maxPending` pending
   * (unused, unexpired) states, the oldest are deleted; their links answer INVALID_OAUTH_STATE.
   */
  private async evictOldest(em: EntityManager, memberId: string, now: Date): Promise<void> {
    const evicted = await evictPendingBeyond(em, memberId, now, this.maxPending);
    if (evicted > 0) this.onEvicted(evicted);
  }
}

function hashState(state: string): string {
  return createHash('sha256').update(state).digest('hex');
}

function invalidState(): AppError {
  return new AppError(ErrorCode.INVALID_OAUTH_STATE, 'This sign-in link is invalid, expired (10 minutes) or already used. Start the connection again.');
}

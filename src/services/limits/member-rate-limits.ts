import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { LimitsConfig } from '../../config';
import { AppError, ErrorCode } from '../../errors';
import type { LimitName, LimitRefusals } from './refusals';

/** The separate budgets a member spends; one request may spend several. */
export interface MemberCosts {
  /** Every GraphQL operation, REST call and WebSocket subscribe: 1. */
  operations?: number;
  /** oauthUrl fields (each inserts a state row). */
  oauthUrls?: number;
  /** Fields that call Meta: syncSocialAccount, connectInstagram. */
  metaMutations?: number;
}

type Budget = keyof MemberCosts;

const LIMIT_NAMES: Record<Budget, LimitName> = {
  operations: 'member_operations',
  oauthUrls: 'member_oauth_urls',
  metaMutations: 'member_meta_mutations',
};

/** Created by Migration20261201140000; the library must not create tables at runtime. */
export const MEMBER_RATE_LIMIT_TABLE = 'member_rate_limit';

/**
 * Per-member budgets, one fixed window each, counted in PostgreSQL (rate-limiter-flexible's
 * RateLimiterPostgres: one upsert per budget spent), so every instance sees the same counts and
 * a member cannot multiply their budget by spreading requests over instances. If PostgreSQL does
 * not answer, each instance falls back to counting in memory (the library's insurance limiter)
 * rather than refusing everyone or letting everyone through.
 */
export class MemberRateLimits {
  private readonly limiters = new Map<Budget, RateLimiterPostgres>();

  constructor(
    pool: Pool,
    private readonly config: LimitsConfig['member'],
    private readonly refusals: LimitRefusals,
  ) {
    const budgets: Array<[Budget, string, number]> = [
      ['operations', 'ops', config.operations],
      ['oauthUrls', 'oauth', config.oauthUrls],
      ['metaMutations', 'meta', config.metaMutations],
    ];
    for (const [budget, keyPrefix, points] of budgets) {
      if (points <= 0) continue; // 0 turns this budget off
      this.limiters.set(
        budget,
        new RateLimiterPostgres({
          storeClient: pool,
          storeType: 'pool',
          tableName: MEMBER_RATE_LIMIT_TABLE,
          tableCreated: true,
          // Expired rows are deleted by the housekeeping job, in bounded batches.
          clearExpiredByTimeout: false,
          keyPrefix,
          points,
          duration: config.windowSeconds,
          insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration: config.windowSeconds }),
        }),
      );
    }
  }

  /**
   * Spends the costs from the member's budgets; throws RATE_LIMITED (scope "member",
   * retryAfterSeconds) when any of them is over. Spent points are not refunded on a refusal,
   * so hammering a closed budget does not open it sooner than the window ends.
   */
  async consume(memberId: string, costs: MemberCosts): Promise<void> {
    const key = memberId.length > 200 ? createHash('sha256').update(memberId).digest('hex') : memberId;
    const spent = (Object.entries(costs) as Array<[Budget, number | undefined]>).filter(([budget, cost]) => cost && this.limiters.has(budget));
    if (spent.length === 0) return;
    const outcomes = await Promise.allSettled(spent.map(([budget, cost]) => this.limiters.get(budget)!.consume(key, cost)));
    let refused: { budget: Budget; retryAfterSeconds: number } | undefined;
    outcomes.forEach((outcome, i) => {
      if (outcome.status === 'fulfilled') return;
      if (!(outcome.reason instanceof RateLimiterRes)) throw outcome.reason;
      const retryAfterSeconds = Math.max(1, Math.ceil(outcome.reason.msBeforeNext / 1000));
      if (!refused || retryAfterSeconds > refused.retryAfterSeconds) refused = { budget: spent[i][0], retryAfterSeconds };
    });
    if (!refused) return;
    this.refusals.refused(LIMIT_NAMES[refused.budget], memberId, { retryAfterSeconds: refused.retryAfterSeconds });
    throw memberRateLimited(refused.budget, refused.retryAfterSeconds, this.config);
  }
}

function memberRateLimited(budget: Budget, retryAfterSeconds: number, config: LimitsConfig['member']): AppError {
  const what = {
    operations: `more than ${config.operations} requests`,
    oauthUrls: `more than ${config.oauthUrls} sign-in links`,
    metaMutations: `more than ${config.metaMutations} syncs or connections`,
  }[budget];
  return new AppError(ErrorCode.RATE_LIMITED, `You sent ${what} in ${config.windowSeconds} seconds; try again in ${retryAfterSeconds} seconds.`, {
    retryAfterSeconds,
    scope: 'member',
    budget,
  });
}

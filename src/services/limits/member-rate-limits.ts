import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { LimitsConfig } from '../../config';
import { AppError, ErrorCode } from '../../errors';
import type { BudgetKey } from '../auth/principal';
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

/**
 * The share of the operations budget each instance counts in memory before it counts in
 * PostgreSQL. A database write per request cost a read more than the read itself spends in the
 * ORM (~0.2 ms of Node CPU plus the upsert in PostgreSQL, against ~1.4 ms per read request), while
 * members far from their budget, nearly all of them, need no shared count to be served. Past
 * this share, every request of the member is counted in PostgreSQL (the local ones included).
 */
const LOCAL_SHARE_OF_OPERATIONS = 0.1;

/** Created by Migration20261201140000; the library must not create tables at runtime. */
const MEMBER_RATE_LIMIT_TABLE = 'member_rate_limit';

/**
 * Per-member budgets, one fixed window each, counted in PostgreSQL (rate-limiter-flexible's
 * RateLimiterPostgres: one upsert per budget spent), so every instance sees the same counts and
 * a member cannot multiply their budget by spreading requests over instances. If PostgreSQL does
 * not answer, each instance falls back to counting in memory (the library's insurance limiter)
 * rather than refusing everyone or letting everyone through.
 */
export class MemberRateLimits {
  private readonly limiters = new Map<Budget, RateLimiterPostgres>();
  /** The same budgets for service callers, under their own key prefixes: a service never spends a member's counts. */
  private readonly serviceLimiters = new Map<Budget, RateLimiterPostgres>();
  /** Counts the first LOCAL_SHARE_OF_OPERATIONS of a member's operations on this instance alone. */
  private readonly localOperations?: RateLimiterMemory;

  constructor(
    pool: Pool,
    private readonly config: LimitsConfig['member'],
    private readonly refusals: LimitRefusals,
    /** SERVICE_RATE_LIMIT_OPERATIONS (0: off); a service's oauth and Meta budgets are a member's. */
    private readonly serviceOperations = 0,
  ) {
    const budgets: Array<[Budget, string, number, Map<Budget, RateLimiterPostgres>]> = [
      ['operations', 'ops', config.operations, this.limiters],
      ['oauthUrls', 'oauth', config.oauthUrls, this.limiters],
      ['metaMutations', 'meta', config.metaMutations, this.limiters],
      ['operations', 'svc-ops', serviceOperations, this.serviceLimiters],
      ['oauthUrls', 'svc-oauth', config.oauthUrls, this.serviceLimiters],
      ['metaMutations', 'svc-meta', config.metaMutations, this.serviceLimiters],
    ];
    for (const [budget, keyPrefix, points, limiters] of budgets) {
      if (points <= 0) continue; // 0 turns this budget off
      limiters.set(
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
    const localShare = Math.floor(config.operations * LOCAL_SHARE_OF_OPERATIONS);
    if (this.limiters.has('operations') && localShare > 0) {
      this.localOperations = new RateLimiterMemory({ keyPrefix: 'ops-local', points: localShare, duration: config.windowSeconds });
    }
  }

  /**
   * Spends the costs from the member's budgets; throws RATE_LIMITED (scope "member",
   * retryAfterSeconds) when any of them is over. Spent points are not refunded on a refusal,
   * so hammering a closed budget does not open it sooner than the window ends.
   */
  private sharedOperationsCost(key: string, cost: number): Promise<number> {
    return sharedOperationsCostOf(this.localOperations!, key, cost);
  }

  /** A member id (string) or a BudgetKey: a service's key spends the service limiters only. */
  async consume(caller: string | BudgetKey, costs: MemberCosts): Promise<void> {
    const { kind, id } = typeof caller === 'string' ? { kind: 'member' as const, id: caller } : caller;
    const limiters = kind === 'service' ? this.serviceLimiters : this.limiters;
    const memberId = kind === 'service' ? callerLabel({ kind, id }) : id;
    const key = id.length > 200 ? createHash('sha256').update(id).digest('hex') : id;
    const spent = (Object.entries(costs) as Array<[Budget, number | undefined]>).filter(([budget, cost]) => cost && limiters.has(budget));
    if (spent.length === 0) return;
    const operations = spent.find(([budget]) => budget === 'operations');
    if (operations && this.localOperations && kind === 'member') {
      const shared = await this.sharedOperationsCost(key, operations[1]!);
      if (shared === 0) spent.splice(spent.indexOf(operations), 1);
      else operations[1] = shared;
      if (spent.length === 0) return;
    }
    const outcomes = await Promise.allSettled(spent.map(([budget, cost]) => limiters.get(budget)!.consume(key, cost)));
    let refused: { budget: Budget; retryAfterSeconds: number } | undefined;
    outcomes.forEach((outcome, i) => {
      if (outcome.status === 'fulfilled') return;
      if (!(outcome.reason instanceof RateLimiterRes)) throw outcome.reason;
      const retryAfterSeconds = Math.max(1, Math.ceil(outcome.reason.msBeforeNext / 1000));
      if (!refused || retryAfterSeconds > refused.retryAfterSeconds) refused = { budget: spent[i][0], retryAfterSeconds };
    });
    if (!refused) return;
    this.refusals.refused(LIMIT_NAMES[refused.budget], memberId, { retryAfterSeconds: refused.retryAfterSeconds });
    throw memberRateLimited(
      refused.budget,
      refused.retryAfterSeconds,
      kind === 'service' ? { ...this.config, operations: this.serviceOperations } : this.config,
      kind,
    );
  }
}

/** How a caller appears in refusal logs and labels: the member id, or `service:<id>`. */
export function callerLabel(key: BudgetKey): string {
  return key.kind === 'member' ? key.id : `service:${key.id}`;
}

/**
 * 0 while the member is within this instance's local share; once past it, what to add to the
 * shared count: everything counted locally so far the first time, then each request's cost.
 */
async function sharedOperationsCostOf(local: RateLimiterMemory, key: string, cost: number): Promise<number> {
  try {
    await local.consume(key, cost);
    return 0;
  } catch (outcome) {
    if (!(outcome instanceof RateLimiterRes)) throw outcome;
    const before = outcome.consumedPoints - cost;
    return before <= local.points ? outcome.consumedPoints : cost;
  }
}

function memberRateLimited(budget: Budget, retryAfterSeconds: number, config: LimitsConfig['member'], scope: 'member' | 'service'): AppError {
  const what = {
    operations: `more than ${config.operations} requests`,
    oauthUrls: `more than ${config.oauthUrls} sign-in links`,
    metaMutations: `more than ${config.metaMutations} syncs or connections`,
  }[budget];
  return new AppError(ErrorCode.RATE_LIMITED, `You sent ${what} in ${config.windowSeconds} seconds; try again in ${retryAfterSeconds} seconds.`, {
    retryAfterSeconds,
    scope,
    budget,
  });
}

import type { DueAccount } from '../../repositories/due-account.repository';
import { MetaAuthError, MetaError, MetaPermissionError, MetaTransientError } from '../meta/errors';
import { IG_PROFILE_FIELDS, normalizeProfile, type RawInstagramProfile } from '../../domain/instagram-profile';
import type { GrantVerdict } from './facebook-grant-verdict';
import type { Decision } from './decisions';
import type { FlowContext } from './flow-context';

/** Graph API batch requests take at most 50 requests per call. */
const GRAPH_BATCH_LIMIT = 50;

/**
 * Phase 4 of a Facebook grant: the profiles of its live accounts that are due. Up to 50 per Graph
 * batch call with the user token while it lives; after it ran out, each with its own Page token
 * (the token a member's sync uses too).
 */
export async function syncGrantProfiles(
  ctx: FlowContext,
  live: DueAccount[],
  decisions: Map<string, Decision>,
  verdict: GrantVerdict,
  now: Date,
): Promise<void> {
  const { outcomes } = ctx;
  const toSync = live.filter((a) => outcomes.syncDue(a, now));
  const userTokenLives = !verdict.expiresAt || verdict.expiresAt > now;
  if (!userTokenLives) {
    for (const account of toSync) {
      const decision = decisions.get(account.id)!;
      try {
        const raw = await ctx.facebook.instagramProfile(account.platformUserId, ctx.vault.openAccountToken(account.id, account.accountTokenSealed!));
        outcomes.succeeded(decision, account, normalizeProfile(raw, account.platformUserId));
      } catch (error) {
        if (!(error instanceof MetaError)) throw error;
        decisions.set(account.id, outcomes.failed(decision, account, error, now));
      }
    }
    return;
  }
  for (let i = 0; i < toSync.length; i += GRAPH_BATCH_LIMIT) {
    const chunk = toSync.slice(i, i + GRAPH_BATCH_LIMIT);
    let results: unknown[]; // a parsed body or an Error, per account
    try {
      results = await ctx.facebook.batch(
        verdict.userToken,
        chunk.map((a) => `${encodeURIComponent(a.platformUserId)}?fields=${IG_PROFILE_FIELDS.join(',')}`),
      );
    } catch (error) {
      if (!(error instanceof MetaError)) throw error;
      if (error instanceof MetaAuthError || error instanceof MetaPermissionError) {
        for (const a of chunk) decisions.get(a.id)!.change = { metaError: error };
      } else for (const a of chunk) decisions.set(a.id, outcomes.failed(decisions.get(a.id)!, a, error, now));
      continue;
    }
    chunk.forEach((account, index) => {
      const result = results[index];
      const decision = decisions.get(account.id)!;
      if (result instanceof MetaAuthError || result instanceof MetaPermissionError) decision.change = { metaError: result };
      else if (result instanceof MetaError) decisions.set(account.id, outcomes.failed(decision, account, result, now));
      else if (result instanceof Error) decisions.set(account.id, outcomes.failed(decision, account, new MetaTransientError({ message: result.message }), now));
      else outcomes.succeeded(decision, account, normalizeProfile(result as RawInstagramProfile, account.platformUserId));
    });
  }
}

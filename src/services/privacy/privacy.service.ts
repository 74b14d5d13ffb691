import { describeError } from '../../describe-error';
import { createHash } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Clock } from '../../clock';
import { forkEm, inTransaction } from '../../database/transaction';
import { LoginProvider } from '../../domain/social-account';
import { MemberErasure } from '../../entities';
import type { Logger } from '../../logger';
import { lockMetaUser } from '../../repositories/meta-grant.repository';
import { countOtherMembersRelyingOnMetaUser, lockAccountsOfMember, lockGrantsOfMember } from '../../repositories/privacy.repository';
import { canRevoke } from '../accounts/shared-meta-user';
import { MetaError } from '../meta/errors';
import type { FacebookClient } from '../meta/facebook-client';
import type { TokenVault } from '../tokens/token-vault';
import { UnreadableStoredTokenError } from '../tokens/unreadable-token';
import { eraseData } from './erase-data';

/** What a member erasure removed (all zero when there was nothing left: it is idempotent). */
export interface MemberErasureCounts {
  accounts: number;
  grants: number;
  /** Meta grants revoked at Meta (only those no other member relies on). */
  grantsRevoked: number;
  statusEvents: number;
  webhookEvents: number;
  webhookDeliveries: number;
  oauthStates: number;
  rateLimitWindows: number;
  rateLimitPauses: number;
  eventSequences: number;
}

/** The only trace of a member id an erasure keeps: enough to answer "was X erased?", not to read X back. */
export function memberHash(memberId: string): string {
  return createHash('sha256').update(memberId, 'utf8').digest('hex');
}

/**
 * The platform's erasure duty when a member leaves: every account, token, status event, webhook
 * event (pending ones too), OAuth state, rate-limit window and event sequence of the member goes,
 * through the same inventory-driven routine as Meta's data deletion (erase-data.ts). A Meta grant
 * is revoked at Meta only when no other member relies on that Meta user, the rule disconnect
 * follows (docs/api.md, "the revoke rule"); the revoke runs after the commit, and a failed one is
 * logged, never fatal (the member's tokens are gone either way). No status event is written: the
 * member's history is what is being erased.
 *
 * Callers: `npm run members -- erase <memberId>` (src/cli/members.ts); a backend-facing
 * transport with its own credential can call eraseMember the same way.
 */
export class PrivacyService {
  constructor(private readonly deps: { orm: MikroORM; clock: Clock; logger: Logger; vault: TokenVault; facebook: FacebookClient; onErased?: () => void }) {}

  async eraseMember(memberId: string): Promise<MemberErasureCounts> {
    if (typeof memberId !== 'string' || memberId.length === 0 || memberId.length > 255) throw new Error('a member id is 1-255 characters');
    const revokes: Array<{ metaUserId: string; token: string }> = [];
    const counts = await inTransaction(this.deps.orm, async (tx) => {
      // Accounts before grants, the order disconnect and the Meta callbacks take them in.
      const accountIds = await lockAccountsOfMember(tx, memberId);
      const grants = await lockGrantsOfMember(tx, memberId);
      for (const grant of grants) {
        const provider = grant.provider as LoginProvider;
        if (!canRevoke(provider)) continue;
        // Before the count: erasures and disconnects on one Meta user decide in turn.
        await lockMetaUser(tx, provider, grant.meta_user_id);
        if ((await countOtherMembersRelyingOnMetaUser(tx, provider, grant.meta_user_id, memberId)) > 0) continue;
        const token = await this.readableGrantToken(tx, grant.id);
        if (token) revokes.push({ metaUserId: grant.meta_user_id, token });
      }
      const erased = await eraseData(tx, { kind: 'memberErasure', memberId, accountIds, grantIds: grants.map((g) => g.id) });
      const d = erased.deleted;
      const result: MemberErasureCounts = {
        accounts: erased.accountIds.length,
        grants: erased.grantIds.length,
        grantsRevoked: 0,
        statusEvents: d.connection_event ?? 0,
        webhookEvents: d.webhook_event ?? 0,
        webhookDeliveries: d.webhook_delivery ?? 0,
        oauthStates: d.oauth_state ?? 0,
        rateLimitWindows: d.member_rate_limit ?? 0,
        rateLimitPauses: d.meta_rate_limit_pause ?? 0,
        eventSequences: d.member_event_seq ?? 0,
      };
      return result;
    });
    for (const revoke of revokes) {
      try {
        await this.deps.facebook.revokePermissions(revoke.metaUserId, revoke.token);
        counts.grantsRevoked++;
      } catch (error) {
        const meta = error instanceof MetaError ? { code: error.code, subcode: error.subcode, kind: error.kind } : {};
        this.deps.logger.warn({ ...meta, err: describeError(error) }, 'revoking a Facebook grant during a member erasure failed; its token is deleted anyway');
      }
    }
    const removed = Object.values(counts).some((n) => n > 0);
    if (removed) {
      const em = forkEm(this.deps.orm);
      em.create(MemberErasure, {
        memberHash: memberHash(memberId),
        erasedAt: this.deps.clock.now(),
        accountsDeleted: counts.accounts,
        grantsDeleted: counts.grants,
        grantsRevoked: counts.grantsRevoked,
        eventsDeleted: counts.statusEvents,
        webhookEventsDeleted: counts.webhookEvents,
        otherRowsDeleted: counts.webhookDeliveries + counts.oauthStates + counts.rateLimitWindows + counts.rateLimitPauses + counts.eventSequences,
      });
      await em.flush();
    }
    this.deps.logger.info({ memberHash: memberHash(memberId), ...counts }, removed ? 'member erased' : 'member erasure: nothing left to erase');
    return counts;
  }

  private async readableGrantToken(tx: Parameters<TokenVault['grantToken']>[0], grantId: string): Promise<string | undefined> {
    try {
      return await this.deps.vault.grantToken(tx, grantId);
    } catch (error) {
      if (error instanceof UnreadableStoredTokenError) return undefined; // nothing to revoke with
      throw error;
    }
  }
}

import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../context';
import { SocialAccount } from '../entities/social-account.entity';
import { ConnectionStatusChange } from '../schema/connection-status-change';
import { SocialConnectionStatus } from '../domain/social-account';
import type { AccountSnapshot } from '../services/accounts/account-snapshots';

@Resolver(() => SocialAccount)
export class SocialAccountResolver {
  @Query(() => [SocialAccount], { description: "The caller's accounts, newest first. Without statuses: all but DISCONNECTED." })
  socialAccounts(
    @Arg('statuses', () => [SocialConnectionStatus], { nullable: true }) statuses: SocialConnectionStatus[] | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AccountSnapshot[]> {
    return ctx.services.accounts.list(ctx.em, ctx.member().memberId, statuses);
  }

  @Query(() => SocialAccount, { nullable: true, description: "Null when missing or not the caller's." })
  socialAccount(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<SocialAccount | null> {
    return ctx.services.accounts.find(ctx.em, ctx.member().memberId, id);
  }

  @Mutation(() => SocialAccount, { description: 'Fetches fresh profile figures from Instagram and reprices the account.' })
  syncSocialAccount(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<SocialAccount> {
    // Coalesced: one Meta round trip per account for aliases, concurrent calls and other instances.
    return ctx.services.syncCoalescer.sync(ctx.em, ctx.member().memberId, id, ctx);
  }

  @Mutation(() => SocialAccount, { description: 'Idempotent: deletes the stored tokens and marks the account DISCONNECTED.' })
  disconnectSocialAccount(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<SocialAccount> {
    return ctx.services.accounts.disconnect(ctx.em, ctx.member().memberId, id);
  }

  @FieldResolver(() => [ConnectionStatusChange], { description: "The account's status changes, newest first (kept STATUS_EVENT_RETENTION_DAYS)." })
  statusHistory(
    @Root() account: AccountSnapshot,
    @Arg('first', () => Int, { defaultValue: 20, description: '1 to 100.' }) first: number,
    @Arg('after', () => String, { nullable: true, description: 'The cursor of the last change of the previous page: continues with older ones.' })
    after: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ConnectionStatusChange[]> {
    return ctx.services.events.history(ctx.em, ctx.member().memberId, account, first, after);
  }
}

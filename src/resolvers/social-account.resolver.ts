import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../context';
import { SocialConnectionStatus } from '../domain/social-account';
import { SocialAccount } from '../entities/social-account.entity';
import { ConnectionStatusChange } from '../schema/connection-status-change';
import type { AccountSnapshot } from '../entities/account-snapshot';
import type { AuthenticatedMember } from '../services/auth/jwt-verifier';
import { CurrentMember } from './decorators/current-member';
import { StatusHistoryArgs } from './types/status-history-args';

@Resolver(() => SocialAccount)
export class SocialAccountResolver {
  @Query(() => [SocialAccount], { description: "The caller's accounts, newest first. Without statuses: all but DISCONNECTED." })
  socialAccounts(
    @Arg('statuses', () => [SocialConnectionStatus], { nullable: true }) statuses: SocialConnectionStatus[] | null,
    @CurrentMember() member: AuthenticatedMember,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AccountSnapshot[]> {
    return ctx.services.accounts.list(ctx.em, member.memberId, statuses);
  }

  @Query(() => SocialAccount, { nullable: true, description: "Null when missing or not the caller's." })
  socialAccount(@Arg('id', () => ID) id: string, @CurrentMember() member: AuthenticatedMember, @Ctx() ctx: GraphQLContext): Promise<SocialAccount | null> {
    return ctx.services.accounts.find(ctx.em, member.memberId, id);
  }

  @Mutation(() => SocialAccount, { description: 'Fetches fresh profile figures from Instagram and reprices the account.' })
  syncSocialAccount(@Arg('id', () => ID) id: string, @CurrentMember() member: AuthenticatedMember, @Ctx() ctx: GraphQLContext): Promise<SocialAccount> {
    // Coalesced: one Meta round trip per account for aliases, concurrent calls and other instances.
    return ctx.services.syncCoalescer.sync(ctx.em, member.memberId, id, ctx);
  }

  @Mutation(() => SocialAccount, { description: 'Idempotent: deletes the stored tokens and marks the account DISCONNECTED.' })
  disconnectSocialAccount(@Arg('id', () => ID) id: string, @CurrentMember() member: AuthenticatedMember, @Ctx() ctx: GraphQLContext): Promise<SocialAccount> {
    return ctx.services.accounts.disconnect(ctx.em, member.memberId, id);
  }

  @FieldResolver(() => [ConnectionStatusChange], { description: "The account's status changes, newest first (kept STATUS_EVENT_RETENTION_DAYS)." })
  statusHistory(
    @Root() account: AccountSnapshot,
    @Args(() => StatusHistoryArgs) { first, after }: StatusHistoryArgs,
    @CurrentMember() member: AuthenticatedMember,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ConnectionStatusChange[]> {
    return ctx.services.events.history(ctx.em, member.memberId, account, first, after);
  }
}

import { Arg, Ctx, ID, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import type { GraphQLContext } from '../context';
import { ConnectionStatusChange } from '../schema/connection-status-change';
import type { StatusChangeNotice } from '../services/events/topics';

@Resolver(() => ConnectionStatusChange)
export class ConnectionStatusResolver {
  @Subscription(() => ConnectionStatusChange, {
    description: "Status changes of all the caller's accounts, or of one (accountId).",
    subscribe: async ({ args, context }: SubscribeResolverData<unknown, { accountId?: string | null }, GraphQLContext>) => {
      const { memberId } = context.member();
      const accountId = args.accountId ?? undefined;
      // Another member's account is NOT_FOUND, exactly like a missing one.
      if (accountId) await context.services.accounts.get(context.em, memberId, accountId);
      return context.services.events.subscribe(memberId, accountId);
    },
  })
  connectionStatusChanged(
    @Root() notice: StatusChangeNotice,
    @Arg('accountId', () => ID, { nullable: true }) _accountId: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ConnectionStatusChange> {
    return ctx.services.statusChanges.load(notice);
  }
}

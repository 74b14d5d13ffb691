import { Arg, Ctx, ID, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import type { GraphQLContext } from '../context';
import { ConnectionStatusChange, type StatusEvent } from '../schema/connection-status-change';

@Resolver(() => ConnectionStatusChange)
export class ConnectionStatusResolver {
  @Subscription(() => ConnectionStatusChange, {
    description:
      "Status changes of all the caller's accounts, or of one (accountId). With after (a cursor from an earlier change), first every change committed after it, in commit order, then live ones: nothing missed, nothing twice. CURSOR_EXPIRED when the cursor is older than the retention: reload, then subscribe without it.",
    subscribe: async ({ args, context }: SubscribeResolverData<unknown, { accountId?: string | null; after?: string | null }, GraphQLContext>) => {
      const { memberId } = context.member();
      const accountId = args.accountId ?? undefined;
      // Another member's account is NOT_FOUND, exactly like a missing one.
      if (accountId) await context.services.accounts.get(context.em, memberId, accountId);
      return context.services.events.subscribe(memberId, { accountId, after: args.after });
    },
  })
  connectionStatusChanged(
    @Root() event: StatusEvent,
    @Arg('accountId', () => ID, { nullable: true }) _accountId: string | null,
    @Arg('after', () => String, { nullable: true, description: 'A cursor from an earlier ConnectionStatusChange.' }) _after: string | null,
  ): ConnectionStatusChange {
    // Read once per member and event by the instance's feed (member-feeds.ts), with the account.
    return event;
  }
}

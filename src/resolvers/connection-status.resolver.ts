import { Args, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import type { GraphQLContext } from '../context';
import type { StatusEvent } from '../entities/status-event';
import { ConnectionStatusChange } from '../schema/connection-status-change';
import { ConnectionStatusChangedArgs } from './types/connection-status-changed-args';

@Resolver(() => ConnectionStatusChange)
export class ConnectionStatusResolver {
  @Subscription(() => ConnectionStatusChange, {
    description:
      "Status changes of all the caller's accounts, or of one (accountId). With after (a cursor from an earlier change), first every change committed after it, in commit order, then live ones: nothing missed, nothing twice. CURSOR_EXPIRED when the cursor is older than the retention: reload, then subscribe without it.",
    // type-graphql hands `subscribe` the raw resolver data, not decorated parameters, so the
    // member comes from the context here (verified once, at connection_init).
    subscribe: async ({ args, context }: SubscribeResolverData<unknown, ConnectionStatusChangedArgs, GraphQLContext>) => {
      const { memberId } = context.member();
      const accountId = args.accountId ?? undefined;
      // Another member's account is NOT_FOUND, exactly like a missing one.
      if (accountId) await context.services.accounts.get(context.em, memberId, accountId);
      return context.services.events.subscribe(memberId, { accountId, after: args.after });
    },
  })
  connectionStatusChanged(@Root() event: StatusEvent, @Args(() => ConnectionStatusChangedArgs) _filter: ConnectionStatusChangedArgs): ConnectionStatusChange {
    // Read once per member and event by the instance's feed (member-feeds.ts), with the account.
    return event;
  }
}

import { Field, ObjectType } from 'type-graphql';
import { SocialAccount } from '../entities/social-account.entity';
import type { AccountSnapshot } from '../services/accounts/account-snapshots';
import { SocialConnectionStatus } from '../domain/social-account';

@ObjectType({ description: "A change of one account's connection status, pushed to subscribers." })
export class ConnectionStatusChange {
  @Field(() => String, {
    description:
      'Opaque; ordered per member in commit order. Pass it as connectionStatusChanged(after:) to receive, exactly once, every change committed after this one.',
  })
  cursor!: string;

  @Field(() => SocialAccount, { description: 'The account as it is now, loaded fresh for this subscriber.' })
  account!: AccountSnapshot;

  @Field(() => SocialConnectionStatus, { nullable: true, description: 'Null when the account was just created.' })
  previousStatus!: SocialConnectionStatus | null;

  @Field(() => SocialConnectionStatus)
  status!: SocialConnectionStatus;

  @Field(() => String, { nullable: true })
  reason!: string | null;

  @Field(() => Date)
  changedAt!: Date;
}

/** A change as the event path carries it: its position in the member's sequence travels with it (not exposed). */
export interface StatusEvent extends ConnectionStatusChange {
  position: number;
  accountId: string;
}

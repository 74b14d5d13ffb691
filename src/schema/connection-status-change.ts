import { Field, ObjectType } from 'type-graphql';
import { SocialAccount } from '../entities/social-account.entity';
import type { AccountSnapshot } from '../entities/account-snapshot';
import type { StatusEvent } from '../entities/status-event';
import { SocialConnectionStatus } from '../domain/social-account';

@ObjectType({ description: "A change of one account's connection status, pushed to subscribers." })
export class ConnectionStatusChange implements Omit<StatusEvent, 'position' | 'accountId'> {
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

import { Field, ObjectType } from 'type-graphql';
import { SocialAccount } from '../entities/social-account.entity';
import type { AccountSnapshot } from '../services/accounts/account-snapshots';
import { SocialConnectionStatus } from './enums';

@ObjectType({ description: "A change of one account's connection status, pushed to subscribers." })
export class ConnectionStatusChange {
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

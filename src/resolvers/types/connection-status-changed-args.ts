import { ArgsType, Field, ID } from 'type-graphql';

/** connectionStatusChanged's filter (one account, or all the caller's) and resume point. */
@ArgsType()
export class ConnectionStatusChangedArgs {
  @Field(() => ID, { nullable: true })
  accountId?: string | null;

  @Field(() => String, { nullable: true, description: 'A cursor from an earlier ConnectionStatusChange.' })
  after?: string | null;
}

import { ArgsType, Field, Int } from 'type-graphql';

/** SocialAccount.statusHistory's page: newest first, continued with the cursor of the last change seen. */
@ArgsType()
export class StatusHistoryArgs {
  @Field(() => Int, { defaultValue: 20, description: '1 to 100.' })
  first!: number;

  @Field(() => String, { nullable: true, description: 'The cursor of the last change of the previous page: continues with older ones.' })
  after?: string | null;
}

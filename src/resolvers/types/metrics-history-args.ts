import { ArgsType, Field, Int } from 'type-graphql';

@ArgsType()
export class MetricsHistoryArgs {
  @Field(() => Int, { defaultValue: 30, description: 'Days back from today (UTC), 1 to METRICS_HISTORY_RETENTION_DAYS.' })
  days!: number;
}

import { Field, Float, Int, ObjectType } from 'type-graphql';
import { SafeIntResolver } from 'graphql-scalars';

/** GraphQL types of the creator metrics (docs/creator-metrics.md). Built by CreatorMetricsResolver. */

@ObjectType({ description: 'How many of the counted posts are of each kind.' })
export class MediaMix {
  @Field(() => Int)
  images!: number;

  @Field(() => Int)
  carousels!: number;

  @Field(() => Int, { description: 'Feed videos (reels are counted apart).' })
  videos!: number;

  @Field(() => Int)
  reels!: number;
}

@ObjectType({
  description:
    "Engagement from the account's recent posts, read from Meta with the basic permissions: at most METRICS_RECENT_POSTS posts of the last METRICS_WINDOW_DAYS days.",
})
export class AccountEngagement {
  @Field(() => Int, { description: 'Posts the averages are over.' })
  postsConsidered!: number;

  @Field(() => Int)
  windowDays!: number;

  @Field(() => Float, { nullable: true, description: 'Average likes per post, over the posts whose like count Meta gave.' })
  averageLikes!: number | null;

  @Field(() => Float, { nullable: true })
  averageComments!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Average views per post, over the posts Meta reports views for (insights permission only); null when none does.',
  })
  averageViews!: number | null;

  @Field(() => Float, { nullable: true, description: '(averageLikes + averageComments) / followers, e.g. 0.021 for 2.1 %.' })
  engagementRate!: number | null;

  @Field(() => Float, { nullable: true })
  postsPerWeek!: number | null;

  @Field(() => MediaMix)
  mediaMix!: MediaMix;

  @Field(() => Int, { description: 'Counted posts without a like count from Meta (left out of averageLikes).' })
  likesHiddenPosts!: number;

  @Field(() => Float, { nullable: true, description: 'Average reach per post (insights permission only).' })
  averageReach!: number | null;

  @Field(() => Float, { nullable: true, description: 'Average saves per post (insights permission only).' })
  averageSaves!: number | null;

  @Field(() => Float, { nullable: true, description: 'Average shares per post (insights permission only).' })
  averageShares!: number | null;

  @Field(() => Date, { description: 'When these figures were computed.' })
  asOf!: Date;
}

@ObjectType({ description: "Account insights over recent days (only when the creator granted Meta's insights permission)." })
export class AccountInsights {
  @Field(() => Int, { description: 'The days reach and views are summed over (up to now).' })
  days!: number;

  @Field(() => SafeIntResolver, { nullable: true, description: 'Reach over the days, as Meta totals it.' })
  reach!: number | null;

  @Field(() => SafeIntResolver, { nullable: true, description: 'Views over the days (what Meta counted as impressions before v22).' })
  views!: number | null;

  @Field(() => Date)
  asOf!: Date;
}

@ObjectType({ description: 'One audience group and its followers.' })
export class AudienceGroup {
  @Field({ description: 'The group: an age range (`25-34`), `F`/`M`/`U`, an ISO country code, or a city name.' })
  key!: string;

  @Field(() => Int)
  followers!: number;
}

@ObjectType({
  description:
    "The creator's followers by age, gender, country and city (Meta's follower_demographics; insights permission only). Meta reports at most 45 groups and leaves out small ones, so groups sum to less than followersCount.",
})
export class AccountAudience {
  @Field(() => [AudienceGroup])
  age!: AudienceGroup[];

  @Field(() => [AudienceGroup])
  gender!: AudienceGroup[];

  @Field(() => [AudienceGroup])
  country!: AudienceGroup[];

  @Field(() => [AudienceGroup])
  city!: AudienceGroup[];

  @Field(() => Date)
  asOf!: Date;
}

@ObjectType({ description: 'Follower change over a period, against the daily snapshot at its start.' })
export class GrowthFigure {
  @Field(() => Int, { nullable: true, description: 'Followers now minus followers then; null while the history is shorter than the period.' })
  followers!: number | null;

  @Field(() => Float, { nullable: true, description: 'followers / followers then (0.05 = +5 %).' })
  rate!: number | null;

  @Field(() => String, { nullable: true, description: 'The day (UTC, YYYY-MM-DD) compared against.' })
  since!: string | null;
}

@ObjectType({ description: 'Follower growth from the daily snapshots.' })
export class FollowerGrowth {
  @Field(() => GrowthFigure)
  days7!: GrowthFigure;

  @Field(() => GrowthFigure)
  days30!: GrowthFigure;

  @Field(() => GrowthFigure)
  days90!: GrowthFigure;

  @Field(() => Date, { description: 'The follower count compared is the one of lastSyncedAt.' })
  asOf!: Date;
}

@ObjectType({ description: "One day of an account's history (the last figures recorded that UTC day)." })
export class MetricsDay {
  @Field({ description: 'UTC day, YYYY-MM-DD.' })
  day!: string;

  @Field(() => Int)
  followers!: number;

  @Field(() => Int)
  following!: number;

  @Field(() => Int)
  mediaCount!: number;

  @Field(() => Float, { nullable: true })
  engagementRate!: number | null;
}

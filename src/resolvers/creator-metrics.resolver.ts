import { Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { SafeIntResolver } from 'graphql-scalars';
import type { GraphQLContext } from '../context';
import { PriceBasis } from '../domain/social-account';
import { SocialAccount } from '../entities/social-account.entity';
import { AppError, ErrorCode } from '../errors';
import { AccountAudience, AccountEngagement, AccountInsights, FollowerGrowth, MetricsDay } from '../schema/creator-metrics';
import type { AccountSnapshot } from '../entities/account-snapshot';
import { MetricsHistoryArgs } from './types/metrics-history-args';

type Account = AccountSnapshot | SocialAccount;

/** SocialAccount's creator metrics (docs/creator-metrics.md): stored figures, read in one batch per operation. */
@Resolver(() => SocialAccount)
export class CreatorMetricsResolver {
  @FieldResolver(() => AccountEngagement, { nullable: true, description: 'Engagement from recent posts; null until first computed.' })
  async engagement(@Root() account: Account, @Ctx() ctx: GraphQLContext) {
    return (await ctx.services.metricsReader.metrics(ctx, ctx.em, account.id)).engagement;
  }

  @FieldResolver(() => AccountInsights, { nullable: true, description: "Reach and views over recent days; null without Meta's insights permission." })
  async insights(@Root() account: Account, @Ctx() ctx: GraphQLContext) {
    return (await ctx.services.metricsReader.metrics(ctx, ctx.em, account.id)).insights;
  }

  @FieldResolver(() => AccountAudience, {
    nullable: true,
    description: "Followers by age, gender, country, city; null without Meta's insights permission or data.",
  })
  async audience(@Root() account: Account, @Ctx() ctx: GraphQLContext) {
    return (await ctx.services.metricsReader.metrics(ctx, ctx.em, account.id)).audience;
  }

  @FieldResolver(() => FollowerGrowth, { description: 'Follower growth over 7, 30 and 90 days, from the daily snapshots.' })
  async followerGrowth(@Root() account: Account, @Ctx() ctx: GraphQLContext) {
    const growth = await ctx.services.metricsReader.growth(ctx, ctx.em, account);
    return { ...growth, asOf: account.lastSyncedAt ?? account.connectedAt };
  }

  @FieldResolver(() => [MetricsDay], {
    description: 'Daily snapshots (followers, following, posts, engagement rate), oldest first; days without one are absent.',
  })
  metricsHistory(@Root() account: Account, @Args(() => MetricsHistoryArgs) { days }: MetricsHistoryArgs, @Ctx() ctx: GraphQLContext) {
    const max = ctx.services.metricsReader.historyRetentionDays;
    if (!Number.isInteger(days) || days < 1 || days > max) {
      throw new AppError(ErrorCode.BAD_USER_INPUT, `days must be between 1 and ${max}.`, { field: 'days' });
    }
    return ctx.services.metricsReader.history(ctx.em, account.id, days);
  }

  @FieldResolver(() => SafeIntResolver, {
    description:
      'Price per post in minor currency units. With engagement figures and a price policy that has engagement rates: expected engagement per post × the rate per engagement (+ reach); otherwise followersCount × the reach tier’s rate (followerPrice). See priceBasis.',
  })
  price(@Root() account: Account, @Ctx() ctx: GraphQLContext): number | Promise<number> {
    // Without engagement rates in the policy the price is the follower price: no metrics query,
    // and a plain value (the read path's every account selects price; BENCHMARKS.md, read path).
    if (!ctx.services.metricsReader.pricesFromEngagement) return account.price;
    return ctx.services.metricsReader.metrics(ctx, ctx.em, account.id).then((metrics) => metrics.price?.price ?? account.price);
  }

  @FieldResolver(() => PriceBasis, { description: 'What price is computed from.' })
  priceBasis(@Root() account: Account, @Ctx() ctx: GraphQLContext): PriceBasis | Promise<PriceBasis> {
    if (!ctx.services.metricsReader.pricesFromEngagement) return PriceBasis.FOLLOWERS;
    return ctx.services.metricsReader.metrics(ctx, ctx.em, account.id).then((metrics) => metrics.price?.basis ?? PriceBasis.FOLLOWERS);
  }

  @FieldResolver(() => SafeIntResolver, { description: 'followersCount × the reach tier’s rate: the price before engagement pricing.' })
  followerPrice(@Root() account: Account): number {
    return account.price;
  }
}

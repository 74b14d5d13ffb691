import { Arg, Args, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../context';
import { LoginProvider } from '../domain/social-account';
import { SocialAccount } from '../entities/social-account.entity';
import type { AuthenticatedMember } from '../services/auth/jwt-verifier';
import { CurrentMember } from './decorators/current-member';
import { ConnectInstagramArgs } from './types/connect-instagram-args';

@Resolver()
export class OAuthResolver {
  @Query(() => String, { description: 'The Meta dialog URL to send the member to. redirectUri must be one of OAUTH_REDIRECT_URIS.' })
  oauthUrl(
    @Arg('provider', () => LoginProvider, { nullable: true, defaultValue: LoginProvider.FACEBOOK }) provider: LoginProvider | null,
    @Arg('redirectUri', () => String, { nullable: true }) redirectUri: string | null,
    @CurrentMember() member: AuthenticatedMember,
    @Ctx() ctx: GraphQLContext,
  ): Promise<string> {
    return ctx.services.connect.authorizeUrl(ctx.em, member.memberId, provider ?? LoginProvider.FACEBOOK, redirectUri);
  }

  @Mutation(() => [SocialAccount], { description: 'Completes the dialog round trip; returns the accounts this grant linked.' })
  connectInstagram(
    @Args(() => ConnectInstagramArgs) redirect: ConnectInstagramArgs,
    @CurrentMember() member: AuthenticatedMember,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SocialAccount[]> {
    return ctx.services.connect.connect(ctx.em, member.memberId, redirect);
  }
}

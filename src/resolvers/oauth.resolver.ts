import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../context';
import { SocialAccount } from '../entities/social-account.entity';
import { LoginProvider } from '../domain/social-account';

@Resolver()
export class OAuthResolver {
  @Query(() => String, { description: 'The Meta dialog URL to send the member to. redirectUri must be one of OAUTH_REDIRECT_URIS.' })
  oauthUrl(
    @Arg('provider', () => LoginProvider, { nullable: true, defaultValue: LoginProvider.FACEBOOK }) provider: LoginProvider | null,
    @Arg('redirectUri', () => String, { nullable: true }) redirectUri: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<string> {
    return ctx.services.connect.authorizeUrl(ctx.em, ctx.member().memberId, provider ?? LoginProvider.FACEBOOK, redirectUri);
  }

  @Mutation(() => [SocialAccount], { description: 'Completes the dialog round trip; returns the accounts this grant linked.' })
  connectInstagram(
    @Arg('code', () => String, { description: 'The `code` from the redirect (a trailing #_ is ignored). Empty when the user cancelled.' })
    code: string,
    @Arg('state', () => String) state: string,
    @Arg('error', () => String, { nullable: true, description: 'The redirect\'s `error` when the user cancelled.' }) error: string | null,
    @Arg('errorReason', () => String, { nullable: true, description: 'The redirect\'s `error_reason`.' }) errorReason: string | null,
    @Arg('errorDescription', () => String, { nullable: true, description: 'The redirect\'s `error_description`.' })
    errorDescription: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SocialAccount[]> {
    return ctx.services.connect.connect(ctx.em, ctx.member().memberId, { code, state, error, errorReason, errorDescription });
  }
}

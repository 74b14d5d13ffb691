import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../context';
import { LoginProvider, SocialConnectionStatus } from '../domain/social-account';
import { ConnectLink, AccountsAcrossMembersFilter, MemberErasure, MemberSocialAccountPage } from '../schema/service-types';
import { AppError, ErrorCode } from '../errors';
import { SocialAccount } from '../entities/social-account.entity';
import type { AccountSnapshot } from '../entities/account-snapshot';
import type { DirectoryPage } from '../services/accounts/account-directory';

/**
 * Operations for the platform's backend (a service token, docs/platform-backend.md). Each takes
 * the member it acts for as an argument, checks its scope first, and is logged with the service
 * and the member. A member token gets FORBIDDEN (reason SERVICE_ONLY).
 */
@Resolver()
export class ServiceResolver {
  @Query(() => [SocialAccount], { description: "Service (accounts:read): one member's accounts, newest first. Without statuses: all but DISCONNECTED." })
  memberSocialAccounts(
    @Arg('memberId', () => ID) memberId: string,
    @Arg('statuses', () => [SocialConnectionStatus], { nullable: true }) statuses: SocialConnectionStatus[] | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AccountSnapshot[]> {
    const service = ctx.service('accounts:read');
    ctx.services.serviceAudit.acted(service, 'accounts:read', 'memberSocialAccounts', { memberId });
    return ctx.services.accounts.list(ctx.em, memberId, statuses);
  }

  @Query(() => MemberSocialAccountPage, {
    description: 'Service (accounts:read): accounts of every member, filtered, oldest change first, in pages of at most 100 (keyset cursor).',
  })
  accountsAcrossMembers(
    @Arg('filter', () => AccountsAcrossMembersFilter, { nullable: true }) filter: AccountsAcrossMembersFilter | null,
    @Arg('first', () => Int, { defaultValue: 50, description: '1 to 100.' }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<DirectoryPage> {
    const service = ctx.service('accounts:read');
    ctx.services.serviceAudit.acted(service, 'accounts:read', 'accountsAcrossMembers', { memberId: filter?.memberId ?? null, filter });
    return ctx.services.directory.page(
      ctx.em,
      {
        memberId: filter?.memberId ?? undefined,
        statuses: filter?.statuses ?? undefined,
        provider: filter?.provider ?? undefined,
        tiers: filter?.tiers ?? undefined,
        followersMin: filter?.followersMin ?? undefined,
        followersMax: filter?.followersMax ?? undefined,
        updatedSince: filter?.updatedSince ?? undefined,
      },
      first,
      after,
    );
  }

  @Mutation(() => ConnectLink, {
    description:
      'Service (connect-links:create): a hosted link that connects (or, with accountId, reconnects) an Instagram account for the member, then sends the browser to returnUrl (one of CONNECT_LINK_RETURN_URLS) with the outcome.',
  })
  async createConnectLink(
    @Arg('memberId', () => ID) memberId: string,
    @Arg('returnUrl', () => String) returnUrl: string,
    @Arg('provider', () => LoginProvider, { nullable: true }) provider: LoginProvider | null,
    @Arg('accountId', () => ID, { nullable: true, description: 'Reconnect this account of the member (its provider unless one is given).' })
    accountId: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ConnectLink> {
    const service = ctx.service('connect-links:create');
    const link = await ctx.services.connectLinks.create(ctx.em, { memberId, provider, accountId, returnUrl, createdBy: `service:${service.serviceId}` });
    ctx.services.serviceAudit.acted(service, 'connect-links:create', 'createConnectLink', { memberId, connectLinkId: link.id, accountId });
    return link;
  }

  @Mutation(() => Boolean, { description: 'Service (connect-links:create): the link stops working at once. NOT_FOUND once it was used.' })
  async revokeConnectLink(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    const service = ctx.service('connect-links:create');
    const { memberId } = await ctx.services.connectLinks.revoke(ctx.em, id);
    ctx.services.serviceAudit.acted(service, 'connect-links:create', 'revokeConnectLink', { memberId, connectLinkId: id });
    return true;
  }

  @Mutation(() => MemberErasure, {
    description:
      'Service (members:erase): erases a member who left: every account, token, status event, webhook event and OAuth state of theirs; a Meta grant is revoked only when no other member relies on it. Idempotent. docs/personal-data.md says what is kept.',
  })
  async eraseMember(@Arg('memberId', () => ID) memberId: string, @Ctx() ctx: GraphQLContext): Promise<MemberErasure> {
    const service = ctx.service('members:erase');
    if (memberId.length === 0 || memberId.length > 255) throw new AppError(ErrorCode.BAD_USER_INPUT, 'memberId is 1-255 characters.', { field: 'memberId' });
    const counts = await ctx.services.privacy.eraseMember(memberId);
    ctx.services.serviceAudit.acted(service, 'members:erase', 'eraseMember', { memberId, counts });
    return counts;
  }
}

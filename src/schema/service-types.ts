import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { LoginProvider, PriceTier, SocialConnectionStatus } from '../domain/social-account';
import { SocialAccount } from '../entities/social-account.entity';
import type { AccountSnapshot } from '../entities/account-snapshot';

/** The types of the service operations (the platform's backend; docs/platform-backend.md). */

@ObjectType({ description: 'An account with the member it belongs to (service reads).' })
export class MemberSocialAccount {
  @Field(() => ID)
  memberId!: string;

  @Field(() => SocialAccount)
  account!: AccountSnapshot;
}

@ObjectType({ description: 'A page of accountsAcrossMembers, oldest change first.' })
export class MemberSocialAccountPage {
  @Field(() => [MemberSocialAccount])
  nodes!: MemberSocialAccount[];

  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next page; keep it to read later changes. Null on an empty page.' })
  endCursor!: string | null;

  @Field(() => Boolean)
  hasNextPage!: boolean;
}

@InputType({ description: 'Every field narrows the list; all optional.' })
export class AccountsAcrossMembersFilter {
  @Field(() => ID, { nullable: true })
  memberId?: string | null;

  @Field(() => [SocialConnectionStatus], { nullable: true, description: 'Default: every status, DISCONNECTED included.' })
  statuses?: SocialConnectionStatus[] | null;

  @Field(() => LoginProvider, { nullable: true })
  provider?: LoginProvider | null;

  @Field(() => [PriceTier], { nullable: true })
  tiers?: PriceTier[] | null;

  @Field(() => Int, { nullable: true })
  followersMin?: number | null;

  @Field(() => Int, { nullable: true })
  followersMax?: number | null;

  @Field(() => Date, { nullable: true, description: 'Accounts changed at or after this moment.' })
  updatedSince?: Date | null;
}

@ObjectType({ description: 'A connect link: send `url` to the member (it is a bearer link, shown once).' })
export class ConnectLink {
  @Field(() => ID, { description: 'For revokeConnectLink, and echoed to returnUrl as connectLinkId.' })
  id!: string;

  @Field(() => String)
  url!: string;

  @Field(() => Date)
  expiresAt!: Date;
}

@ObjectType({ description: 'What eraseMember removed (counts; 0 everywhere when the member had nothing left: erasing is idempotent).' })
export class MemberErasure {
  @Field(() => Int, { description: "The member's accounts deleted, with their tokens." })
  accounts!: number;

  @Field(() => Int, { description: 'Meta grants deleted.' })
  grants!: number;

  @Field(() => Int, { description: 'Meta grants revoked at Meta: only those no account of another member relies on.' })
  grantsRevoked!: number;

  @Field(() => Int, { description: 'Status events deleted.' })
  statusEvents!: number;

  @Field(() => Int, { description: 'Webhook events deleted (pending ones too), with their deliveries.' })
  webhookEvents!: number;

  @Field(() => Int)
  webhookDeliveries!: number;

  @Field(() => Int)
  oauthStates!: number;

  @Field(() => Int)
  rateLimitWindows!: number;

  @Field(() => Int)
  rateLimitPauses!: number;

  @Field(() => Int)
  eventSequences!: number;
}

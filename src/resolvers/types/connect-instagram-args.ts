import { ArgsType, Field } from 'type-graphql';
import type { ConnectInput } from '../../services/oauth/connect.service';

/** connectInstagram's arguments: what Meta's dialog put on the redirect back to the member. */
@ArgsType()
export class ConnectInstagramArgs implements ConnectInput {
  @Field(() => String, { description: "The `code` from the redirect (Meta's trailing `#_` or `#_=_` is ignored). Empty when the user cancelled." })
  code!: string;

  @Field(() => String, { description: "The `state` from the redirect (Meta's trailing `#_=_` or `#_` is ignored)." })
  state!: string;

  @Field(() => String, { nullable: true, description: "The redirect's `error` when the user cancelled." })
  error?: string | null;

  @Field(() => String, { nullable: true, description: "The redirect's `error_reason`." })
  errorReason?: string | null;

  @Field(() => String, { nullable: true, description: "The redirect's `error_description`." })
  errorDescription?: string | null;
}

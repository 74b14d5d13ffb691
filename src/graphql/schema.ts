import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { createPubSub } from '@graphql-yoga/subscription';
import { DateTimeISOResolver } from 'graphql-scalars';
import { buildSchemaSync } from 'type-graphql';
import { ConnectionStatusResolver } from '../resolvers/connection-status.resolver';
import { OAuthResolver } from '../resolvers/oauth.resolver';
import { ServiceResolver } from '../resolvers/service.resolver';
import { SocialAccountResolver } from '../resolvers/social-account.resolver';
import { CreatorMetricsResolver } from '../resolvers/creator-metrics.resolver';
import { registerDomainEnums } from '../schema/register-enums';

let built: GraphQLSchema | undefined;

/** The executable schema. Built once per process: type-graphql metadata is global anyway. */
export function buildGraphQLSchema(): GraphQLSchema {
  // The domain enums (src/domain/) know nothing of GraphQL; they get their GraphQL names here.
  registerDomainEnums();
  built ??= buildSchemaSync({
    resolvers: [SocialAccountResolver, OAuthResolver, ConnectionStatusResolver, ServiceResolver, CreatorMetricsResolver],
    scalarsMap: [{ type: Date, scalar: DateTimeISOResolver }],
    validate: false,
    // type-graphql requires a PubSub whenever subscriptions exist. Ours never publish through it:
    // each subscription subscribes to its own app instance's StatusEventHub (found in the
    // context), because this schema is shared by every instance in the process.
    pubSub: createPubSub(),
  });
  return built;
}

/** The SDL committed as schema.graphql: sorted, so diffs show real changes only. */
export function printSortedSchema(): string {
  return `${printSchema(lexicographicSortSchema(buildGraphQLSchema()))}\n`;
}

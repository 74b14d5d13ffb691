import type { Server } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { printSchema } from 'graphql';
import type { RequestHandler } from 'express';
import type { GraphQLContext } from '../context';
import { graphqlSpanPlugin } from '../tracing';
import { jsonResponseStatusPlugin } from './json-status-plugin';
import { operationNotFound, type OperationPipeline, type Transport } from './pipeline';

/** Which HTTP transport an Apollo request came by (Apollo serves both). */
const transportOf = (method: string | undefined): Transport => (method === 'GET' ? 'http-get' : 'http-post');

/**
 * Apollo Server as the HTTP adapter of the operation pipeline (pipeline.ts): it parses, validates
 * with the pipeline's rules, calls the pipeline's `admit` once the operation is known, runs the
 * pipeline's executor through its executor hook and formats every error with the pipeline's
 * formatter. Apollo handles what is HTTP's: GET and POST, content negotiation, CSRF prevention,
 * status codes.
 */
export function createApollo(pipeline: OperationPipeline, httpServer: Server, drainSockets: () => Promise<void>): ApolloServer<GraphQLContext> {
  return new ApolloServer<GraphQLContext>({
    gateway: executorGateway(pipeline),
    // The introspection policy is one of the pipeline's validation rules, the same on every transport.
    introspection: true,
    validationRules: [...pipeline.validationRules],
    includeStacktraceInErrorResponses: false,
    // main.ts and worker.ts own SIGTERM/SIGINT. Left on (its default outside NODE_ENV=test), Apollo
    // stops itself on the signal too and the two stops deadlock until main's 20 s force-exit:
    // every production restart used to end with exit code 1 (test/topology.test.ts).
    stopOnTerminationSignals: false,
    formatError: pipeline.formatError,
    plugins: [
      // We set no cache hints. Left on, Apollo's default cache-control plugin wraps every field
      // resolver to collect them: a quarter of the CPU of a 20-account socialAccounts (bench/, scenario 1).
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      { serverWillStart: async () => ({ drainServer: drainSockets }) },
      ...pipeline.apolloPlugins,
      admitPlugin(pipeline),
      jsonResponseStatusPlugin(),
      graphqlSpanPlugin(),
    ],
  });
}

/** Step 4 of the pipeline once Apollo knows the operation; operation-limit refusals are counted where the member is known. */
function admitPlugin(pipeline: OperationPipeline): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart({ request }) {
      const transport = transportOf(request.http?.method);
      return {
        async didResolveOperation({ contextValue, operation, document, request: { variables, operationName } }) {
          // Apollo leaves resolving the operation to the executor when it has one (ours): refuse here as it would.
          if (!operation) throw operationNotFound(operationName);
          await pipeline.admit(transport, memberOf(contextValue), document, operation, variables);
        },
        async didEncounterErrors({ contextValue, errors }) {
          pipeline.countRefusedLimits(errors, memberOf(contextValue));
        },
      };
    },
  };
}

/**
 * Apollo Server 5 takes a custom executor only through its `gateway` option
 * (`@apollo/server-gateway-interface`): `load()` returns `{ executor }`, `onSchemaLoadOrUpdate`
 * announces the schema. Apollo keeps every other step of its request pipeline.
 */
function executorGateway(pipeline: OperationPipeline): GatewayInterface {
  const executor: GatewayExecutor = (requestContext) =>
    pipeline.execute({
      document: requestContext.document,
      source: requestContext.source,
      operation: requestContext.operation,
      operationName: requestContext.operationName,
      variables: requestContext.request.variables,
      context: requestContext.context,
      authenticated: memberOf(requestContext.context as GraphQLContext) !== undefined,
    });
  return {
    // The schema is ours and never changes: announce it once, as a gateway would announce a supergraph.
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: pipeline.schema, coreSupergraphSdl: printSchema(pipeline.schema) });
      return () => undefined;
    },
    load: async () => ({ executor }),
    stop: async () => undefined,
  };
}

/**
 * Step 2 on the express route, for POST bodies and GET query strings alike: the request is
 * answered 400 when its query text is over GRAPHQL_MAX_TOKENS. The direct listener
 * (src/http/graphql-http.ts) calls the same `refuseOversizedHttp`.
 */
export function oversizedQueryMiddleware(pipeline: OperationPipeline): RequestHandler {
  return (req, res, next) => {
    const query = req.method === 'GET' ? (req.query as Record<string, unknown>).query : (req.body as { query?: unknown } | undefined)?.query;
    const refused = refuseOversizedHttp(pipeline, transportOf(req.method), req.headers.authorization, query);
    if (!refused) return next();
    res.status(refused.status).type('application/json').send(refused.body);
  };
}

/** Step 2 as an HTTP answer: the status and JSON body, or undefined when the text is within the limit. */
export function refuseOversizedHttp(
  pipeline: OperationPipeline,
  transport: Transport,
  authorization: string | undefined,
  query: unknown,
): { status: number; body: string } | undefined {
  const refused = pipeline.refuseOversized(transport, query, () => pipeline.memberOrNone(authorization));
  if (!refused) return undefined;
  return { status: 400, body: JSON.stringify({ errors: [{ message: refused.message, extensions: refused.extensions }] }) };
}

function memberOf(context: GraphQLContext): string | undefined {
  try {
    return context.member().memberId;
  } catch {
    return undefined;
  }
}

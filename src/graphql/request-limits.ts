import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import type { RequestHandler } from 'express';
import { GraphQLError, Kind, OperationTypeNode, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import type { GraphQLContext } from '../context';
import { AppError, ErrorCode } from '../errors';
import { budgetKeyOf, type BudgetKey } from '../services/auth/principal';
import { callerLabel, type MemberCosts } from '../services/limits/member-rate-limits';
import type { Services } from '../services';
import { costlyRootFields, createTokenGuard, refusedLimit } from './operation-limits';

/** What an operation spends from its member's budgets: 1 operation, plus its costly root fields. */
function memberCostsOf(operation: OperationDefinitionNode, fragments: Record<string, FragmentDefinitionNode>): MemberCosts {
  return { operations: 1, ...costlyRootFields(operation.selectionSet, (name) => fragments[name]) };
}

/** A member-budget refusal as Apollo sends it: RATE_LIMITED, HTTP 429 with Retry-After. */
function rateLimitedGraphQLError(error: AppError): GraphQLError {
  const seconds = error.extensions.retryAfterSeconds;
  const retryAfter = String(typeof seconds === 'number' ? seconds : 1);
  return new GraphQLError(error.message, {
    extensions: { ...error.extensions, code: error.code, http: { status: 429, headers: new HeaderMap([['retry-after', retryAfter]]) } },
  });
}

/**
 * Apollo plugin: once the operation is known (parsed and validated, so within the operation
 * limits) and before any resolver runs, its member's budgets are spent; over budget, the whole
 * operation is refused with RATE_LIMITED. A request without a valid token spends nothing here:
 * its resolvers answer UNAUTHENTICATED. Operation-limit refusals are counted and logged here,
 * where the member is known.
 */
export function memberLimitsPlugin(services: Services): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, operation, document }) {
          if (!operation || operation.operation === OperationTypeNode.SUBSCRIPTION) return;
          const caller = budgetKeyOfContext(contextValue);
          if (!caller) return;
          const fragments: Record<string, FragmentDefinitionNode> = {};
          for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
          try {
            await services.memberLimits.consume(caller, memberCostsOf(operation, fragments));
          } catch (error) {
            if (error instanceof AppError && error.code === ErrorCode.RATE_LIMITED) throw rateLimitedGraphQLError(error);
            throw error;
          }
        },
        async didEncounterErrors({ contextValue, errors }) {
          for (const error of errors) {
            const limit = refusedLimit(error) ?? (error.originalError instanceof GraphQLError ? refusedLimit(error.originalError) : undefined);
            if (limit) services.refusals.refused(limit, memberOf(contextValue));
          }
        },
      };
    },
  };
}

/** A refusal answered before Apollo sees the request: the status and the JSON body. */
export interface EarlyRefusal {
  status: number;
  body: string;
}

/**
 * GRAPHQL_MAX_TOKENS, on the request body before Apollo parses it: a huge document costs its
 * parse however it is later refused, so it is refused before it is parsed. One check for both
 * HTTP paths (express and the direct listener in src/http/graphql-http.ts).
 */
export function maxTokensCheck(services: Services): (authorization: string | undefined, body: unknown) => EarlyRefusal | undefined {
  const guard = createTokenGuard(services.config.limits.operation.maxTokens);
  return (authorization, body) => {
    const query = body && typeof body === 'object' ? (body as { query?: unknown }).query : undefined;
    const refusal = typeof query === 'string' ? guard(query) : undefined;
    if (!refusal) return undefined;
    const caller = services.auth.remembered(authorization);
    services.refusals.refused('tokens', caller && callerLabel(budgetKeyOf(caller)));
    return { status: 400, body: JSON.stringify({ errors: [{ message: refusal.message, extensions: refusal.extensions }] }) };
  };
}

/** maxTokensCheck as express middleware, for the /graphql route. */
export function maxTokensMiddleware(check: ReturnType<typeof maxTokensCheck>): RequestHandler {
  return (req, res, next) => {
    const refusal = check(req.headers.authorization, req.body);
    if (!refusal) return next();
    res.status(refusal.status).type('application/json').send(refusal.body);
  };
}

/** Whose budgets the operation spends: the member's, or the service's own (never a member's). */
function budgetKeyOfContext(context: GraphQLContext): BudgetKey | undefined {
  try {
    return budgetKeyOf(context.principal());
  } catch {
    return undefined;
  }
}

function memberOf(context: GraphQLContext): string | undefined {
  const key = budgetKeyOfContext(context);
  return key && callerLabel(key);
}

import {
  getOperationAST,
  getVariableValues,
  GraphQLError,
  isNonNullType,
  Kind,
  NoSchemaIntrospectionCustomRule,
  OperationTypeNode,
  TypeInfo,
  ValidationContext,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FragmentDefinitionNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationRule,
} from 'graphql';
import { HeaderMap } from '@apollo/server';
import { AppError, ErrorCode } from '../errors';
import type { Logger } from '../logger';
import { budgetKeyOf, type AuthenticatedMember, type BudgetKey, type Principal } from '../services/auth/principal';
import { callerLabel, type MemberCosts } from '../services/limits/member-rate-limits';
import type { Services } from '../services';
import { createExecutor, hasNullVariable, type ExecutionRequest } from './compiled-executor';
import { createDocumentCache } from './document-cache';
import { createErrorFormatter } from './format-error';
import { costlyRootFields, createTokenGuard, operationLimitProtections, refusedLimit } from './operation-limits';

/**
 * Every way a GraphQL operation reaches us. Each adapter names itself when it calls the pipeline;
 * test/pipeline-matrix.test.ts holds one row per transport here and fails when one is missing.
 * - `http-post`: POST /graphql, through the direct node:http listener or the express route
 *   (src/http/graphql-http.ts, src/graphql/apollo.ts);
 * - `http-get`: GET /graphql?query=… (queries only: Apollo refuses a mutation over GET with 405);
 * - `websocket`: graphql-ws `subscribe` messages of any operation type (src/graphql/websocket.ts).
 * The REST facade calls services, not GraphQL; it authenticates and spends budgets through the same
 * services (src/http/rest/rest-routes.ts) and has its own row in the matrix.
 */
export const GRAPHQL_TRANSPORTS = ['http-post', 'http-get', 'websocket'] as const;
export type Transport = (typeof GRAPHQL_TRANSPORTS)[number];

/**
 * What the pipeline promises on every transport; test/pipeline-matrix.test.ts holds one column per
 * guarantee here and fails when one is missing.
 */
export const PIPELINE_GUARANTEES = [
  'authentication',
  'token-limit',
  'operation-limits',
  'member-budgets',
  'introspection-policy',
  'suggestion-masking',
  'coded-outage-errors',
  'client-mistakes',
  'logging',
] as const;

/** Operation types each transport serves: subscriptions need a socket to push on. */
const SERVED: Record<Transport, ReadonlySet<OperationTypeNode>> = {
  'http-post': new Set([OperationTypeNode.QUERY, OperationTypeNode.MUTATION]),
  'http-get': new Set([OperationTypeNode.QUERY]),
  websocket: new Set([OperationTypeNode.QUERY, OperationTypeNode.MUTATION, OperationTypeNode.SUBSCRIPTION]),
};

/** A refusal before execution, as Apollo sends it: a coded GraphQLError whose `http` extension sets the status. */
function refusal(
  message: string,
  code: ErrorCode | 'BAD_REQUEST' | 'OPERATION_RESOLUTION_FAILURE',
  status: number,
  extra: Record<string, unknown> = {},
  headers?: HeaderMap,
): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extra, code, http: { status, ...(headers ? { headers } : {}) } } });
}

/**
 * One GraphQL operation's way through the service, whatever transport brought it, in this order:
 *
 *   1. authenticate      the caller from `Authorization` (HTTP) or `connectionParams` (WebSocket)
 *   2. refuseOversized   GRAPHQL_MAX_TOKENS on the query text, before anything parses it
 *   3. validationRules   graphql-js's rules + the operation limits (aliases, depth, directives,
 *                        cost) + the introspection policy: one rule set for every transport
 *   4. admit             the member's budgets (1 operation + its costly root fields), then the
 *                        client mistakes graphql-js would only find while executing: an
 *                        operation type this transport does not serve, a null variable where a
 *                        value is required
 *   5. execute           graphql-jit for signed-in repeated queries, graphql-js for the rest
 *   6. formatError       every error, on every transport: codes, no internals, suggestions masked
 *                        when introspection is off, the unexpected logged with their stack
 *
 * HTTP reaches steps 3-6 through Apollo, which takes our rules, calls `admit` from a plugin, runs
 * our executor and formats with our formatter (src/graphql/apollo.ts); step 2 runs before Apollo
 * on both HTTP paths. WebSocket runs 2-4 in `prepare` and 5-6 through graphql-ws's hooks.
 */
export class OperationPipeline {
  readonly validationRules: readonly ValidationRule[];
  /** Apollo plugins that belong to the rules above (armor's). */
  readonly apolloPlugins: ReturnType<typeof operationLimitProtections>['plugins'];
  readonly formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  private readonly tokenGuard: (source: string) => GraphQLError | undefined;
  private readonly documents: ReturnType<typeof createDocumentCache>;
  private readonly executor: (request: ExecutionRequest) => Promise<ExecutionResult>;
  /** The query text of each document WebSocket parsed: the compiled cache's key. */
  private readonly sources = new WeakMap<DocumentNode, string>();
  private readonly variableUsages = new WeakMap<OperationDefinitionNode, ReturnType<ValidationContext['getRecursiveVariableUsages']>>();

  constructor(
    readonly schema: GraphQLSchema,
    private readonly services: Services,
    private readonly logger: Logger,
  ) {
    const { config, metrics } = services;
    const { limits } = config;
    const armor = operationLimitProtections(limits.operation, { enabled: limits.enabled, blockFieldSuggestions: false });
    this.validationRules = [...armor.validationRules, ...(config.introspection ? [] : [NoSchemaIntrospectionCustomRule])];
    this.apolloPlugins = armor.plugins;
    this.formatError = createErrorFormatter(logger, { maskSuggestions: !config.introspection });
    this.tokenGuard = limits.enabled ? createTokenGuard(limits.operation.maxTokens) : () => undefined;
    this.documents = createDocumentCache(this.validationRules);
    this.executor = createExecutor({
      mode: config.graphqlExecutor,
      cacheBytes: config.compiledDocuments.cacheBytes,
      maxFields: config.compiledDocuments.maxFields,
      onExecuted: (executor) => metrics.graphqlExecutions.inc({ executor }),
      onCacheChanged: (bytes, documents) => {
        metrics.compiledCacheBytes.set(bytes);
        metrics.compiledCacheDocuments.set(documents);
      },
    });
  }

  /**
   * 1. The caller a token names: a member, or a service acting within its scopes
   * (src/services/auth/). HTTP verifies when its context is made (src/context.ts); a missing or bad
   * token is thrown by the operations that need a caller, so introspection works without one.
   */
  authenticate(authorization: string | undefined | null): Promise<Principal> {
    return this.services.auth.authenticate(authorization);
  }

  /** WebSocket: a socket follows one member's accounts, so a service token is refused like a bad one. */
  authenticateMember(authorization: string | undefined | null): Promise<AuthenticatedMember> {
    return this.services.auth.authenticateMember(authorization);
  }

  /** Who to count a refusal against before anything is verified: a caller this instance verified before, if any. */
  refusalLabel(authorization: string | undefined | null): string | undefined {
    const caller = this.services.auth.remembered(authorization);
    return caller && callerLabel(budgetKeyOf(caller));
  }

  /** 2. GRAPHQL_MAX_TOKENS on the query text, before it is parsed: the refusal (counted), or undefined. */
  refuseOversized(transport: Transport, query: unknown, caller: () => string | undefined): GraphQLError | undefined {
    const refused = typeof query === 'string' ? this.tokenGuard(query) : undefined;
    if (!refused) return undefined;
    this.services.refusals.refused('tokens', caller());
    this.counted(transport, 'refused');
    return refused;
  }

  /** Operation-limit refusals among `errors` (validation found them) are counted, with the member when known. */
  countRefusedLimits(errors: readonly GraphQLError[], caller: BudgetKey | undefined): void {
    const label = caller && callerLabel(caller);
    for (const error of errors) {
      const limit = refusedLimit(error) ?? (error.originalError instanceof GraphQLError ? refusedLimit(error.originalError) : undefined);
      if (limit) this.services.refusals.refused(limit, label);
    }
  }

  /** 3. Parse and validate with the one rule set (WebSocket; Apollo does this for HTTP with `validationRules`). */
  parseAndValidate(source: string, caller?: BudgetKey): { document: DocumentNode } | { errors: GraphQLError[] } {
    let document: DocumentNode;
    try {
      document = this.documents.parse(source);
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      return { errors: [new GraphQLError(error.message, { source: error.source, positions: error.positions, extensions: { code: 'GRAPHQL_PARSE_FAILED' } })] };
    }
    const invalid = this.documents.validate(this.schema, document);
    if (invalid.length === 0) {
      this.sources.set(document, source);
      return { document };
    }
    // As Apollo reports them: GRAPHQL_VALIDATION_FAILED, the rule's own error (a limit's code) behind it.
    const errors = invalid.map(
      (error) => new GraphQLError(error.message, { nodes: error.nodes, originalError: error, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
    );
    this.countRefusedLimits(errors, caller);
    return { errors };
  }

  /**
   * 4. Before any resolver runs: the caller's budgets are spent (a member's own, or a service's,
   * never a member's; an anonymous operation spends nothing: its resolvers answer UNAUTHENTICATED), then the operation is refused, with a coded
   * 4xx error, when it is the client's mistake: an operation type the transport does not serve,
   * or `null` for a variable used where a value is required (graphql-js would throw mid-execution,
   * an error that reads as ours). Throws the refusal.
   */
  async admit(
    transport: Transport,
    caller: BudgetKey | undefined,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Record<string, unknown> | undefined,
  ): Promise<void> {
    if (caller) await this.spendBudgets(caller, document, operation);
    const mistake = this.clientMistake(transport, operation, document, variables);
    if (mistake) {
      const who = caller && callerLabel(caller);
      this.logger.debug({ transport, caller: who, code: mistake.extensions.code, reason: mistake.message }, 'GraphQL operation refused: client mistake');
      this.counted(transport, 'refused');
      throw mistake;
    }
    this.counted(transport, 'executed');
  }

  /** 5. Compiled or graphql-js (see compiled-executor.ts). */
  execute(request: Omit<ExecutionRequest, 'schema'>): Promise<ExecutionResult> {
    return this.executor({ ...request, schema: this.schema });
  }

  /**
   * WebSocket's steps 2-4 in one call: the arguments graphql-ws executes, or the errors it sends
   * (formatted by `formatError` through its onError hook).
   */
  async prepare(
    member: AuthenticatedMember,
    payload: { query: unknown; variables?: unknown; operationName?: unknown },
  ): Promise<ExecutionArgs | GraphQLError[]> {
    const transport: Transport = 'websocket';
    const caller: BudgetKey = { kind: 'member', id: member.memberId };
    const tooLarge = this.refuseOversized(transport, payload.query, () => member.memberId);
    if (tooLarge) return [tooLarge];
    if (typeof payload.query !== 'string') return [refusal('The subscribe message needs a query string.', 'BAD_REQUEST', 400)];
    const parsed = this.parseAndValidate(payload.query, caller);
    if ('errors' in parsed) {
      this.counted(transport, 'refused');
      return parsed.errors;
    }
    const operationName = typeof payload.operationName === 'string' ? payload.operationName : undefined;
    const operation = getOperationAST(parsed.document, operationName);
    if (!operation) return [operationNotFound(operationName)];
    const variables = isPlainObject(payload.variables) ? payload.variables : undefined;
    try {
      await this.admit(transport, caller, parsed.document, operation, variables);
    } catch (error) {
      // Refusals as built; anything else (the database, say) is classified by formatError, as over HTTP.
      if (error instanceof GraphQLError) return [error];
      return [new GraphQLError(error instanceof Error ? error.message : String(error), { originalError: error instanceof Error ? error : undefined })];
    }
    // Variables that do not coerce are the client's: BAD_USER_INPUT, as Apollo answers them over HTTP.
    const coerced = getVariableValues(this.schema, operation.variableDefinitions ?? [], variables ?? {}, { maxErrors: 50 });
    if (coerced.errors) {
      return coerced.errors.map(
        (error) => new GraphQLError(error.message, { nodes: error.nodes, originalError: error, extensions: { code: ErrorCode.BAD_USER_INPUT } }),
      );
    }
    return { schema: this.schema, document: parsed.document, operationName, variableValues: variables };
  }

  /** graphql-ws's execute hook: step 5 for what `prepare` admitted (signed in: the socket was). */
  executePrepared = (args: ExecutionArgs): Promise<ExecutionResult> => {
    const operation = getOperationAST(args.document, args.operationName)!;
    const source = this.sources.get(args.document);
    return this.execute({
      document: args.document,
      source: source ?? '',
      operation,
      operationName: args.operationName,
      variables: args.variableValues ?? undefined,
      context: args.contextValue,
      // Signed in (the socket was); a document of unknown text is never compiled (no cache key).
      authenticated: source !== undefined,
    });
  };

  private async spendBudgets(caller: BudgetKey, document: DocumentNode, operation: OperationDefinitionNode): Promise<void> {
    const fragments: Record<string, FragmentDefinitionNode> = {};
    for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
    const costs: MemberCosts = { operations: 1, ...costlyRootFields(operation.selectionSet, (name) => fragments[name]) };
    try {
      await this.services.memberLimits.consume(caller, costs);
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== ErrorCode.RATE_LIMITED) throw error;
      const seconds = error.extensions.retryAfterSeconds;
      const retryAfter = String(typeof seconds === 'number' ? seconds : 1);
      throw refusal(error.message, ErrorCode.RATE_LIMITED, 429, error.extensions, new HeaderMap([['retry-after', retryAfter]]));
    }
  }

  private clientMistake(
    transport: Transport,
    operation: OperationDefinitionNode,
    document: DocumentNode,
    variables: Record<string, unknown> | undefined,
  ): GraphQLError | undefined {
    if (!SERVED[transport].has(operation.operation)) {
      return refusal(
        operation.operation === OperationTypeNode.SUBSCRIPTION
          ? 'Subscriptions are served over WebSocket (graphql-transport-ws) at /graphql, not over HTTP.'
          : `A ${operation.operation} cannot be sent with ${transport === 'http-get' ? 'GET; use POST' : 'this transport'}.`,
        'BAD_REQUEST',
        400,
      );
    }
    if (!hasNullVariable(variables)) return undefined;
    let usages = this.variableUsages.get(operation);
    if (!usages) {
      usages = new ValidationContext(this.schema, document, new TypeInfo(this.schema), () => undefined).getRecursiveVariableUsages(operation);
      this.variableUsages.set(operation, usages);
    }
    for (const { node, type } of usages) {
      const name = node.name.value;
      if (variables[name] === null && type && isNonNullType(type)) {
        return new GraphQLError(`Variable "$${name}" is null where a value is required (${String(type)}): omit it to use its default, or send a value.`, {
          nodes: node,
          extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } },
        });
      }
    }
    return undefined;
  }

  private counted(transport: Transport, outcome: 'executed' | 'refused'): void {
    this.services.metrics.graphqlOperations.inc({ transport, outcome });
  }
}

/** As graphql-js and Apollo word it: no operation by that name, or several and no name. */
export function operationNotFound(operationName: string | null | undefined): GraphQLError {
  return refusal(
    operationName ? `Unknown operation named "${operationName}".` : 'Must provide operation name if query contains multiple operations.',
    'OPERATION_RESOLUTION_FAILURE',
    400,
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

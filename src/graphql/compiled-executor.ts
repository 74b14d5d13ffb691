import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { execute, getVariableValues, OperationTypeNode, printSchema, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

/** Which executor answered an operation; counted in graphql_executions_total. */
export type ExecutorName = 'jit' | 'graphql-js';

/** Distinct documents remembered (least recently used goes first); clients send a handful, this only bounds junk. */
const MAX_DOCUMENTS = 200;

/** A document is compiled the second time it is executed: a one-off document is not worth the compile (~1 ms). */
const COMPILE_ON_USE = 2;

type Entry = { uses: number; compiled?: CompiledQuery | null };

/**
 * Queries run through graphql-jit, which compiles a document once into a function that resolves
 * and completes its fields without graphql-js's per-field generic machinery; everything else runs
 * through graphql-js exactly as Apollo would. Plugged into Apollo Server through its supported
 * executor hook, the `gateway` interface (the only way Apollo 5 takes a custom executor): Apollo
 * still parses, validates (its rules and any plugin's), runs every plugin hook, formats errors with
 * our formatError and serializes, so the compiled path changes only who calls the resolvers.
 * On a 20-account socialAccounts (460 fields) graphql-js execution was a third of a request
 * (bench/, scenario 1).
 *
 * Falls back to graphql-js, with its exact answers, for: mutations and subscriptions (ordering and
 * side effects stay graphql-js's), a document graphql-jit cannot compile, the first execution of a
 * document, and variables that do not coerce (graphql-js's BAD_USER_INPUT messages are the
 * contract). test/compiled-executor.test.ts runs the same fixtures through both.
 */
export function compiledExecutorGateway(schema: GraphQLSchema, onExecuted: (executor: ExecutorName) => void = () => undefined): GatewayInterface {
  // Keyed by the DocumentNode Apollo's document store hands back for the same query text.
  const byDocument = new Map<DocumentNode, Map<string, Entry>>();

  const executor: GatewayExecutor = async (requestContext) => {
    const { document, operation, request, context } = requestContext;
    const variables = request.variables ?? {};
    const graphqlJs = () => {
      onExecuted('graphql-js');
      return execute({
        schema,
        document,
        contextValue: context,
        variableValues: request.variables,
        operationName: request.operationName,
      }) as Promise<ExecutionResult>;
    };
    if (operation.operation !== OperationTypeNode.QUERY) return graphqlJs();

    let entries = byDocument.get(document);
    if (entries) {
      byDocument.delete(document); // most recently used goes last
    } else {
      entries = new Map();
      if (byDocument.size >= MAX_DOCUMENTS) byDocument.delete(byDocument.keys().next().value!);
    }
    byDocument.set(document, entries);
    const key = requestContext.operationName ?? '';
    let entry = entries.get(key);
    if (!entry) entries.set(key, (entry = { uses: 0 }));
    entry.uses++;
    if (entry.compiled === undefined) {
      if (entry.uses < COMPILE_ON_USE) return graphqlJs();
      entry.compiled = compile(schema, document, requestContext.operationName);
    }
    const compiled = entry.compiled;
    if (!compiled) return graphqlJs();
    if (operation.variableDefinitions?.length) {
      const coerced = getVariableValues(schema, operation.variableDefinitions, variables, { maxErrors: 50 });
      if (coerced.errors) return graphqlJs();
    }
    onExecuted('jit');
    return compiled.query(undefined, context, variables);
  };

  return {
    // The schema is ours and never changes: announce it once, as a gateway would announce a supergraph.
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return () => undefined;
    },
    load: async () => ({ executor }),
    stop: async () => undefined,
  };
}

/** The compiled operation, or null when graphql-jit cannot compile it (graphql-js will run it). */
function compile(schema: GraphQLSchema, document: DocumentNode, operationName: string | null): CompiledQuery | null {
  try {
    const compiled = compileQuery(schema, document, operationName ?? undefined);
    return isCompiledQuery(compiled) ? compiled : null;
  } catch {
    return null;
  }
}

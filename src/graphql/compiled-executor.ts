import {
  execute,
  getVariableValues,
  GraphQLError,
  Kind,
  OperationTypeNode,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  visit,
  BREAK,
} from 'graphql';
import { setFlagsFromString } from 'node:v8';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

/** Which executor answered an operation; counted in graphql_executions_total. */
export type ExecutorName = 'jit' | 'graphql-js';

/** A document is compiled the second time it is executed: a one-off document is not worth the compile (~1 ms). */
const COMPILE_ON_USE = 2;

/**
 * Heap a compiled document holds, per character of the JavaScript graphql-jit generated for it
 * (V8 keeps the source, its bytecode and the closures over the schema's types): 2.7 bytes once
 * compiled and 3.0 after its first run, measured over 100 compiled 210-field documents (~500,000
 * generated characters, ~1.5 MB each; docs/graphql-execution.md). Rounded up.
 */
const HEAP_BYTES_PER_GENERATED_CHAR = 4;
/** What a document costs before it is compiled: the remembered use count, key and entry. */
const ENTRY_OVERHEAD_BYTES = 200;

/** Everything the executor needs about one operation, from whichever transport it came. */
export interface ExecutionRequest {
  schema: GraphQLSchema;
  document: DocumentNode;
  /** The query text: the cache's key, and what its size bound counts. */
  source: string;
  operation: OperationDefinitionNode;
  operationName: string | null | undefined;
  variables: Record<string, unknown> | undefined;
  context: unknown;
  /** Only signed-in callers, whose operation passed validation and budgets, get compiled documents. */
  authenticated: boolean;
}

export interface ExecutorOptions {
  mode: 'jit' | 'graphql-js';
  /** Bound on the estimated memory of the compiled documents held (least recently used go first). */
  cacheBytes: number;
  /** Operations selecting more fields (fragments expanded) always run through graphql-js. */
  maxFields: number;
  onExecuted?: (executor: ExecutorName) => void;
  onCacheChanged?: (bytes: number, documents: number) => void;
}

type Entry = { uses: number; bytes: number; compiled?: CompiledQuery | null };

/**
 * Queries run through graphql-jit, which compiles a document once into a function that resolves
 * and completes its fields without graphql-js's per-field generic machinery; everything else runs
 * through graphql-js. On a 20-account socialAccounts (460 fields) graphql-js execution was a third
 * of a request (bench/, scenario 1).
 *
 * graphql-js runs: mutations and subscriptions (ordering and side effects stay graphql-js's),
 * anonymous requests (compiling is work and memory an unauthenticated caller must not be able to
 * make us spend), the first execution of a document, operations selecting over `maxFields`, documents
 * graphql-jit cannot compile, variables that do not coerce, and the cases where graphql-jit's
 * answer differs from graphql-js's (an explicit `null` variable, an omitted variable with a
 * default, `@skip`/`@include`: see docs/graphql-execution.md). Every
 * error a compiled query returns is rebuilt as a graphql-js GraphQLError with its path, locations
 * and originalError, so it is formatted and logged exactly as graphql-js's would be.
 * test/executor-differential.test.ts requires identical answers from both on generated cases.
 */
export function createExecutor(options: ExecutorOptions): (request: ExecutionRequest) => Promise<ExecutionResult> {
  if (options.mode === 'jit') forgetCompiledSources();
  const onExecuted = options.onExecuted ?? (() => undefined);
  const cache = new Map<string, Entry>(); // insertion order = least recently used first
  let cachedBytes = 0;

  const graphqlJs = (request: ExecutionRequest) => {
    onExecuted('graphql-js');
    return execute({
      schema: request.schema,
      document: request.document,
      contextValue: request.context,
      variableValues: request.variables,
      operationName: request.operationName,
    }) as Promise<ExecutionResult>;
  };

  const remember = (key: string, entry: Entry) => {
    cache.set(key, entry);
    cachedBytes += entry.bytes;
    while (cachedBytes > options.cacheBytes && cache.size > 0) {
      const [oldestKey, oldest] = cache.entries().next().value!;
      cache.delete(oldestKey);
      cachedBytes -= oldest.bytes;
    }
    options.onCacheChanged?.(cachedBytes, cache.size);
  };

  return async (request) => {
    if (
      options.mode === 'graphql-js' ||
      request.operation.operation !== OperationTypeNode.QUERY ||
      !request.authenticated ||
      hasNullVariable(request.variables) ||
      omitsDefaultedVariable(request.operation, request.variables) ||
      usesSkipOrInclude(request.document)
    ) {
      return graphqlJs(request);
    }
    const key = `${request.operationName ?? ''}\u0000${request.source}`;
    let entry = cache.get(key);
    if (entry) {
      cache.delete(key); // most recently used goes last
      cachedBytes -= entry.bytes;
    } else {
      entry = { uses: 0, bytes: ENTRY_OVERHEAD_BYTES + key.length * 2 };
    }
    entry.uses++;
    if (entry.compiled === undefined && entry.uses >= COMPILE_ON_USE) {
      const compiled =
        fieldsSelected(request.document, request.operation) <= options.maxFields ? compile(request.schema, request.document, request.operationName) : null;
      entry.compiled = compiled?.query ?? null;
      entry.bytes += (compiled?.generatedChars ?? 0) * HEAP_BYTES_PER_GENERATED_CHAR;
    }
    remember(key, entry);
    const compiled = entry.compiled;
    if (!compiled) return graphqlJs(request);
    // Variables that do not coerce: graphql-js's errors (Apollo answers them as BAD_USER_INPUT) are the contract.
    if (request.operation.variableDefinitions?.length) {
      const coerced = getVariableValues(request.schema, request.operation.variableDefinitions, request.variables ?? {}, { maxErrors: 50 });
      if (coerced.errors) return graphqlJs(request);
    }
    onExecuted('jit');
    return asGraphQLJsErrors(await compiled.query(undefined, request.context, request.variables));
  };
}

/**
 * The fields an operation selects, each fragment spread counted as the fields it brings: what the
 * code graphql-jit generates grows with (one resolve-and-complete block per field selection).
 */
function fieldsSelected(document: DocumentNode, operation: OperationDefinitionNode): number {
  const fragments = new Map<string, SelectionSetNode>();
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition.selectionSet);
  const sizes = new Map<string, number>();
  const count = (set: SelectionSetNode, visiting: Set<string>): number => {
    let fields = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) fields += 1 + (selection.selectionSet ? count(selection.selectionSet, visiting) : 0);
      else if (selection.kind === Kind.INLINE_FRAGMENT) fields += count(selection.selectionSet, visiting);
      else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || visiting.has(name)) continue; // validation refuses cycles; this only guards the walk
        if (!sizes.has(name)) sizes.set(name, count(fragment, new Set(visiting).add(name)));
        fields += sizes.get(name)!;
      }
    }
    return fields;
  };
  return count(operation.selectionSet, new Set());
}

/**
 * graphql-jit does not treat an explicit null like graphql-js: for `$x: Boolean = true` given
 * `null`, graphql-js keeps the null (and refuses it where a value is required) while graphql-jit
 * applies the default. Such operations run through graphql-js, whose answer is the contract.
 */
export function hasNullVariable(variables: Record<string, unknown> | undefined): variables is Record<string, unknown> {
  if (!variables) return false;
  for (const name in variables) if (variables[name] === null) return true;
  return false;
}

/**
 * graphql-jit turns each document into JavaScript with `new Function`, and V8 keeps every source it
 * compiled that way in its compilation cache (keyed by the source text, for a repeat `eval`), long
 * after the function itself is gone: evicting a document from our cache freed nothing. Measured
 * (Node 26): 300 distinct 93-field documents compiled and dropped held 84 MB after 12 full GCs,
 * 1.1 MB with the cache off, and with 20 of them kept 10.7 MB (2.7 bytes per generated character,
 * the estimate above). Without the eval cache our bound is the memory bound. Node has no other
 * switch for it (NODE_OPTIONS refuses the V8 flag); V8 reads it at each lookup, so setting it
 * here, before the first compile, takes effect. Scripts are compiled once each anyway: module
 * loading loses nothing.
 */
let compiledSourcesForgotten = false;
function forgetCompiledSources(): void {
  if (compiledSourcesForgotten) return;
  compiledSourcesForgotten = true;
  setFlagsFromString('--no-compilation-cache');
}

/**
 * graphql-jit refuses an omitted non-null variable that has a default (`$x: Boolean! = true` sent
 * as `{}`), a valid request graphql-js answers. Found by test/executor-differential.test.ts.
 */
function omitsDefaultedVariable(operation: OperationDefinitionNode, variables: Record<string, unknown> | undefined): boolean {
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue && (variables === undefined || !(definition.variable.name.value in variables))) return true;
  }
  return false;
}

const skipOrIncludeSeen = new WeakMap<DocumentNode, boolean>();

/**
 * graphql-jit orders a field whose first occurrence is skipped where that occurrence stood;
 * graphql-js puts it where the first included one stands (`{ id @skip(if: true) username id }`
 * answers `{username, id}`): the same data, other bytes. None of our clients' documents use the two
 * directives, so documents that do run through graphql-js rather than risk an answer that differs.
 */
function usesSkipOrInclude(document: DocumentNode): boolean {
  let seen = skipOrIncludeSeen.get(document);
  if (seen === undefined) {
    seen = false;
    visit(document, {
      Directive(node) {
        if (node.name.value === 'skip' || node.name.value === 'include') {
          seen = true;
          return BREAK;
        }
        return undefined;
      },
    });
    skipOrIncludeSeen.set(document, seen);
  }
  return seen;
}

/** The compiled operation and the size of the code generated for it, or null when graphql-jit cannot compile it. */
function compile(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined) {
  try {
    // `debug` exposes the generated function body, whose length is our estimate of the memory the
    // compiled document holds; the string itself is dropped at once (V8 keeps its own copy).
    const compiled = compileQuery(schema, document, operationName ?? undefined, { debug: true } as Parameters<typeof compileQuery>[3]);
    if (!isCompiledQuery(compiled)) return null;
    const debug = compiled as CompiledQuery & { __DO_NOT_USE_THIS_OR_YOU_WILL_BE_FIRED_compilation?: string };
    const generatedChars = debug.__DO_NOT_USE_THIS_OR_YOU_WILL_BE_FIRED_compilation?.length ?? 0;
    delete debug.__DO_NOT_USE_THIS_OR_YOU_WILL_BE_FIRED_compilation;
    return { query: compiled, generatedChars };
  } catch {
    return null;
  }
}

/**
 * graphql-jit builds its errors with its own constructor: no `extensions` object when the thrown
 * error has none (Apollo then fails reading `extensions.code` and answers its own fallback instead
 * of ours) and no `nodes`. Each becomes a graphql-js GraphQLError with the same message, path,
 * locations and originalError, as graphql-js would have built it.
 */
function asGraphQLJsErrors(result: ExecutionResult): ExecutionResult {
  if (!result.errors?.length) return result;
  const errors = result.errors.map((error) => {
    const rebuilt = new GraphQLError(error.message, {
      path: error.path,
      originalError: error.originalError ?? undefined,
      extensions: error.extensions ?? undefined,
    });
    if (error.locations) Object.defineProperty(rebuilt, 'locations', { value: error.locations, enumerable: true });
    return rebuilt;
  });
  return { ...result, errors };
}

import { ApolloArmor } from '@escape.tech/graphql-armor';
import { MaxTokensParserWLexer } from '@escape.tech/graphql-armor-max-tokens';
import {
  GraphQLError,
  Kind,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { LimitsConfig } from '../config';
import { ErrorCode } from '../errors';
import type { LimitName } from '../services/limits/refusals';

/** Root fields that call Meta: each one weighs GRAPHQL_META_MUTATION_COST in the cost limit. */
export const META_MUTATION_FIELDS = new Set(['syncSocialAccount', 'connectInstagram']);

export type OperationLimits = LimitsConfig['operation'];

/** The coded error every operation limit refuses with (before any resolver runs). */
function operationLimitError(limit: LimitName, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.OPERATION_LIMIT_EXCEEDED, limit } });
}

/** The `limit` of an OPERATION_LIMIT_EXCEEDED error, or undefined for any other error. */
export function refusedLimit(error: { extensions?: Record<string, unknown> }): LimitName | undefined {
  return error.extensions?.code === ErrorCode.OPERATION_LIMIT_EXCEEDED ? (error.extensions.limit as LimitName) : undefined;
}

const reject = (limit: LimitName, what: string) => (context: ValidationContext | null, error: GraphQLError) => {
  // Armor's message names the limit and the value found ("Aliases limit of 15 exceeded, found 200.").
  context?.reportError(operationLimitError(limit, `The operation is too large: ${error.message.replace(/^Syntax Error: /, '')} (${what}).`));
};

/**
 * graphql-armor's cost limit counts every field alike. Ours adds the weight of each field that
 * calls Meta, because one syncSocialAccount costs what all members share (Meta's app limit)
 * while a read costs one query of our own. Armor calls onAccept once per operation, in document
 * order, with the cost it found; the weights are added to that and checked against the same max.
 */
function metaMutationWeights(limits: OperationLimits) {
  const seen = new WeakMap<ValidationContext, number>();
  return (context: ValidationContext | null, details: { n: number }) => {
    if (!context) return;
    const index = seen.get(context) ?? 0;
    seen.set(context, index + 1);
    const operation = context.getDocument().definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)[index];
    if (!operation) return;
    const metaFields = costlyRootFields(operation.selectionSet, (name) => context.getFragment(name) ?? undefined).metaMutations;
    const cost = details.n + metaFields * limits.metaMutationCost;
    if (cost > limits.maxCost) {
      context.reportError(
        operationLimitError(
          'cost',
          `The operation is too costly: ${cost} (of which ${metaFields} Instagram call(s) at ${limits.metaMutationCost} each), the limit is ${limits.maxCost}. Send one sync or connect per operation.`,
        ),
      );
    }
  };
}

/**
 * The root fields of an operation that cost more than a read: oauthUrl (each inserts a state row)
 * and the fields that call Meta, through inline and named fragments, aliases counted (20 aliased
 * oauthUrl fields are 20 links). Used by the cost rule and by the member budgets alike.
 */
export function costlyRootFields(
  selectionSet: SelectionSetNode,
  fragmentNamed: (name: string) => FragmentDefinitionNode | undefined,
): { oauthUrls: number; metaMutations: number } {
  const counts = { oauthUrls: 0, metaMutations: 0 };
  const seen = new Set<string>();
  const visit = (set: SelectionSetNode) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value === 'oauthUrl') counts.oauthUrls++;
        else if (META_MUTATION_FIELDS.has(selection.name.value)) counts.metaMutations++;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet);
      else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const fragment = fragmentNamed(selection.name.value);
        if (fragment) visit(fragment.selectionSet);
      }
    }
  };
  visit(selectionSet);
  return counts;
}

/**
 * graphql-armor's protections, configured from LimitsConfig: validation rules for aliases,
 * depth, directives and cost (with Meta-calling fields weighted), an Apollo plugin for tokens,
 * and, when introspection is off, its plugin that masks "Did you mean ...?" suggestions, which
 * would otherwise spell the schema out to anyone guessing field names.
 */
export function operationLimitProtections(limits: OperationLimits, options: { blockFieldSuggestions: boolean; enabled?: boolean }) {
  const enabled = options.enabled ?? true;
  const armor = new ApolloArmor({
    maxAliases: { enabled, n: limits.maxAliases, propagateOnRejection: false, onReject: [reject('aliases', `GRAPHQL_MAX_ALIASES`)] },
    maxDepth: { enabled, n: limits.maxDepth, propagateOnRejection: false, onReject: [reject('depth', 'GRAPHQL_MAX_DEPTH')] },
    maxDirectives: { enabled, n: limits.maxDirectives, propagateOnRejection: false, onReject: [reject('directives', 'GRAPHQL_MAX_DIRECTIVES')] },
    costLimit: {
      enabled,
      maxCost: limits.maxCost,
      propagateOnRejection: false,
      onReject: [reject('cost', 'GRAPHQL_MAX_COST')],
      onAccept: [metaMutationWeights(limits)],
    },
    // Tokens are counted while parsing, before graphql-js builds an AST (see maxTokensPlugin below).
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: options.blockFieldSuggestions },
  });
  const { plugins, validationRules } = armor.protect();
  return { plugins, validationRules };
}

/** Operation texts already counted and under the limit; clients send a handful, this bounds junk. */
const MAX_REMEMBERED_SOURCES = 500;
/**
 * Longer texts are counted every time instead of remembered: texts are checked before sign-in,
 * and 500 texts of a few hundred KB each (one long string literal is one token) would let anyone
 * hold ~128 MB here. Real documents are a few KB; this keeps the memo under 8 MB.
 */
const MAX_REMEMBERED_SOURCE_LENGTH = 16 * 1024;

/**
 * Armor's token-counting parser, run on the request body before Apollo parses anything (armor's
 * own Apollo plugin throws from parsingDidStart, which Apollo answers as a 500). Texts that passed
 * are remembered, so the dashboard's few documents are counted once, not on every request.
 */
export function createTokenGuard(maxTokens: number): (source: string) => GraphQLError | undefined {
  const passed = new Set<string>();
  return (source) => {
    if (passed.has(source)) return undefined;
    const refusal = countTokens(source, maxTokens);
    if (!refusal && source.length <= MAX_REMEMBERED_SOURCE_LENGTH) {
      if (passed.size >= MAX_REMEMBERED_SOURCES) passed.delete(passed.values().next().value!);
      passed.add(source);
    }
    return refusal;
  };
}

/** The refusal when `source` has more than `maxTokens` tokens, else undefined (a syntax error is left to graphql-js). */
function countTokens(source: string, maxTokens: number): GraphQLError | undefined {
  let refusal: GraphQLError | undefined;
  try {
    new MaxTokensParserWLexer(source, {
      n: maxTokens,
      // Stop lexing at the first token over the limit (the throw is caught below).
      propagateOnRejection: true,
      onReject: [
        (_context, error) =>
          (refusal = operationLimitError('tokens', `The operation is too large: ${error.message.replace(/^Syntax Error: /, '')} (GRAPHQL_MAX_TOKENS).`)),
      ],
    }).parseDocument();
  } catch {
    // The limit (refusal is set), or a syntax error that graphql-js reports as GRAPHQL_PARSE_FAILED.
  }
  return refusal;
}

/**
 * Every check an operation goes through, outside Apollo: the tests run each committed client
 * document through it, and graphql-ws validates subscriptions with these rules too.
 */
export function checkOperationLimits(schema: GraphQLSchema, source: string, document: DocumentNode, limits: OperationLimits): readonly GraphQLError[] {
  const tooMany = countTokens(source, limits.maxTokens);
  if (tooMany) return [tooMany];
  return validate(schema, document, [...specifiedRules, ...operationLimitRules(limits)]);
}

export function operationLimitRules(limits: OperationLimits): ValidationRule[] {
  return operationLimitProtections(limits, { blockFieldSuggestions: false }).validationRules;
}

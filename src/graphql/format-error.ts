import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ErrorCode, toPublicError } from '../errors';
import type { Logger } from '../logger';

/** Apollo/graphql-js codes for malformed operations pass through; they describe the request, not us. */
const REQUEST_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'OPERATION_RESOLUTION_FAILURE',
]);

/** Refusals our limits raise before execution (operation limits, member budgets): code and extensions pass as built. */
const REFUSAL_CODES = new Set<string>([ErrorCode.OPERATION_LIMIT_EXCEEDED, ErrorCode.RATE_LIMITED, ErrorCode.SUBSCRIPTION_LIMIT_EXCEEDED]);

/** Our refusal behind `error`: itself, or the rule's error Apollo wrapped in a GRAPHQL_VALIDATION_FAILED. */
function refusalOf(error: unknown): GraphQLError | undefined {
  for (const candidate of [error, error instanceof GraphQLError ? error.originalError : undefined]) {
    if (candidate instanceof GraphQLError && !candidate.path && REFUSAL_CODES.has(candidate.extensions?.code as string)) return candidate;
  }
  return undefined;
}

/** graphql-js's "Did you mean ...?" (fields, arguments, types, enum values in variables). */
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

/**
 * The one place errors become what clients see, on every transport: our AppErrors and classified
 * Meta errors keep their code and message; anything unexpected is logged and replaced by
 * INTERNAL_SERVER_ERROR, so no internals or stack traces leak. With `maskSuggestions` (introspection
 * off) graphql-js's "Did you mean ...?" is cut from every message: it would spell the schema out
 * to anyone guessing names.
 */
export function createErrorFormatter(logger: Logger, options: { maskSuggestions?: boolean } = {}) {
  const format = formatWith(logger);
  if (!options.maskSuggestions) return format;
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const result = format(formatted, error);
    const message = result.message.replace(SUGGESTION, '');
    return message === result.message ? result : { ...result, message };
  };
}

/**
 * What failed: the resolver's error behind graphql-js's wrapper, or the error a step before
 * execution threw (Apollo and the WebSocket adapter wrap those in a GraphQLError without a path),
 * so that, say, a dropped database connection is classified the same wherever it surfaced.
 */
function causeOf(error: unknown): unknown {
  const unwrapped = unwrapResolverError(error);
  if (unwrapped instanceof GraphQLError && !unwrapped.path && unwrapped.originalError && !(unwrapped.originalError instanceof GraphQLError)) {
    return unwrapped.originalError;
  }
  return unwrapped;
}

function formatWith(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const refusal = refusalOf(error);
    if (refusal) {
      const { http: _http, ...extensions } = refusal.extensions as Record<string, unknown>;
      return { message: refusal.message, locations: formatted.locations, extensions };
    }
    const original = causeOf(error);
    const code = formatted.extensions?.code;
    if (original === error && typeof code === 'string' && REQUEST_ERROR_CODES.has(code)) {
      return { message: formatted.message, locations: formatted.locations, extensions: { code } };
    }
    const pub = toPublicError(original);
    if (pub.unexpected) logger.error({ err: original, path: formatted.path }, 'unexpected error in a GraphQL operation');
    return {
      message: pub.message,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { ...pub.extensions, code: pub.code },
    };
  };
}

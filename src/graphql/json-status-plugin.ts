import type { ApolloServerPlugin } from '@apollo/server';

const GRAPHQL_RESPONSE_JSON = 'application/graphql-response+json';

/**
 * GraphQL over HTTP: a client that accepts only `application/json` (the legacy media type, what
 * most clients still send) cannot tell a 400 from a broken proxy, so the spec asks for 200 on every
 * well-formed request, with the errors in the body. Apollo answers 400 to parse, validation and
 * variable-coercion failures whatever was accepted; this plugin restores 200 for `application/json`
 * and leaves `application/graphql-response+json` (where 4xx is the spec's rule) untouched.
 * Requests that never reach the pipeline (malformed JSON, no query) keep their 400: they are not
 * well-formed GraphQL requests.
 */
export function jsonResponseStatusPlugin<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ request, response }) {
          if (response.http.status !== 400 || response.body.kind !== 'single') return;
          const accept = request.http?.headers.get('accept') ?? '';
          if (!accept.toLowerCase().includes(GRAPHQL_RESPONSE_JSON)) response.http.status = 200;
        },
      };
    },
  };
}

import { createParameterDecorator } from 'type-graphql';
import type { GraphQLContext } from '../../context';
import type { AuthenticatedMember } from '../../services/auth/jwt-verifier';

/**
 * The calling member, as a resolver parameter. It asks the context, which decides how the
 * caller was authenticated: over HTTP the Authorization header is verified on first use (so
 * introspection works without a token, and a missing or bad JWT is UNAUTHENTICATED for the
 * operations that take this parameter); over WebSocket the member was verified once, at
 * connection_init (src/graphql/websocket.ts). See src/context.ts.
 */
export function CurrentMember() {
  return createParameterDecorator<GraphQLContext>(({ context }): AuthenticatedMember => context.member());
}

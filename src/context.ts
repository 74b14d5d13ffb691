import type { EntityManager } from '@mikro-orm/postgresql';
import type { AuthenticatedMember } from './services/auth/jwt-verifier';
import type { Services } from './services';

/**
 * Per operation: the caller (verified lazily, so introspection works without a token), a fresh
 * EntityManager fork, and the services. Nothing in here is shared between requests.
 */
export interface GraphQLContext {
  services: Services;
  em: EntityManager;
  /** The verified member; throws UNAUTHENTICATED when the request carries no valid token. */
  member(): AuthenticatedMember;
}

/** HTTP: the Authorization header, verified on first use. */
export function createHttpContext(services: Services, authorization: string | undefined | null): GraphQLContext {
  let member: AuthenticatedMember | undefined;
  let em: EntityManager | undefined;
  return {
    services,
    // Forked on first use, still at most one fork per request. Apollo builds the context before
    // parsing, so requests that fail parsing or validation, introspection and `__typename` never
    // pay for a fork (~4 % of a read-path request's CPU in the bench profile).
    get em() {
      return (em ??= services.orm.em.fork() as EntityManager);
    },
    member: () => (member ??= services.jwt.verifyHeader(authorization)),
  };
}

/** WebSocket: the member was verified once, in onConnect. */
export function createSocketContext(services: Services, member: AuthenticatedMember): GraphQLContext {
  let em: EntityManager | undefined;
  return {
    services,
    // Forked on first use: a subscription's context lives as long as the subscription, and most
    // never use it (events are loaded in a fork of their own). ~2 KB per subscriber (bench/, scenario 2).
    get em() {
      return (em ??= services.orm.em.fork() as EntityManager);
    },
    member: () => member,
  };
}

import type { EntityManager } from '@mikro-orm/postgresql';
import { forkEm } from './database/transaction';
import { memberOf, serviceWith, type AuthenticatedMember, type Principal, type ServicePrincipal, type ServiceScope } from './services/auth/principal';
import type { Services } from './services';

/**
 * Per operation: the caller (verified when the context is made; a missing or bad token is only
 * thrown by operations that need a caller, so introspection works without a token), a fresh
 * EntityManager fork, and the services. Nothing in here is shared between requests.
 */
export interface GraphQLContext {
  services: Services;
  em: EntityManager;
  /** The verified member; throws UNAUTHENTICATED without a valid token, FORBIDDEN (coded) for a service token. */
  member(): AuthenticatedMember;
  /** The verified caller, member or service; throws UNAUTHENTICATED without a valid token. */
  principal(): Principal;
  /** The calling service holding `scope`; throws FORBIDDEN (reason SERVICE_ONLY or SCOPE_MISSING) otherwise. */
  service(scope: ServiceScope): ServicePrincipal;
}

/**
 * HTTP: the Authorization header, verified before the operation runs. Verification may need the
 * identity provider's key set (a fetch), which a resolver's synchronous member() cannot wait for;
 * a verified token is a map lookup afterwards (Authenticator's cache).
 */
export async function createHttpContext(services: Services, authorization: string | undefined | null): Promise<GraphQLContext> {
  const outcome = await services.auth.authenticate(authorization).then(
    (principal) => ({ principal }),
    (error: unknown) => ({ error }),
  );
  const principal = (): Principal => {
    if ('error' in outcome) throw outcome.error;
    return outcome.principal;
  };
  let em: EntityManager | undefined;
  return {
    services,
    // Forked on first use, still at most one fork per request. Apollo builds the context before
    // parsing, so requests that fail parsing or validation, introspection and `__typename` never
    // pay for a fork (~4 % of a read-path request's CPU in the bench profile).
    get em() {
      return (em ??= forkEm(services.orm));
    },
    principal,
    member: () => memberOf(principal()),
    service: (scope) => serviceWith(principal(), scope),
  };
}

/** WebSocket: the member was verified once, in onConnect (service tokens are refused there). */
export function createSocketContext(services: Services, member: AuthenticatedMember): GraphQLContext {
  let em: EntityManager | undefined;
  const principal: Principal = { kind: 'member', ...member };
  return {
    services,
    // Forked on first use: a subscription's context lives as long as the subscription, and most
    // never use it (events are loaded in a fork of their own). ~2 KB per subscriber (bench/, scenario 2).
    get em() {
      return (em ??= forkEm(services.orm));
    },
    member: () => member,
    principal: () => principal,
    service: (scope) => serviceWith(principal, scope),
  };
}

import { AppError, ErrorCode } from '../../errors';

/** What a service token may do; docs/platform-backend.md says what each allows. */
export const SERVICE_SCOPES = ['accounts:read', 'connect-links:create', 'members:erase'] as const;
export type ServiceScope = (typeof SERVICE_SCOPES)[number];

export interface AuthenticatedMember {
  memberId: string;
  /** Token expiry, epoch seconds: subscriptions close when it passes. */
  expiresAt: number;
}

export interface MemberPrincipal extends AuthenticatedMember {
  kind: 'member';
}

/** The platform's backend: acts for members, only within its scopes. */
export interface ServicePrincipal {
  kind: 'service';
  serviceId: string;
  scopes: ServiceScope[];
  expiresAt: number;
}

/** Whoever sent a request: a member (acts for itself) or a service (acts for members, within scopes). */
export type Principal = MemberPrincipal | ServicePrincipal;

/**
 * The member of a member token. A service token never passes as a member: it names no member of
 * its own, and operations that act for "the caller" must not quietly act for someone.
 */
export function memberOf(principal: Principal): AuthenticatedMember {
  if (principal.kind === 'service') {
    throw new AppError(
      ErrorCode.FORBIDDEN,
      'A service token acts for members only through the service operations (they take a memberId); this operation acts for the signed-in member.',
      { reason: 'SERVICE_TOKEN_NOT_A_MEMBER' },
    );
  }
  return { memberId: principal.memberId, expiresAt: principal.expiresAt };
}

/** The service of a service token that holds `scope`; FORBIDDEN (coded) otherwise. */
export function serviceWith(principal: Principal, scope: ServiceScope): ServicePrincipal {
  if (principal.kind !== 'service') {
    throw new AppError(ErrorCode.FORBIDDEN, "This operation is for the platform's backend (a service token), not a member token.", {
      reason: 'SERVICE_ONLY',
      scope,
    });
  }
  if (!principal.scopes.includes(scope)) {
    throw new AppError(ErrorCode.FORBIDDEN, `The service token lacks the scope ${scope}.`, { reason: 'SCOPE_MISSING', scope });
  }
  return principal;
}

/**
 * The key a caller's budgets are counted under. Members keep their id (the rows already stored);
 * services are counted by separate limiters (their own key prefixes), so no member id, whatever
 * it looks like, can share a service's counts or the reverse.
 */
export type BudgetKey = { kind: 'member'; id: string } | { kind: 'service'; id: string };

export function budgetKeyOf(principal: Principal): BudgetKey {
  return principal.kind === 'member' ? { kind: 'member', id: principal.memberId } : { kind: 'service', id: principal.serviceId };
}

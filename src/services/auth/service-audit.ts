import type { Logger } from '../../logger';
import type { ServicePrincipal, ServiceScope } from './principal';

/**
 * Every action a service takes, logged with who (the service) and for whom (the member, when
 * there is one): the backend can act for any member, so each of its acts must be traceable.
 */
export class ServiceAudit {
  constructor(private readonly logger: Logger) {}

  acted(service: ServicePrincipal, scope: ServiceScope, action: string, details: { memberId?: string | null; [key: string]: unknown } = {}): void {
    this.logger.info({ service: service.serviceId, scope, action, memberId: details.memberId ?? null, ...details }, 'service action');
  }
}

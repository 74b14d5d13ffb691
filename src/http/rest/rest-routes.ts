import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { forkEm } from '../../database/transaction';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, ErrorCode } from '../../errors';
import { LoginProvider, SocialConnectionStatus } from '../../domain/social-account';
import { budgetKeyOf, memberOf, serviceWith, type AuthenticatedMember, type ServiceScope } from '../../services/auth/principal';
import type { Services } from '../../services';
import type { MemberCosts } from '../../services/limits/member-rate-limits';
import { toLegacyAccount } from './account-view';
import type { AccountSnapshot } from '../../entities/account-snapshot';
import { envelopeErrors, sendData, sendError } from './envelope';
import { REST_OPENAPI } from './openapi';

export const REST_BASE_PATH = '/ai/instagram';

interface Caller {
  member: AuthenticatedMember;
  em: EntityManager;
}

/**
 * The existing REST API for this job, kept so its clients work unchanged while they move to
 * GraphQL. No logic of its own: every route is the same service call as its resolver. Unlike the
 * old API it requires the platform JWT. With a member token a `memberId` it is given must be the
 * token's member; with a service token (the platform's backend), the routes that name a scope act
 * for the member of the `memberId` query parameter, as the old API did; the others refuse it.
 */
export function restRoutes(services: Services): Router {
  const router = Router();
  router.use(express.json({ limit: '16kb' }), express.urlencoded({ extended: false, limit: '16kb' }));

  router.get('/openapi.json', (_req, res) => {
    res.json(REST_OPENAPI);
  });

  // `costs`: what the route spends from the caller's budgets besides the operation itself (the same as its GraphQL field).
  // `serviceScope`: the scope under which a service token may call the route for a memberId (none: members only).
  const handle =
    (work: (req: Request, caller: Caller) => Promise<{ message: string; data: unknown }>, costs: MemberCosts = {}, serviceScope?: ServiceScope) =>
    async (req: Request, res: Response, next: NextFunction) => {
      try {
        const principal = await services.auth.authenticate(req.headers.authorization);
        let member: AuthenticatedMember;
        if (principal.kind === 'service' && serviceScope) {
          const service = serviceWith(principal, serviceScope);
          const memberId = typeof req.query.memberId === 'string' ? req.query.memberId.trim() : '';
          if (!memberId || memberId.length > 255) {
            throw new AppError(ErrorCode.BAD_USER_INPUT, 'memberId (query parameter) is required with a service token.', { field: 'memberId' });
          }
          member = { memberId, expiresAt: principal.expiresAt };
          await services.memberLimits.consume(budgetKeyOf(principal), { operations: 1, ...costs });
          services.serviceAudit.acted(service, serviceScope, `REST ${req.method} ${REST_BASE_PATH}${req.path}`, { memberId });
        } else {
          member = memberOf(principal);
          const claimed = param(req, 'memberId');
          if (claimed !== undefined && claimed !== member.memberId) {
            throw new AppError(ErrorCode.FORBIDDEN, 'memberId does not match the signed-in member.', { field: 'memberId' });
          }
          await services.memberLimits.consume(member.memberId, { operations: 1, ...costs });
        }
        const { message, data } = await work(req, { member, em: forkEm(services.orm) });
        sendData(res, message, data);
      } catch (error) {
        next(error);
      }
    };

  router.get(
    '/oauth/url',
    handle(
      async (req, { member, em }) => {
        const provider = enumParam(req, 'provider', LoginProvider) ?? LoginProvider.FACEBOOK;
        const url = await services.connect.authorizeUrl(em, member.memberId, provider, param(req, 'redirectUri') ?? null);
        return { message: 'Send the member to this URL.', data: { url } };
      },
      { oauthUrls: 1 },
    ),
  );

  router.post(
    '/oauth/connect',
    handle(
      async (req, { member, em }) => {
        const state = param(req, 'state');
        if (!state) throw new AppError(ErrorCode.BAD_USER_INPUT, 'state is required: pass the state from the dialog redirect.', { field: 'state' });
        const accounts = await services.connect.connect(em, member.memberId, {
          code: param(req, 'code') ?? '',
          state,
          error: param(req, 'error') ?? null,
          errorReason: param(req, 'errorReason') ?? param(req, 'error_reason') ?? null,
          errorDescription: param(req, 'errorDescription') ?? param(req, 'error_description') ?? null,
        });
        return { message: `${accounts.length} Instagram account(s) connected.`, data: await views(em, accounts) };
      },
      { metaMutations: 1 },
    ),
  );

  router.get(
    '/accounts',
    handle(
      async (req, { member, em }) => {
        const statuses = param(req, 'statuses')
          ?.split(',')
          .filter(Boolean)
          .map((s) => enumValue(s.trim(), 'statuses', SocialConnectionStatus));
        const accounts = await services.accounts.list(em, member.memberId, statuses);
        return { message: 'OK', data: await views(em, accounts) };
      },
      {},
      'accounts:read',
    ),
  );

  router.delete(
    '/accounts/:accountNo',
    handle(async (req, { member, em }) => {
      const account = await services.accounts.disconnect(em, member.memberId, String(req.params.accountNo));
      return { message: 'The account is disconnected.', data: (await views(em, [account]))[0] };
    }),
  );

  router.post(
    '/accounts/:accountNo/sync',
    handle(
      async (req, { member, em }) => {
        const account = await services.syncCoalescer.sync(em, member.memberId, String(req.params.accountNo));
        return { message: 'The account is synced.', data: (await views(em, [account]))[0] };
      },
      { metaMutations: 1 },
    ),
  );

  /** Accounts in the old field names, with their creator metrics when they have some (one batch per request). */
  async function views(em: EntityManager, accounts: AccountSnapshot[]) {
    const scope = {};
    return Promise.all(
      accounts.map(async (account) => {
        const [metrics, growth] = await Promise.all([services.metricsReader.metrics(scope, em, account.id), services.metricsReader.growth(scope, em, account)]);
        return toLegacyAccount(account, { metrics, growth });
      }),
    );
  }

  router.use((req, res) => sendError(res, ErrorCode.NOT_FOUND, `No route ${req.method} ${REST_BASE_PATH}${req.path}.`));
  router.use(envelopeErrors(services.logger));
  return router;
}

/** A parameter from the query string or the body (JSON or form), as the old API accepted both. */
function param(req: Request, name: string): string | undefined {
  const fromQuery = req.query[name];
  const fromBody = req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>)[name] : undefined;
  const value = fromQuery ?? fromBody;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new AppError(ErrorCode.BAD_USER_INPUT, `${name} must be a single string.`, { field: name });
  return value;
}

function enumParam<T extends Record<string, string>>(req: Request, name: string, values: T): T[keyof T] | undefined {
  const raw = param(req, name);
  return raw === undefined ? undefined : enumValue(raw, name, values);
}

function enumValue<T extends Record<string, string>>(raw: string, name: string, values: T): T[keyof T] {
  const allowed = Object.values(values);
  if (!allowed.includes(raw)) throw new AppError(ErrorCode.BAD_USER_INPUT, `${name} must be one of ${allowed.join(', ')}.`, { field: name });
  return raw as T[keyof T];
}

import { ErrorCode } from '../../errors';
import { LoginProvider, PriceTier, SocialConnectionStatus } from '../../domain/social-account';

/**
 * OpenAPI 3.1 for the REST compatibility API. The committed copy (rest-openapi.json, written by
 * `npm run schema`) is checked against this and against the mounted routes by a test.
 */
const nullableString = { type: ['string', 'null'] };
const envelope = (data: object) => ({
  type: 'object',
  required: ['status', 'message', 'data'],
  properties: { status: { type: 'integer' }, message: { type: 'string' }, data },
});
const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelope' } } } });
const errors = (...codes: number[]) =>
  Object.fromEntries(
    codes.map((status) => [
      String(status),
      errorResponse(
        {
          400: 'Bad input (BAD_USER_INPUT, INVALID_OAUTH_STATE, OAUTH_DENIED, OAUTH_CODE_REJECTED)',
          401: 'Missing, invalid or expired JWT (UNAUTHENTICATED)',
          403: 'memberId is not the signed-in member (FORBIDDEN)',
          404: 'No such account for this member (NOT_FOUND)',
          409: 'The account needs a reconnect (ACCOUNT_DISCONNECTED, TOKEN_EXPIRED, PERMISSION_MISSING)',
          413: 'Body larger than 16 KB',
          422: 'Nothing linkable (NO_INSTAGRAM_ACCOUNT, PERSONAL_ACCOUNT_NOT_SUPPORTED)',
          429: 'RATE_LIMITED: the member is over a budget (details.scope "member") or Meta is rate limiting (details.scope "meta"); see details.retryAfterSeconds and Retry-After',
          503: 'Meta is not answering (UPSTREAM_UNAVAILABLE), or our database is briefly unreachable (SERVICE_UNAVAILABLE, with Retry-After); nothing was changed',
        }[status] ?? 'Error',
      ),
    ]),
  );
const memberIdParam = {
  name: 'memberId',
  in: 'query',
  required: false,
  description: "Kept for old clients. When given it must equal the JWT's `sub`.",
  schema: { type: 'string' },
};
const accountNoParam = {
  name: 'accountNo',
  in: 'path',
  required: true,
  description: 'The account id (`accountId`).',
  schema: { type: 'string', format: 'uuid' },
};
const ok = (description: string, data: object) => ({ '200': { description, content: { 'application/json': { schema: envelope(data) } } } });
const accountRef = { $ref: '#/components/schemas/Account' };

const accountProperties = {
  accountId: { type: 'string', format: 'uuid' },
  platform: { type: 'integer', const: 1, description: '1 = Instagram' },
  platformUserId: { type: 'string', description: 'Instagram professional account id (a string: ids exceed 2^53)' },
  username: { type: 'string' },
  name: nullableString,
  profilePictureUrl: nullableString,
  biography: nullableString,
  website: nullableString,
  followersCount: { type: 'integer' },
  followingCount: { type: 'integer' },
  mediaCount: { type: 'integer' },
  connectionStatus: { type: 'string', enum: Object.values(SocialConnectionStatus) },
  priceTier: { type: 'string', enum: Object.values(PriceTier) },
  price: { type: 'integer', description: 'Minor currency units' },
};

export const REST_OPENAPI = {
  openapi: '3.1.0',
  info: {
    title: 'Instagram Connect: REST compatibility API',
    version: '1.0.0',
    description:
      'The existing /ai/instagram REST API, served over the same services as the GraphQL API at /graphql. Unlike the old API, every route needs `Authorization: Bearer <platform JWT>`.',
  },
  servers: [{ url: '/ai/instagram' }],
  security: [{ bearer: [] }],
  paths: {
    '/oauth/url': {
      get: {
        operationId: 'oauthUrl',
        summary: 'The Meta dialog URL (Facebook Login unless provider=INSTAGRAM)',
        parameters: [
          memberIdParam,
          { name: 'provider', in: 'query', required: false, schema: { type: 'string', enum: Object.values(LoginProvider), default: 'FACEBOOK' } },
          { name: 'redirectUri', in: 'query', required: false, description: 'One of OAUTH_REDIRECT_URIS (default: the first).', schema: { type: 'string' } },
        ],
        responses: { ...ok('The URL', { type: 'object', required: ['url'], properties: { url: { type: 'string' } } }), ...errors(400, 401, 403) },
      },
    },
    '/oauth/connect': {
      post: {
        operationId: 'connect',
        summary: 'Completes the dialog round trip; the linked accounts',
        description: 'code and state (and, after a cancel, error/errorReason) in the query string, a JSON body or a form body.',
        parameters: [
          memberIdParam,
          {
            name: 'code',
            in: 'query',
            required: false,
            description: "From the redirect; Meta's trailing #_ or #_=_ is ignored. Empty after a cancel.",
            schema: { type: 'string' },
          },
          {
            name: 'state',
            in: 'query',
            required: true,
            description: "From the redirect; Meta's trailing #_=_ or #_ is ignored.",
            schema: { type: 'string' },
          },
          { name: 'error', in: 'query', required: false, schema: { type: 'string' } },
          { name: 'errorReason', in: 'query', required: false, schema: { type: 'string' } },
        ],
        responses: { ...ok('The linked accounts', { type: 'array', items: accountRef }), ...errors(400, 401, 403, 413, 422, 429, 503) },
      },
    },
    '/accounts': {
      get: {
        operationId: 'listAccounts',
        summary: "The member's accounts, newest first (all but DISCONNECTED unless statuses is given)",
        parameters: [
          memberIdParam,
          { name: 'statuses', in: 'query', required: false, description: 'Comma-separated connection statuses.', schema: { type: 'string' } },
        ],
        responses: { ...ok('The accounts', { type: 'array', items: accountRef }), ...errors(400, 401, 403) },
      },
    },
    '/accounts/{accountNo}': {
      delete: {
        operationId: 'disconnectAccount',
        summary: 'Disconnects the account (idempotent; deletes its tokens)',
        parameters: [accountNoParam, memberIdParam],
        responses: { ...ok('The disconnected account', accountRef), ...errors(400, 401, 403, 404) },
      },
    },
    '/accounts/{accountNo}/sync': {
      post: {
        operationId: 'syncAccount',
        summary: 'Fresh profile figures and price from Meta',
        parameters: [accountNoParam, memberIdParam],
        responses: { ...ok('The synced account', accountRef), ...errors(400, 401, 403, 404, 409, 429, 503) },
      },
    },
  },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    schemas: {
      Account: {
        type: 'object',
        // Every field is present in an answer; the nullable ones may be null.
        required: Object.entries(accountProperties)
          .filter(([, schema]) => schema !== nullableString)
          .map(([name]) => name),
        properties: accountProperties,
      },
      ErrorEnvelope: {
        type: 'object',
        required: ['status', 'message', 'data', 'code'],
        properties: {
          status: { type: 'integer' },
          message: { type: 'string' },
          data: { type: 'null' },
          code: { type: 'string', enum: Object.values(ErrorCode) },
          details: { type: 'object', description: 'Extra fields of the error (retryAfterSeconds, reason, field...)' },
        },
      },
    },
  },
} as const;

import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Tokens, secrets and OAuth authorization codes must never reach a log line. Redaction catches
 * them where they are structured fields; Meta clients never log URLs with query strings in the
 * first place. A bare `code` is NOT redacted: in our log lines it is Meta's error code (190, 4,
 * 80002...), which an operator needs to see, as are `subcode` and `metaCode`. An OAuth code is
 * logged only under a name that says so (`oauthCode`) or inside a request's query or body, and
 * those paths are redacted.
 */
const SECRET_FIELDS = [
  'access_token',
  'accessToken',
  'token',
  'input_token',
  'fb_exchange_token',
  'refresh_token',
  'client_secret',
  'clientSecret',
  'appsecret_proof',
  'appSecret',
  'secret',
  'password',
  'authorization',
  'signed_request',
  'signedRequest',
  'oauthCode',
];
/** Where an authorization code travels as plain `code`: a request's query string or body, GraphQL variables. */
const OAUTH_CODE_PATHS = ['query.code', 'body.code', 'form.code', 'variables.code', '*.variables.code'];
/** A logged request's query and body: two levels deep, so `*.field` alone would miss them. */
const REQUEST_PATHS = ['req.query', 'req.body'].flatMap((at) => [...SECRET_FIELDS, 'code'].map((field) => `${at}.${field}`));
const REDACT_PATHS = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((field) => `*.${field}`),
  ...OAUTH_CODE_PATHS,
  ...REQUEST_PATHS,
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: { err: pino.stdSerializers.err },
    },
    destination,
  );
}

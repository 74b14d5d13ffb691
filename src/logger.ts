import pino, { type Logger } from 'pino';
import pinoPretty from 'pino-pretty';

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

/** `auto`: pretty when stdout is a terminal outside production, JSON otherwise (LOG_FORMAT). */
export type LogFormat = 'auto' | 'json' | 'pretty';

export interface LoggerOptions {
  format?: LogFormat;
  production?: boolean;
  /** Whether the output is a terminal; defaults to process.stdout.isTTY (tests pass it). */
  isTTY?: boolean;
}

/** People read a terminal; log pipelines (and production, always by default) read JSON. */
export function resolveLogFormat({ format = 'auto', production = false, isTTY = Boolean(process.stdout.isTTY) }: LoggerOptions): 'json' | 'pretty' {
  if (format !== 'auto') return format;
  return isTTY && !production ? 'pretty' : 'json';
}

const prettyLoggers = new WeakSet<Logger>();

/** True when lines go to a person (pino-pretty), so multi-line text such as the sandbox banner reads as written. */
export function isPrettyLogger(logger: Logger): boolean {
  return prettyLoggers.has(logger);
}

export function createLogger(level: string, destination?: pino.DestinationStream, options: LoggerOptions = {}): Logger {
  // An explicit destination (tests, benchmarks) gets JSON unless pretty is asked for by name.
  const pretty = destination ? options.format === 'pretty' : resolveLogFormat(options) === 'pretty';
  const logger = pino(
    {
      level,
      base: undefined,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: { err: pino.stdSerializers.err },
    },
    pretty
      ? pinoPretty({
          destination: destination ?? 1,
          colorize: !destination && Boolean(process.stdout.isTTY),
          sync: true, // a crash at startup must not lose its last lines
          translateTime: 'SYS:HH:MM:ss.l',
          ignore: 'pid,hostname',
        })
      : destination,
  );
  if (pretty) prettyLoggers.add(logger);
  return logger;
}

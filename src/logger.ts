import pino, { type Logger } from 'pino';
import pinoPretty from 'pino-pretty';

export type { Logger };

/**
 * Tokens and secrets must never reach a log line. Redaction catches them where they are
 * structured fields; Meta clients never log URLs with query strings in the first place.
 */
const REDACT_PATHS = [
  'access_token',
  'accessToken',
  'token',
  'code',
  'client_secret',
  'appsecret_proof',
  'authorization',
  'password',
  'secret',
  '*.access_token',
  '*.accessToken',
  '*.token',
  '*.code',
  '*.client_secret',
  '*.appsecret_proof',
  '*.authorization',
  '*.secret',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
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

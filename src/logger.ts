import pino, { type Logger } from 'pino';

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

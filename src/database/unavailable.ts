/**
 * Whether an error means "PostgreSQL cannot be reached right now" (restart, failover, network),
 * as opposed to a bug or bad data. Such errors answer SERVICE_UNAVAILABLE (retryable) instead of
 * INTERNAL_SERVER_ERROR. The signs come from three layers, all seen in our outage tests:
 * - node's socket errors while connecting or on a dead socket (ECONNREFUSED, ECONNRESET...);
 * - PostgreSQL's own SQLSTATEs: class 08 (connection exception), 57P01-57P03 (the server is
 *   shutting down, crashed, or still starting up), 53300 (too many connections);
 * - pg / knex messages that carry no code ("Connection terminated unexpectedly", knex's pool
 *   "Timeout acquiring a connection").
 * MikroORM wraps driver errors in DriverException, copying code and message; `cause` and
 * `previous` are followed too.
 */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
const MESSAGES = [
  /connection terminated/i,
  /connection ended unexpectedly/i,
  /client has encountered a connection error/i,
  /timeout acquiring a connection/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /terminating connection due to administrator command/i,
  /client was closed and is not queryable/i,
];

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 4) return false;
  const { code, sqlState, message, name, cause, previous } = error as Record<string, unknown>;
  for (const value of [code, sqlState]) {
    if (typeof value !== 'string') continue;
    if (SOCKET_CODES.has(value) || SQLSTATES.has(value) || /^08[0-9A-Z]{3}$/.test(value)) return true;
  }
  if (name === 'KnexTimeoutError') return true;
  if (typeof message === 'string' && MESSAGES.some((pattern) => pattern.test(message))) return true;
  if (error instanceof AggregateError && error.errors.some((e) => isDatabaseUnavailable(e, depth + 1))) return true;
  return isDatabaseUnavailable(cause, depth + 1) || (previous !== error && isDatabaseUnavailable(previous, depth + 1));
}

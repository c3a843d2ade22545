/**
 * Errors that mean "no usable connection", as opposed to an error in the SQL itself: the
 * server is away, restarting, refusing connections for now, or the socket broke.
 *
 * SQLSTATE class 08 is "connection exception"; 57P01..57P03 are the server shutting down
 * or still starting (admin_shutdown, crash_shutdown, cannot_connect_now); 53300 is
 * too_many_connections. See https://www.postgresql.org/docs/current/errcodes-appendix.html
 */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);
const SERVER_CODES = new Set(['57P01', '57P02', '57P03', '53300']);
const MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'connection timeout',
];

export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || SERVER_CODES.has(code) || code.startsWith('08')) return true;
  }
  if (error instanceof AggregateError) return error.errors.some(isConnectionError);
  return MESSAGES.some((m) => error.message.includes(m));
}

/** A short, secret-free description for logs and health: the code when there is one. */
export function describeDatabaseError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const message =
    error.message || (error instanceof AggregateError ? error.errors.map(describeDatabaseError).join('; ') : '');
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}

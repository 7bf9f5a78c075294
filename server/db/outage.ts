/**
 * Which errors mean "the database is not reachable right now" (an outage: a restart, a failover,
 * a stopped embedded engine) rather than a fault in a request or a query. Such an error answers
 * 503 with Retry-After, never 500: the client may simply try again.
 */

/** Seconds a client is told to wait before trying again during an outage. */
export const OUTAGE_RETRY_AFTER_S = 5;

// PostgreSQL SQLSTATEs: 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now
// (starting up or shutting down), 53300 too_many_connections; class 08 is connection exceptions.
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
// Node's socket errors on the way to a server that is not there (or went away mid-request).
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EAI_AGAIN',
]);
// node-postgres and pg-pool report a lost or never-made connection with these messages only.
const MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error and is not queryable|Cannot use a pool after calling end|Client was closed and is not queryable|the database system is (starting up|shutting down|in recovery mode)/;

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  address?: unknown;
  syscall?: unknown;
  errors?: unknown;
  cause?: unknown;
}

/**
 * True for an error that means the database cannot be reached now: PostgreSQL's shutdown and
 * connection codes, a refused, reset or timed-out TCP connection, a Unix socket that is missing
 * (ENOENT) or not ours to open (EACCES), a connection that ended under a query, and pg-pool's
 * connect timeout. Looks through AggregateError (Node tries every address of a host name) and
 * `cause`.
 */
export function isDatabaseOutage(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 4) return false;
  const e = err as ErrorLike;
  const code = typeof e.code === 'string' ? e.code : '';
  if (SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code) || SOCKET_CODES.has(code)) return true;
  if ((code === 'ENOENT' || code === 'EACCES') && isSocketConnect(e)) return true;
  if (typeof e.message === 'string' && MESSAGES.test(e.message)) return true;
  if (Array.isArray(e.errors) && e.errors.some((x) => isDatabaseOutage(x, depth + 1))) return true;
  return isDatabaseOutage(e.cause, depth + 1);
}

/** ENOENT/EACCES from connecting to a Unix socket path, not from opening a file of our own. */
function isSocketConnect(e: ErrorLike): boolean {
  if (e.syscall === 'connect') return true;
  if (typeof e.address === 'string' && e.address.startsWith('/')) return true;
  return typeof e.message === 'string' && /^connect (ENOENT|EACCES) \//.test(e.message);
}

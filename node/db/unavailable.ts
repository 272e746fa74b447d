// Tells a database that cannot be reached (down, restarting, refusing connections)
// from a query that failed: the first is worth a retry, the second is not.
// Covers the postgres driver's own connection codes, the socket errors under it
// and the SQLSTATEs a server answers while it shuts down or starts up.

const DRIVER_CODES = new Set(['CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT']);
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
// 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now, 53300 too_many_connections,
// 25P03 idle_in_transaction_session_timeout (a session cut after the driver lost track of it, see
// IDLE_IN_TRANSACTION_TIMEOUT_MS); class 08 (connection exception) except 08P01, a protocol violation.
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '25P03']);

export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, name } = error as { code?: unknown; name?: unknown };
  if (typeof code !== 'string') return false;
  if (name === 'PostgresError') return SQLSTATES.has(code) || (code.startsWith('08') && code !== '08P01');
  return DRIVER_CODES.has(code) || SOCKET_CODES.has(code);
}

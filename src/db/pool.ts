// The one pg Pool. Timeouts are set so that a database outage turns into a fast 503 instead of a hang,
// and idle-client errors (a restarted server) are logged rather than crashing the process.
import pg from 'pg';
import type { Logger } from 'pino';

export type Pool = pg.Pool;
export type Queryable = pg.Pool | pg.PoolClient;

export interface PoolOptions {
  connectionString: string;
  max: number;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  applicationName?: string;
}

export function createPool(options: PoolOptions, logger: Logger): Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max,
    connectionTimeoutMillis: options.connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    statement_timeout: options.statementTimeoutMs,
    query_timeout: options.statementTimeoutMs + 1_000,
    application_name: options.applicationName ?? 'pole-emploi-connect',
  });
  pool.on('error', (err) => logger.warn({ err: { message: err.message } }, 'idle database client error'));
  return pool;
}

// SQLSTATE classes and node errors that mean "the database is unreachable", not "the query is wrong".
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  // statement_timeout: the server is up but too busy or too locked to answer in time.
  '57014',
]);

export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: string }).code;
  if (code && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true;
  // pg's own messages: a pool that cannot connect in time, a connection that died under a query, a
  // client reused after its connection broke, a server that stopped answering (query_timeout).
  return /timeout exceeded when trying to connect|Connection terminated|connect ECONNREFUSED|not queryable|Query read timeout/i.test(
    err.message,
  );
}

// Text PostgreSQL cannot store — a NUL character (in text: 22021, in jsonb: 22P05) or a lone UTF-16
// surrogate in JSON (22P02 "invalid input syntax for type json") — only ever comes from a request's
// parameters: it is the request that is wrong (a 400), not the server (a 500).
export function isUnstorableText(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: string }).code;
  return code === '22021' || code === '22P05' || (code === '22P02' && /type json/.test(err.message));
}

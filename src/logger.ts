// pino, with every path that could carry a token, a password, a cookie or a profile value redacted.
// Request logs carry the path only, never the query string (codes, state and tokens travel there).
import { type Logger, pino } from 'pino';

const SECRET_KEYS = [
  'password',
  'client_secret',
  'access_token',
  'refresh_token',
  'id_token',
  'code',
  'token',
  'claims',
  'value',
  'data',
];

// `*.key` matches one level down only: the top-level keys are listed too.
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((key) => `*.${key}`),
  // pino's wildcards match one level; objects we log are shallow, but cover one more to be safe.
  ...SECRET_KEYS.map((key) => `*.*.${key}`),
];

const BASE = { service: 'pole-emploi-connect' };

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: BASE,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

/** The server's log stream: stdout, written asynchronously and in blocks of at least 4 KiB, or once
 * a second when less has come, so that a busy instance makes a write call per block rather than per
 * request line; `flushSync` at exit writes what is left. */
export function stdoutDestination() {
  const destination = pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 1_000 });
  process.on('exit', () => {
    try {
      destination.flushSync();
    } catch {
      // nothing left to do with a log line at exit
    }
  });
  return destination;
}

/** A logger for request-log lines only, on the same stream and level as `logger`, without the
 * redaction pass: their fields are a fixed set built by request-logger.ts (id, method, path, status,
 * duration), none of which can carry a secret the redaction would catch, and that pass was most of
 * the cost of a line. Everything else goes through `logger`. */
export function requestLineLogger(logger: Logger): Logger {
  const stream = (logger as unknown as Record<symbol, pino.DestinationStream>)[pino.symbols.streamSym];
  return pino({ level: logger.level, base: BASE, timestamp: pino.stdTimeFunctions.isoTime }, stream);
}

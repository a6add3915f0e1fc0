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

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'pole-emploi-connect' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

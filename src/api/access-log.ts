// Records every read of the resource API without making reads slow: entries are buffered in memory
// and written in one multi-row INSERT per tick (append-only, no counters to update), so a busy app
// costs one small write a second per instance, not one contended write per read. If the database is
// briefly unreachable the buffer is kept (bounded) and retried; shutdown flushes what is left.
import type { Logger } from 'pino';
import type { Pool } from '../db/pool.ts';
import { insertAccessLogEntries } from './access-log-queries.ts';

export interface AccessLogEntry {
  jobseekerId: string;
  clientId: string;
  scope: string;
  fields: string[];
  readAt: Date;
  /** the legacy API read (its path under /partenaire), when it was one (src/legacy-api) */
  api?: string;
}

export interface AccessLog {
  record(entry: AccessLogEntry): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export function createAccessLog(
  pool: Pool,
  logger: Logger,
  options: { flushEveryMs?: number; maxBuffered?: number } = {},
): AccessLog {
  const flushEveryMs = options.flushEveryMs ?? 1_000;
  const maxBuffered = options.maxBuffered ?? 50_000;
  let buffer: AccessLogEntry[] = [];
  let flushing: Promise<void> | undefined;

  async function writeOut(): Promise<void> {
    while (buffer.length) {
      const batch = buffer.slice(0, 5_000);
      try {
        await insertAccessLogEntries(pool, batch);
        buffer = buffer.slice(batch.length);
      } catch (err) {
        logger.warn(
          { err: { message: (err as Error).message }, buffered: buffer.length },
          'access log write failed; will retry',
        );
        return;
      }
    }
  }

  const flush = (): Promise<void> => {
    flushing ??= writeOut().finally(() => {
      flushing = undefined;
    });
    return flushing;
  };

  const timer = setInterval(() => void flush(), flushEveryMs);
  timer.unref();

  return {
    record(entry) {
      if (buffer.length >= maxBuffered) {
        // Only under a long outage: keep the newest reads and say so.
        buffer.shift();
        logger.error('access log buffer full: dropping the oldest entry');
      }
      buffer.push(entry);
    },
    async flush() {
      await flush();
      // A flush already under way may not have included the newest entries.
      if (buffer.length) await flush();
    },
    async close() {
      clearInterval(timer);
      await this.flush();
    },
  };
}

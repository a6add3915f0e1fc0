// Deletes expired oidc-provider rows and web sessions in small batches with pauses, so the purge
// never holds long locks or competes with traffic. One timer per instance; batches are idempotent.
import type { Logger } from 'pino';
import type { Pool } from '../db/pool.ts';
import { purgeExpiredSessions } from '../http/session-queries.ts';
import { purgeExpiredModels } from '../oidc/oidc-model-queries.ts';

const BATCH = 1_000;

export async function purgeExpired(pool: Pool): Promise<number> {
  let total = 0;
  for (const purge of [purgeExpiredModels, purgeExpiredSessions]) {
    for (;;) {
      const deleted = await purge(pool, BATCH);
      total += deleted;
      if (deleted < BATCH) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return total;
}

export function schedulePurge(pool: Pool, logger: Logger, everyMs = 10 * 60_000): () => void {
  const timer = setInterval(() => {
    purgeExpired(pool)
      .then((n) => n && logger.info({ deleted: n }, 'expired rows purged'))
      .catch((err: Error) => logger.warn({ err: { message: err.message } }, 'purge failed; will retry'));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

// Housekeeping, in small batches with pauses so it never holds long locks or competes with traffic:
// records the expiry of consents past their date, deletes expired oidc-provider rows, web sessions
// and used DPoP proof ids; for the access log, creates the months ahead and drops whole months past
// their retention (access-log-retention.ts); deletes the security events and Logout Tokens past
// theirs (src/ssf/outbox-retention-queries.ts). One timer per instance; every step is safe to run on
// several instances at once.
import type { Logger } from 'pino';
import { purgeExpiredDpopJti } from '../api/dpop-queries.ts';
import type { ConsentChanges } from '../consents/consent-changes.ts';
import type { Pool } from '../db/pool.ts';
import { purgeExpiredSessions } from '../http/session-queries.ts';
import { purgeExpiredModels } from '../oidc/oidc-model-queries.ts';
import { purgeOldAttempts } from '../security/login-throttle-queries.ts';
import { outboxes, purgeOutbox } from '../ssf/outbox-retention-queries.ts';
import { dropExpiredAccessLogMonths, purgeLegacyRows } from './access-log-retention.ts';

const BATCH = 1_000;
const pause = () => new Promise((resolve) => setTimeout(resolve, 50));

async function drain(step: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const done = await step();
    total += done;
    if (done < BATCH) return total;
    await pause();
  }
}

export interface Housekeeping {
  pool: Pool;
  consentChanges: ConsentChanges;
  accessLogRetentionDays: number;
  /** days; the defaults of SSF_DELIVERED_RETENTION_DAYS and SSF_UNDELIVERED_RETENTION_DAYS */
  outboxRetention?: { deliveredDays: number; undeliveredDays: number };
  logger?: Logger;
}

async function purgeOutboxes(h: Housekeeping): Promise<number> {
  const { deliveredDays, undeliveredDays } = h.outboxRetention ?? { deliveredDays: 30, undeliveredDays: 90 };
  let total = 0;
  for (const outbox of outboxes) {
    total += await drain(() => purgeOutbox(h.pool, outbox, 'delivered', deliveredDays, BATCH));
    total += await drain(() => purgeOutbox(h.pool, outbox, 'undelivered', undeliveredDays, BATCH));
  }
  return total;
}

export async function purgeExpired(h: Housekeeping): Promise<Record<string, number>> {
  const months = await dropExpiredAccessLogMonths(h.pool, h.accessLogRetentionDays, h.logger);
  return {
    accessLogMonthsCreated: months.partitionsCreated,
    accessLogMonthsDropped: months.partitionsDropped.length,
    consentsExpired: await drain(() => h.consentChanges.expireDue(BATCH)),
    oidcRows: await drain(() => purgeExpiredModels(h.pool, BATCH)),
    sessions: await drain(() => purgeExpiredSessions(h.pool, BATCH)),
    accessLog: await drain(() => purgeLegacyRows(h.pool, h.accessLogRetentionDays, BATCH)),
    loginAttempts: await purgeOldAttempts(h.pool),
    dpopProofs: await drain(() => purgeExpiredDpopJti(h.pool, BATCH)),
    outboxEvents: await purgeOutboxes(h),
  };
}

export function schedulePurge(h: Housekeeping, logger: Logger, everyMs = 5 * 60_000): () => void {
  const run = { ...h, logger: h.logger ?? logger };
  const timer = setInterval(() => {
    purgeExpired(run)
      .then((counts) => logger.info(counts, 'housekeeping done'))
      .catch((err: Error) =>
        logger.warn({ err: { message: err.message } }, 'housekeeping failed; will retry'),
      );
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

import type { Queryable } from '../db/pool.ts';
import type { ConsentRow } from './consent-queries.ts';

// Locks one consent, but only if it belongs to this jobseeker: another person's id is simply not found.
export async function lockOwnConsent(
  db: Queryable,
  jobseekerId: string,
  consentId: string,
): Promise<ConsentRow | undefined> {
  if (!/^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(consentId)) return undefined;
  const { rows } = await db.query<ConsentRow>(
    'SELECT * FROM consents WHERE id = $1 AND jobseeker_id = $2 FOR UPDATE',
    [consentId, jobseekerId],
  );
  return rows[0];
}

// Locks every active consent of this jobseeker (expired or not: the expiry job may not have passed),
// in id order, so that two « revoke all » requests lock in the same order instead of deadlocking.
export async function lockOwnActiveConsents(db: Queryable, jobseekerId: string): Promise<ConsentRow[]> {
  const { rows } = await db.query<ConsentRow>(
    "SELECT * FROM consents WHERE jobseeker_id = $1 AND status = 'active' ORDER BY id FOR UPDATE",
    [jobseekerId],
  );
  return rows;
}

export async function setConsentFields(db: Queryable, id: string, fields: string[]): Promise<void> {
  await db.query('UPDATE consents SET fields = $2, updated_at = now() WHERE id = $1', [id, fields]);
}

export async function markConsentRevoked(db: Queryable, id: string): Promise<void> {
  await db.query(
    "UPDATE consents SET status = 'revoked', fields = '{}', revoked_at = now(), updated_at = now() WHERE id = $1",
    [id],
  );
}

export async function extendConsent(db: Queryable, id: string, days: number): Promise<ConsentRow> {
  const { rows } = await db.query<ConsentRow>(
    'UPDATE consents SET expires_at = now() + make_interval(days => $2), updated_at = now() WHERE id = $1 RETURNING *',
    [id, days],
  );
  return rows[0] as ConsentRow;
}

// Marks up to `batch` active consents past their expiry as expired and returns them, locked rows
// skipped so that two instances running the job never expire the same consent twice.
export async function expireDueConsents(db: Queryable, batch: number): Promise<ConsentRow[]> {
  const { rows } = await db.query<ConsentRow>(
    `UPDATE consents SET status = 'expired', updated_at = now()
      WHERE id IN (
        SELECT id FROM consents WHERE status = 'active' AND expires_at <= now()
        ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED
      )
      RETURNING *`,
    [batch],
  );
  return rows;
}

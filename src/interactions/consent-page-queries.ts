import type { Queryable } from '../db/pool.ts';

export interface ConsentPageData {
  claims: Record<string, unknown>;
  /** the jobseeker's data, by scope */
  data: Record<string, unknown>;
  /** the fields of the live consent to this app; null without one */
  live_fields: string[] | null;
}

/** $1: the jobseeker, $2: the app. */
export const CONSENT_PAGE_DATA_SQL = `SELECT j.claims,
                  coalesce((SELECT jsonb_object_agg(d.scope, d.value)
                              FROM jobseeker_data d WHERE d.jobseeker_id = j.id), '{}') AS data,
                  c.fields AS live_fields
             FROM jobseekers j
             LEFT JOIN consents c
                    ON c.jobseeker_id = j.id AND c.client_id = $2
                   AND c.status = 'active' AND c.expires_at > now()
            WHERE j.id = $1`;

// What the consent page shows of the jobseeker — claims, data and what they already granted this app —
// in one round trip. Undefined for an unknown jobseeker.
export async function findConsentPageData(
  db: Queryable,
  jobseekerId: string,
  clientId: string,
): Promise<ConsentPageData | undefined> {
  // Ids come from sessions; a malformed one is simply unknown, not a database error.
  if (!/^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(jobseekerId)) return undefined;
  const { rows } = await db.query<ConsentPageData>({
    name: 'consent-page-data',
    text: CONSENT_PAGE_DATA_SQL,
    values: [jobseekerId, clientId],
  });
  return rows[0];
}

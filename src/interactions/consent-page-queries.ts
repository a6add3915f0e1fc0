import type { Queryable } from '../db/pool.ts';
import { findWithLiveConsent, jobseekerWithLiveConsentSql } from '../profiles/jobseeker-queries.ts';

export interface ConsentPageData {
  claims: Record<string, unknown>;
  /** the jobseeker's data, by scope */
  data: Record<string, unknown>;
  /** the fields of the live consent to this app; null without one */
  live_fields: string[] | null;
  /** a sandbox persona: the page's sandbox gate (sandbox-gate.ts) reads it here */
  sandbox: boolean;
}

/** $1: the jobseeker, $2: the app. */
export const CONSENT_PAGE_DATA_SQL = jobseekerWithLiveConsentSql(`j.claims,
                  coalesce((SELECT jsonb_object_agg(d.scope, d.value)
                              FROM jobseeker_data d WHERE d.jobseeker_id = j.id), '{}') AS data,
                  c.fields AS live_fields,
                  j.sandbox`);

// What the consent page shows of the jobseeker — claims, data and what they already granted this app —
// in one round trip. Undefined for an unknown jobseeker.
export const findConsentPageData = (db: Queryable, jobseekerId: string, clientId: string) =>
  findWithLiveConsent<ConsentPageData>(
    db,
    { name: 'consent-page-data', text: CONSENT_PAGE_DATA_SQL },
    jobseekerId,
    clientId,
  );

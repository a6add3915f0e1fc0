// GDPR Art. 15 and 20: everything we hold about a jobseeker, in the JSON schema documented in
// docs/export-schema.json — profile, consents, mandates, the consent events (oldest first), who read
// what, and their Emploi Store choices.
import type { Queryable } from '../db/pool.ts';
import { AppError } from '../http/app-error.ts';
import { findAllJobseekerData, findJobseekerById } from '../profiles/jobseeker-queries.ts';
import { findStorePreferences } from '../store/store-queries.ts';
import { allAccessLog, listConsentEvents, listConsents, listMandates } from './dashboard-queries.ts';

interface Agreement {
  status: 'active' | 'revoked' | 'expired';
  fields: string[];
  granted_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
}

/** A consent's or a mandate's state as exported: an active one past its expiry is expired. */
function agreementState(a: Agreement, now: number) {
  return {
    status: a.status === 'active' && a.expires_at.getTime() <= now ? 'expired' : a.status,
    fields: a.fields,
    granted_at: a.granted_at.toISOString(),
    expires_at: a.expires_at.toISOString(),
    revoked_at: a.revoked_at?.toISOString() ?? null,
  };
}

export async function dataExport(db: Queryable, jobseekerId: string, retention: number) {
  const [jobseeker, data, consents, events, reads, mandates, storeChoices] = await Promise.all([
    findJobseekerById(db, jobseekerId),
    findAllJobseekerData(db, jobseekerId),
    listConsents(db, jobseekerId),
    listConsentEvents(db, jobseekerId),
    allAccessLog(db, jobseekerId, retention),
    listMandates(db, jobseekerId),
    findStorePreferences(db, jobseekerId),
  ]);
  if (!jobseeker) throw new AppError(404, 'not_found', 'Compte introuvable.');
  const now = Date.now();
  return {
    schema: 'https://pole-emploi-connect/schemas/export/v1',
    exported_at: new Date().toISOString(),
    profile: { login: jobseeker.login, claims: jobseeker.claims, data },
    consents: consents.map((c) => ({
      id: c.id,
      client: { id: c.client_id, name: c.client_name, operator: c.operator_name },
      ...agreementState(c, now),
    })),
    mandates: mandates.map((m) => ({
      id: m.id,
      advisor: { id: m.advisor_id, name: m.advisor_name, agency: m.agency },
      ...agreementState(m, now),
    })),
    consent_events: events
      .slice()
      .reverse()
      .map((e) => ({
        id: Number(e.id),
        consent_id: e.consent_id,
        client_id: e.client_id,
        ...(e.advisor_id ? { advisor_id: e.advisor_id } : {}),
        kind: e.kind,
        fields_added: e.fields_added,
        fields_removed: e.fields_removed,
        fields_after: e.fields_after,
        actor: e.actor,
        at: e.created_at.toISOString(),
        texts_hash: e.texts_hash,
        texts: e.texts ?? null,
      })),
    access_log: reads.map((r) => ({
      client_id: r.client_id,
      ...(r.advisor_id ? { advisor_id: r.advisor_id } : {}),
      client_name: r.client_name,
      scope: r.scope,
      fields: r.fields,
      read_at: r.read_at.toISOString(),
      api: r.api,
    })),
    // The Emploi Store keeps only these choices of the jobseeker (src/store/store-queries.ts).
    recommendation_choices: storeChoices,
  };
}

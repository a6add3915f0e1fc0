// Every query here is scoped by the jobseeker id taken from the session: one jobseeker can never read
// another's consents, events or reads. Every read of the access log bounds read_at, its partition key
// (migration 082), by the retention: PostgreSQL then scans only the months within it (pruned when
// the executor starts, now() being stable), and reads past the retention that are still on disk
// until their month is dropped are never shown (src/jobs/access-log-retention.ts).
import type { Queryable } from '../db/pool.ts';

export interface ConsentWithClient {
  id: string;
  client_id: string;
  status: 'active' | 'revoked' | 'expired';
  fields: string[];
  granted_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  updated_at: Date;
  client_name: string;
  client_description: string;
  operator_name: string;
  website: string | null;
  policy_uri: string | null;
  contact_email: string | null;
}

export async function listConsents(db: Queryable, jobseekerId: string): Promise<ConsentWithClient[]> {
  const { rows } = await db.query<ConsentWithClient>(
    `SELECT c.id, c.client_id, c.status, c.fields, c.granted_at, c.expires_at, c.revoked_at, c.updated_at,
            cl.name AS client_name, cl.description AS client_description, cl.operator_name, cl.website,
            cl.policy_uri, cl.contact_email
       FROM consents c JOIN clients cl ON cl.id = c.client_id
      WHERE c.jobseeker_id = $1
      ORDER BY c.granted_at DESC`,
    [jobseekerId],
  );
  return rows;
}

export interface ReadStat {
  client_id: string;
  scope: string;
  last_read: Date;
  reads_30d: number;
}

export async function readStats(
  db: Queryable,
  jobseekerId: string,
  retentionDays: number,
): Promise<ReadStat[]> {
  const { rows } = await db.query<ReadStat>(
    `SELECT client_id, scope, max(read_at) AS last_read,
            count(*) FILTER (WHERE read_at > now() - interval '30 days')::int AS reads_30d
       FROM access_log WHERE jobseeker_id = $1 AND read_at > now() - make_interval(days => $2)
      GROUP BY client_id, scope`,
    [jobseekerId, retentionDays],
  );
  return rows;
}

export interface ConsentEventRow {
  id: string;
  consent_id: string;
  client_id: string;
  kind: string;
  fields_added: string[];
  fields_removed: string[];
  fields_after: string[];
  actor: string;
  created_at: Date;
  texts_hash: string | null;
  texts: unknown;
}

export async function listConsentEvents(
  db: Queryable,
  jobseekerId: string,
  consentId?: string,
): Promise<ConsentEventRow[]> {
  const { rows } = await db.query<ConsentEventRow>(
    `SELECT e.id::text, e.consent_id, e.client_id, e.kind, e.fields_added, e.fields_removed, e.fields_after,
            e.actor, e.created_at, e.texts_hash, t.texts
       FROM consent_events e LEFT JOIN consent_texts t ON t.hash = e.texts_hash
      WHERE e.jobseeker_id = $1 AND ($2::uuid IS NULL OR e.consent_id = $2::uuid)
      ORDER BY e.id DESC`,
    [jobseekerId, consentId ?? null],
  );
  return rows;
}

export interface AccessLogRow {
  id: string;
  client_id: string;
  client_name: string | null;
  scope: string;
  fields: string[];
  read_at: Date;
  /** the legacy Pôle emploi Connect API read (its path under /partenaire), or null */
  api: string | null;
}

// Keyset pagination, newest first: stays fast however long the log grows.
export async function accessLogPage(
  db: Queryable,
  jobseekerId: string,
  before: { readAt: Date; id: string } | undefined,
  limit: number,
  retentionDays: number,
): Promise<AccessLogRow[]> {
  // `read_at <= coalesce($2, 'infinity')` repeats the keyset condition in a form the planner can prune
  // by (not inside an OR): later pages skip the newer months.
  const { rows } = await db.query<AccessLogRow>(
    `SELECT a.id::text, a.client_id, cl.name AS client_name, a.scope, a.fields, a.read_at, a.api
       FROM access_log a LEFT JOIN clients cl ON cl.id = a.client_id
      WHERE a.jobseeker_id = $1 AND a.read_at > now() - make_interval(days => $5)
        AND a.read_at <= coalesce($2::timestamptz, 'infinity')
        AND ($2::timestamptz IS NULL OR (a.read_at, a.id) < ($2::timestamptz, $3::bigint))
      ORDER BY a.read_at DESC, a.id DESC
      LIMIT $4`,
    [jobseekerId, before?.readAt ?? null, before?.id ?? null, limit, retentionDays],
  );
  return rows;
}

export async function allAccessLog(
  db: Queryable,
  jobseekerId: string,
  retentionDays: number,
): Promise<AccessLogRow[]> {
  const { rows } = await db.query<AccessLogRow>(
    `SELECT a.id::text, a.client_id, cl.name AS client_name, a.scope, a.fields, a.read_at, a.api
       FROM access_log a LEFT JOIN clients cl ON cl.id = a.client_id
      WHERE a.jobseeker_id = $1 AND a.read_at > now() - make_interval(days => $2)
      ORDER BY a.read_at, a.id`,
    [jobseekerId, retentionDays],
  );
  return rows;
}

// EXPLAIN (ANALYZE, BUFFERS) of every query on the hot paths, with real parameters taken from the bench
// database, flagging any sequential scan. Writes are explained inside a transaction that is rolled
// back, so nothing changes. The SQL is imported from src/ where it is exported, otherwise copied from
// src/**/…-queries.ts (the file is named beside it).
import { API_CALLER_SQL } from '../src/api/api-caller-queries.ts';
import { CLIENT_COLUMNS } from '../src/clients/client-queries.ts';
import { LIVE_TEXTS_CHECK_SQL } from '../src/consents/consent-queries.ts';
import type { Pool } from '../src/db/pool.ts';
import { CONSENT_PAGE_DATA_SQL } from '../src/interactions/consent-page-queries.ts';
import { TOKEN_WITH_RELATED_SQL } from '../src/oidc/oidc-model-queries.ts';
import { JOBSEEKER_WITH_CONSENT_SQL } from '../src/profiles/jobseeker-queries.ts';

interface HotQuery {
  path: string;
  source: string;
  sql: string;
  params: (s: Sample) => unknown[];
  write?: boolean;
}

interface Sample {
  token: string;
  refresh: string;
  grantId: string;
  sessionUid: string;
  jobseekerId: string;
  login: string;
  clientId: string;
  consentId: string;
  webSession: string;
}

/** The provider's default (src/config.ts): 13 months. */
const RETENTION_DAYS = 396;
const ACCESS_LOG_PAGE_SQL = `SELECT a.id::text, a.client_id, cl.name AS client_name, a.scope, a.fields, a.read_at
       FROM access_log a LEFT JOIN clients cl ON cl.id = a.client_id
      WHERE a.jobseeker_id = $1 AND a.read_at > now() - make_interval(days => $5)
        AND a.read_at <= coalesce($2::timestamptz, 'infinity')
        AND ($2::timestamptz IS NULL OR (a.read_at, a.id) < ($2::timestamptz, $3::bigint))
      ORDER BY a.read_at DESC, a.id DESC
      LIMIT $4`;

const FIND_MODEL = (column: string) =>
  `SELECT payload, extract(epoch FROM consumed_at)::bigint AS consumed FROM oidc_models
    WHERE model = $1 AND ${column} = $2 AND (expires_at IS NULL OR expires_at > now())`;

const QUERIES: HotQuery[] = [
  {
    path: 'api',
    source: 'api/api-caller-queries.ts findApiCaller (token, grant, session, app, consent, data)',
    sql: API_CALLER_SQL,
    params: (s) => [s.token, 'competences'],
  },
  {
    path: 'userinfo, introspection',
    source: 'oidc/oidc-model-queries.ts findTokenWithRelated (AccessToken: grant, session, app)',
    sql: TOKEN_WITH_RELATED_SQL,
    params: (s) => ['AccessToken', s.token, true],
  },
  {
    path: 'token (refresh)',
    source: 'oidc/oidc-model-queries.ts findTokenWithRelated (RefreshToken: grant)',
    sql: TOKEN_WITH_RELATED_SQL,
    params: (s) => ['RefreshToken', s.refresh, false],
  },
  {
    path: 'authorize, login',
    source: 'oidc/oidc-model-queries.ts findModel by uid',
    sql: FIND_MODEL('uid'),
    params: (s) => ['Session', s.sessionUid],
  },
  {
    path: 'token, authorize',
    source: 'clients/client-queries.ts findClient',
    sql: `SELECT ${CLIENT_COLUMNS.join(', ')} FROM clients WHERE id = $1 AND deleted_at IS NULL`,
    params: (s) => [s.clientId],
  },
  {
    path: 'authorize',
    source: 'consents/consent-queries.ts findLiveTextsCheck',
    sql: LIVE_TEXTS_CHECK_SQL,
    params: (s) => [s.jobseekerId, s.clientId],
  },
  {
    path: 'consent page',
    source: 'interactions/consent-page-queries.ts findConsentPageData',
    sql: CONSENT_PAGE_DATA_SQL,
    params: (s) => [s.jobseekerId, s.clientId],
  },
  {
    path: 'token, userinfo',
    source: 'profiles/jobseeker-queries.ts findJobseekerWithConsent',
    sql: JOBSEEKER_WITH_CONSENT_SQL,
    params: (s) => [s.jobseekerId, s.clientId],
  },
  {
    path: 'dashboard',
    source: 'profiles/jobseeker-queries.ts findJobseekerById',
    sql: 'SELECT id, login, password_hash, claims, disabled_at FROM jobseekers WHERE id = $1',
    params: (s) => [s.jobseekerId],
  },
  {
    path: 'login',
    source: 'profiles/jobseeker-queries.ts findJobseekerByLogin',
    sql: 'SELECT id, login, password_hash, claims, disabled_at FROM jobseekers WHERE login = $1',
    params: (s) => [s.login],
  },
  {
    path: 'token',
    source: 'oidc/oidc-model-queries.ts findModel (RefreshToken)',
    sql: FIND_MODEL('id'),
    params: (s) => ['RefreshToken', s.refresh],
  },
  {
    path: 'token',
    source: 'oidc/oidc-model-queries.ts consumeModel',
    sql: 'UPDATE oidc_models SET consumed_at = now() WHERE model = $1 AND id = $2 AND consumed_at IS NULL',
    params: (s) => ['RefreshToken', s.refresh],
    write: true,
  },
  {
    path: 'revoke, code replay',
    source: 'oidc/oidc-model-queries.ts destroyByGrantId',
    sql: 'DELETE FROM oidc_models WHERE grant_id = $1',
    params: (s) => [s.grantId],
    write: true,
  },
  {
    path: 'dashboard',
    source: 'http/session-queries.ts findSession',
    sql: 'SELECT data FROM web_sessions WHERE id_hash = $1 AND expires_at > now()',
    params: (s) => [s.webSession],
  },
  {
    path: 'dashboard',
    source: 'dashboard/dashboard-queries.ts listConsents',
    sql: `SELECT c.id, c.client_id, c.status, c.fields, c.granted_at, c.expires_at, c.revoked_at, c.updated_at,
            cl.name AS client_name, cl.description AS client_description, cl.operator_name, cl.website
       FROM consents c JOIN clients cl ON cl.id = c.client_id WHERE c.jobseeker_id = $1 ORDER BY c.granted_at DESC`,
    params: (s) => [s.jobseekerId],
  },
  {
    path: 'dashboard',
    source: 'dashboard/dashboard-queries.ts readStats',
    sql: `SELECT client_id, scope, max(read_at) AS last_read,
            count(*) FILTER (WHERE read_at > now() - interval '30 days')::int AS reads_30d
       FROM access_log WHERE jobseeker_id = $1 AND read_at > now() - make_interval(days => $2)
      GROUP BY client_id, scope`,
    params: (s) => [s.jobseekerId, RETENTION_DAYS],
  },
  {
    path: 'access-log page',
    source: 'dashboard/dashboard-queries.ts accessLogPage (first page)',
    sql: ACCESS_LOG_PAGE_SQL,
    params: (s) => [s.jobseekerId, null, null, 51, RETENTION_DAYS],
  },
  {
    path: 'access-log page',
    source: 'dashboard/dashboard-queries.ts accessLogPage (a page 100 days back)',
    sql: ACCESS_LOG_PAGE_SQL,
    params: (s) => [s.jobseekerId, new Date(Date.now() - 100 * 86_400_000), '0', 51, RETENTION_DAYS],
  },
  {
    path: 'export',
    source: 'dashboard/dashboard-queries.ts allAccessLog',
    sql: `SELECT a.id::text, a.client_id, cl.name AS client_name, a.scope, a.fields, a.read_at
       FROM access_log a LEFT JOIN clients cl ON cl.id = a.client_id
      WHERE a.jobseeker_id = $1 AND a.read_at > now() - make_interval(days => $2)
      ORDER BY a.read_at, a.id`,
    params: (s) => [s.jobseekerId, RETENTION_DAYS],
  },
  {
    path: 'admin app list',
    source: 'clients/client-queries.ts listClients (last activity of one app)',
    sql: `SELECT max(read_at) FROM access_log a WHERE a.client_id = $1 AND a.read_at > now() - make_interval(days => $2)`,
    params: (s) => [s.clientId, RETENTION_DAYS],
  },
  {
    path: 'api (buffered, once a second)',
    source: 'api/access-log-queries.ts insertAccessLogEntries (100 entries)',
    sql: `INSERT INTO access_log (jobseeker_id, client_id, scope, fields, read_at)
     SELECT e.jobseeker_id, e.client_id, e.scope, ARRAY(SELECT jsonb_array_elements_text(e.fields)), e.read_at
       FROM jsonb_to_recordset($1::jsonb) AS e(jobseeker_id uuid, client_id text, scope text, fields jsonb, read_at timestamptz)`,
    params: (s) => [
      JSON.stringify(
        Array.from({ length: 100 }, () => ({
          jobseeker_id: s.jobseekerId,
          client_id: s.clientId,
          scope: 'competences',
          fields: ['code', 'libelle'],
          read_at: new Date(),
        })),
      ),
    ],
    write: true,
  },
  {
    path: 'dashboard',
    source: 'dashboard/dashboard-queries.ts listConsentEvents',
    sql: `SELECT e.id::text, e.consent_id, e.client_id, e.kind, e.fields_added, e.fields_removed, e.fields_after,
            e.actor, e.created_at, e.texts_hash, t.texts
       FROM consent_events e LEFT JOIN consent_texts t ON t.hash = e.texts_hash
      WHERE e.jobseeker_id = $1 AND ($2::uuid IS NULL OR e.consent_id = $2::uuid) ORDER BY e.id DESC`,
    params: (s) => [s.jobseekerId, s.consentId],
  },
  {
    path: 'dashboard revoke',
    source: 'consents/consent-change-queries.ts lockOwnConsent',
    sql: 'SELECT * FROM consents WHERE id = $1 AND jobseeker_id = $2 FOR UPDATE',
    params: (s) => [s.consentId, s.jobseekerId],
    write: true,
  },
];

// Ids as stored: a token's row is keyed by its hash (src/oidc/hashed-ids.ts), which is what the
// statements receive from the adapter, so the sampled ids are passed to them as they are.
async function sample(pool: Pool, clientId: string): Promise<Sample> {
  const one = async (sql: string, params: unknown[] = []) =>
    ((await pool.query(sql, params)).rows[0] ?? {}) as Record<string, string>;
  const consent = await one(
    `SELECT c.id, c.jobseeker_id, c.grant_id, j.login FROM consents c JOIN jobseekers j ON j.id = c.jobseeker_id
      WHERE c.client_id = $1 AND c.status = 'active'
      ORDER BY EXISTS (SELECT 1 FROM access_log a WHERE a.jobseeker_id = c.jobseeker_id) DESC LIMIT 1`,
    [clientId],
  );
  return {
    token: (await one("SELECT id FROM oidc_models WHERE model = 'AccessToken' LIMIT 1")).id ?? 'none',
    refresh:
      (await one("SELECT id FROM oidc_models WHERE model = 'RefreshToken' AND consumed_at IS NULL LIMIT 1"))
        .id ?? 'none',
    sessionUid: (await one("SELECT uid FROM oidc_models WHERE model = 'Session' LIMIT 1")).uid ?? 'none',
    grantId: consent.grant_id ?? 'none',
    jobseekerId: consent.jobseeker_id as string,
    login: consent.login as string,
    clientId,
    consentId: consent.id as string,
    webSession: (await one('SELECT id_hash FROM web_sessions LIMIT 1')).id_hash ?? 'none',
  };
}

export interface ExplainResult {
  path: string;
  source: string;
  ms: number;
  seqScan: boolean;
  plan: string;
}

export async function explainHotQueries(pool: Pool, clientId: string): Promise<ExplainResult[]> {
  const s = await sample(pool, clientId);
  const results: ExplainResult[] = [];
  for (const q of QUERIES) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN (ANALYZE, BUFFERS) ${q.sql}`,
        q.params(s),
      );
      await client.query('ROLLBACK');
      const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
      results.push({
        path: q.path,
        source: q.source,
        ms: Number(/Execution Time: ([\d.]+) ms/.exec(plan)?.[1] ?? Number.NaN),
        seqScan: /Seq Scan/.test(plan),
        plan,
      });
    } finally {
      client.release();
    }
  }
  return results;
}

export function formatExplain(results: ExplainResult[]): string {
  return results
    .map((r) => `-- ${r.source} [${r.path}] ${r.ms} ms${r.seqScan ? '  ** SEQ SCAN **' : ''}\n${r.plan}`)
    .join('\n\n');
}

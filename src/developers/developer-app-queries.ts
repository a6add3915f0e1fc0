import type { Queryable } from '../db/pool.ts';

export type ReviewState = 'draft' | 'submitted' | 'changes_requested' | 'approved' | 'refused';

export interface DeveloperAppRow {
  id: string;
  organisation_id: string;
  organisation_name: string;
  client_id: string;
  sandbox_client_id: string;
  review_state: ReviewState;
  review_comment: string | null;
  submitted_at: Date | null;
  reviewed_at: Date | null;
  production_secret_issued_at: Date | null;
  created_by: string;
  created_at: Date;
  name: string;
  status: string;
}

const SELECT_APP = `SELECT d.id, d.organisation_id, o.name AS organisation_name, d.client_id, d.sandbox_client_id,
                           d.review_state, d.review_comment, d.submitted_at, d.reviewed_at,
                           d.production_secret_issued_at, d.created_by, d.created_at, c.name, c.status
                      FROM developer_apps d
                      JOIN developer_organisations o ON o.id = d.organisation_id
                      JOIN clients c ON c.id = d.client_id AND c.deleted_at IS NULL`;

const UUID = /^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i;

export async function insertDeveloperApp(
  db: Queryable,
  app: { organisationId: string; clientId: string; sandboxClientId: string; createdBy: string },
): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO developer_apps (organisation_id, client_id, sandbox_client_id, created_by)
     VALUES ($1, $2, $3, $4) RETURNING id`,
    [app.organisationId, app.clientId, app.sandboxClientId, app.createdBy],
  );
  const id = rows[0]?.id as string;
  await db.query("INSERT INTO developer_app_members (app_id, account_id, role) VALUES ($1, $2, 'owner')", [
    id,
    app.createdBy,
  ]);
  return id;
}

/** The app, only if `accountId` is on its team: every portal page reads its app through this. */
export async function findAppOfMember(
  db: Queryable,
  appId: string,
  accountId: string,
): Promise<DeveloperAppRow | undefined> {
  if (!UUID.test(appId)) return undefined;
  const { rows } = await db.query<DeveloperAppRow>(
    `${SELECT_APP} JOIN developer_app_members m ON m.app_id = d.id AND m.account_id = $2 WHERE d.id = $1`,
    [appId, accountId],
  );
  return rows[0];
}

export async function listAppsOfMember(db: Queryable, accountId: string): Promise<DeveloperAppRow[]> {
  const { rows } = await db.query<DeveloperAppRow>(
    `${SELECT_APP} JOIN developer_app_members m ON m.app_id = d.id AND m.account_id = $1 ORDER BY d.created_at DESC`,
    [accountId],
  );
  return rows;
}

export async function findAppForReview(db: Queryable, appId: string): Promise<DeveloperAppRow | undefined> {
  if (!UUID.test(appId)) return undefined;
  const { rows } = await db.query<DeveloperAppRow>(`${SELECT_APP} WHERE d.id = $1`, [appId]);
  return rows[0];
}

/** The review queue: submitted apps first, oldest submission first; then the others. */
export async function listAppsForReview(db: Queryable): Promise<DeveloperAppRow[]> {
  const { rows } = await db.query<DeveloperAppRow>(
    `${SELECT_APP} WHERE d.review_state <> 'draft'
      ORDER BY (d.review_state = 'submitted') DESC, d.submitted_at ASC NULLS LAST LIMIT 200`,
  );
  return rows;
}

export async function lockApp(db: Queryable, appId: string): Promise<DeveloperAppRow | undefined> {
  if (!UUID.test(appId)) return undefined;
  const { rows } = await db.query<DeveloperAppRow>(`${SELECT_APP} WHERE d.id = $1 FOR UPDATE OF d`, [appId]);
  return rows[0];
}

export async function setReviewState(
  db: Queryable,
  appId: string,
  state: ReviewState,
  comment: string | null,
): Promise<void> {
  await db.query(
    `UPDATE developer_apps SET review_state = $2, review_comment = $3, updated_at = now(),
            submitted_at = CASE WHEN $2 = 'submitted' THEN now() ELSE submitted_at END,
            reviewed_at = CASE WHEN $2 IN ('approved', 'refused', 'changes_requested') THEN now() ELSE reviewed_at END
      WHERE id = $1`,
    [appId, state, comment],
  );
}

export async function markProductionSecretIssued(db: Queryable, appId: string): Promise<void> {
  await db.query('UPDATE developer_apps SET production_secret_issued_at = now() WHERE id = $1', [appId]);
}

export async function listMembers(db: Queryable, appId: string) {
  const { rows } = await db.query<{ account_id: string; email: string; role: string; added_at: Date }>(
    `SELECT m.account_id, a.email, m.role, m.added_at FROM developer_app_members m
       JOIN developer_accounts a ON a.id = m.account_id WHERE m.app_id = $1 ORDER BY m.added_at`,
    [appId],
  );
  return rows;
}

export async function addMember(db: Queryable, appId: string, accountId: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO developer_app_members (app_id, account_id, role) VALUES ($1, $2, 'member') ON CONFLICT DO NOTHING`,
    [appId, accountId],
  );
  return (rowCount ?? 0) > 0;
}

export async function removeMember(db: Queryable, appId: string, accountId: string): Promise<void> {
  await db.query(
    "DELETE FROM developer_app_members WHERE app_id = $1 AND account_id = $2 AND role <> 'owner'",
    [appId, accountId],
  );
}

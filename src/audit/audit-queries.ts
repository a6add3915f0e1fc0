// The audit trail (who did what to which target, before → after), in a module of its own: the
// clients, admin, advisors, developers and security services write to it, the admin console and API
// read it, and none of them has to import another for that.
import type { Queryable } from '../db/pool.ts';

export interface AuditEntry {
  actor: string;
  action: string;
  targetType: string;
  targetId?: string;
  before?: unknown;
  after?: unknown;
  requestId?: string;
}

export interface AuditRow {
  id: string;
  actor: string;
  action: string;
  target_type: string;
  target_id: string | null;
  before: unknown;
  after: unknown;
  created_at: Date;
}

export async function insertAudit(db: Queryable, e: AuditEntry): Promise<void> {
  await db.query(
    `INSERT INTO admin_audit (actor, action, target_type, target_id, before, after, request_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      e.actor,
      e.action,
      e.targetType,
      e.targetId ?? null,
      e.before === undefined ? null : JSON.stringify(e.before),
      e.after === undefined ? null : JSON.stringify(e.after),
      e.requestId ?? null,
    ],
  );
}

export async function listAudit(
  db: Queryable,
  filter: { targetType?: string; targetId?: string; beforeId?: string; limit: number },
): Promise<AuditRow[]> {
  const { rows } = await db.query<AuditRow>(
    `SELECT id::text, actor, action, target_type, target_id, before, after, created_at
       FROM admin_audit
      WHERE ($1::text IS NULL OR target_type = $1) AND ($2::text IS NULL OR target_id = $2)
        AND ($3::bigint IS NULL OR id < $3::bigint)
      ORDER BY admin_audit.id DESC LIMIT $4`, // the column, not the text alias `id`: numeric order
    [filter.targetType ?? null, filter.targetId ?? null, filter.beforeId ?? null, filter.limit],
  );
  return rows;
}

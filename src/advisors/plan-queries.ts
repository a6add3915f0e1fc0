// The action plan's steps. Every statement is scoped by the jobseeker: a step id of another jobseeker
// is simply not found, whichever side (jobseeker or advisor) asks.
import type { Queryable } from '../db/pool.ts';

export interface StepRow {
  id: string;
  jobseeker_id: string;
  advisor_id: string | null;
  title: string;
  details: string | null;
  suggested_by: string | null;
  due_on: string | null;
  state: 'todo' | 'done' | 'dropped';
  done_by: 'jobseeker' | 'advisor' | null;
  done_at: Date | null;
  created_at: Date;
}

const COLUMNS =
  "id, jobseeker_id, advisor_id, title, details, suggested_by, to_char(due_on, 'YYYY-MM-DD') AS due_on, state, done_by, done_at, created_at";

export async function listSteps(db: Queryable, jobseekerId: string): Promise<StepRow[]> {
  const { rows } = await db.query<StepRow>(
    `SELECT ${COLUMNS} FROM action_plan_steps WHERE jobseeker_id = $1
      ORDER BY state = 'todo' DESC, due_on NULLS LAST, created_at`,
    [jobseekerId],
  );
  return rows;
}

export async function insertStep(
  db: Queryable,
  s: {
    jobseekerId: string;
    advisorId: string;
    title: string;
    details: string | null;
    suggestedBy: string | null;
    dueOn: string | null;
  },
): Promise<StepRow> {
  const { rows } = await db.query<StepRow>(
    `INSERT INTO action_plan_steps (jobseeker_id, advisor_id, title, details, suggested_by, due_on)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
    [s.jobseekerId, s.advisorId, s.title, s.details, s.suggestedBy, s.dueOn],
  );
  return rows[0] as StepRow;
}

export async function setStepState(
  db: Queryable,
  jobseekerId: string,
  stepId: string,
  state: StepRow['state'],
  by: 'jobseeker' | 'advisor',
): Promise<StepRow | undefined> {
  if (!/^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(stepId)) return undefined;
  const { rows } = await db.query<StepRow>(
    `UPDATE action_plan_steps
        SET state = $3, done_by = CASE WHEN $3 = 'done' THEN $4 END,
            done_at = CASE WHEN $3 = 'done' THEN now() END, updated_at = now()
      WHERE id = $2 AND jobseeker_id = $1
      RETURNING ${COLUMNS}`,
    [jobseekerId, stepId, state, by],
  );
  return rows[0];
}

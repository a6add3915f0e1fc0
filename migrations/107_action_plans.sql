-- The action plan an advisor writes with a jobseeker (issue 16): steps with a due date and a state,
-- written by the advisor, seen by the jobseeker in /account, who may mark a step done. A step holds
-- the advisor's words and, when it came from the diagnosis or the catalog, what suggested it; never a
-- copy of the jobseeker's data.
CREATE TABLE action_plan_steps (
  id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  jobseeker_id uuid        NOT NULL REFERENCES jobseekers (id) ON DELETE CASCADE,
  advisor_id   uuid        REFERENCES advisors (id) ON DELETE SET NULL,
  title        text        NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  details      text        CHECK (length(details) <= 1000),
  -- 'diagnosis:<point>' or 'catalog:<client id>' when suggested, null when written from scratch
  suggested_by text,
  due_on       date,
  state        text        NOT NULL DEFAULT 'todo' CHECK (state IN ('todo', 'done', 'dropped')),
  done_by      text        CHECK (done_by IN ('jobseeker', 'advisor')),
  done_at      timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX action_plan_steps_jobseeker_idx ON action_plan_steps (jobseeker_id, created_at);

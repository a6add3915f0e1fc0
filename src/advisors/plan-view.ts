// What both sides see of the action plan: each step with its due date and state in plain French.
import type { StepRow } from './plan-queries.ts';

const day = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Europe/Paris' });
const STATES = { todo: 'À faire', done: 'Fait', dropped: 'Abandonné' } as const;

export function planView(
  steps: StepRow[],
  side: 'jobseeker' | 'advisor',
  today = new Date().toISOString().slice(0, 10),
) {
  const by = {
    jobseeker: side === 'jobseeker' ? 'par vous' : 'par la personne',
    advisor: side === 'advisor' ? 'par vous' : 'par votre conseiller',
  };
  return steps.map((s) => ({
    id: s.id,
    title: s.title,
    details: s.details ?? undefined,
    due: s.due_on ? day.format(new Date(`${s.due_on}T12:00:00Z`)) : undefined,
    overdue: s.state === 'todo' && s.due_on !== null && s.due_on < today,
    state: s.state,
    stateLabel: STATES[s.state],
    doneBy: s.done_by ? by[s.done_by] : undefined,
    open: s.state === 'todo',
  }));
}

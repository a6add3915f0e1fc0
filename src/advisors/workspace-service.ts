// The advisor's workspace (/conseiller). Guarantees:
// - an advisor reaches only the jobseekers of their own portfolio; any other id is « not found »;
// - a jobseeker's data is read only through a live mandate to this advisor, checked on the primary
//   at every view (a withdrawal or an expiry stops the next view, on every instance), and only the
//   mandate's scopes are even loaded;
// - every view that shows data is a read in the jobseeker's access log (which scopes, which fields);
// - no export, no view across jobseekers: the portfolio shows names and states, never profile data.
import type { Catalog } from '../catalog/load-catalog.ts';
import type { Pool } from '../db/pool.ts';
import { withTransaction } from '../db/transaction.ts';
import { AppError } from '../http/app-error.ts';
import { type AppSuggestions, createAppSuggestions } from './app-suggestions.ts';
import { diagnose } from './diagnosis.ts';
import { lentData, lentSections } from './lent-data.ts';
import { findLiveMandate, insertAdvisorReads } from './mandate-queries.ts';
import { insertStep, listSteps, type StepRow, setStepState } from './plan-queries.ts';
import { isAssigned, listPortfolio, touchContact } from './portfolio-queries.ts';
import { findName, findScopesOf } from './workspace-queries.ts';

export const EXPIRING_DAYS = 14;
const NO_APPS = { items: [], notShared: [] };
export type PortfolioFilter = 'tous' | 'sans-mandat' | 'expire-bientot' | 'en-retard';

const notFound = () => new AppError(404, 'not_found', 'Cette personne n’est pas dans votre portefeuille.');

export function createWorkspaceService(deps: { pool: Pool; catalog: Catalog; apps?: AppSuggestions }) {
  const { pool, catalog } = deps;
  const apps = deps.apps ?? createAppSuggestions({ pool, catalog });

  async function ensureAssigned(advisorId: string, jobseekerId: string) {
    if (!(await isAssigned(pool, advisorId, jobseekerId))) throw notFound();
  }

  return {
    async portfolio(advisorId: string, filter: PortfolioFilter) {
      const rows = await listPortfolio(pool, advisorId);
      const soon = Date.now() + EXPIRING_DAYS * 86_400_000;
      const live = (r: (typeof rows)[number]) => r.mandate_status === 'active';
      return rows.filter((r) =>
        filter === 'sans-mandat'
          ? !live(r)
          : filter === 'expire-bientot'
            ? live(r) && (r.mandate_expires_at as Date).getTime() < soon
            : filter === 'en-retard'
              ? r.overdue_steps > 0
              : true,
      );
    },

    /** One jobseeker of the portfolio: the mandate's data, the diagnosis, the plan. */
    async jobseeker(advisorId: string, jobseekerId: string) {
      await ensureAssigned(advisorId, jobseekerId);
      const [name, mandate, steps] = await Promise.all([
        findName(pool, jobseekerId),
        findLiveMandate(pool, advisorId, jobseekerId),
        listSteps(pool, jobseekerId),
      ]);
      if (!mandate) {
        await touchContact(pool, advisorId, jobseekerId);
        return { name, mandate: undefined, steps, sections: [], diagnosis: [], apps: NO_APPS };
      }
      const scopes = [...new Set(mandate.fields.map((k) => k.split('.')[0] as string))];
      const data = await findScopesOf(pool, jobseekerId, scopes);
      const { lent, reads } = lentData(catalog, mandate.fields, data);
      await withTransaction(pool, async (db) => {
        await insertAdvisorReads(db, jobseekerId, advisorId, reads);
        await touchContact(db, advisorId, jobseekerId);
      });
      const fields = new Set(mandate.fields);
      const diagnosis = diagnose(catalog, fields, lent);
      return {
        name,
        mandate,
        steps,
        sections: lentSections(catalog, mandate.fields, lent),
        diagnosis,
        // From the lent data only (app-suggestions.ts cuts it to the mandate again).
        apps: await apps.forMandate(jobseekerId, mandate.fields, lent),
      };
    },

    async addStep(
      advisorId: string,
      jobseekerId: string,
      step: { title: string; details?: string; dueOn?: string; suggestedBy?: string },
    ): Promise<StepRow> {
      await ensureAssigned(advisorId, jobseekerId);
      const created = await insertStep(pool, {
        jobseekerId,
        advisorId,
        title: step.title,
        details: step.details || null,
        suggestedBy: step.suggestedBy || null,
        dueOn: step.dueOn || null,
      });
      await touchContact(pool, advisorId, jobseekerId);
      return created;
    },

    async setStep(advisorId: string, jobseekerId: string, stepId: string, state: StepRow['state']) {
      await ensureAssigned(advisorId, jobseekerId);
      const step = await setStepState(pool, jobseekerId, stepId, state, 'advisor');
      if (!step) throw new AppError(404, 'not_found', 'Cette étape est introuvable.');
      return step;
    },
  };
}

export type WorkspaceService = ReturnType<typeof createWorkspaceService>;

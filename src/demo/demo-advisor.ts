// The demo advisor (development only): a conseiller with marie.dupont in their portfolio, so the
// quick start shows MAP. Their password is public (README), so production refuses a database that
// holds them (../security/production-database-checks.ts). Idempotent.
import type { AdvisorAccounts } from '../advisors/advisor-accounts.ts';
import { findAdvisorByEmail } from '../advisors/advisor-queries.ts';
import { findAssignedAdvisor, upsertAssignments } from '../advisors/portfolio-queries.ts';
import type { Pool } from '../db/pool.ts';
import { findJobseekerByLogin } from '../profiles/jobseeker-queries.ts';

export const DEMO_ADVISOR_EMAIL = 'julie.martin@conseiller.demo';
export const DEMO_ADVISOR_PASSWORD = 'demo-conseiller-pole-emploi';

/** Returns the first enrolment code when the advisor is created now (the log shows it once). */
export async function seedDemoAdvisor(deps: {
  pool: Pool;
  advisors: AdvisorAccounts;
}): Promise<string | undefined> {
  const { pool, advisors } = deps;
  let code: string | undefined;
  let advisor = await findAdvisorByEmail(pool, DEMO_ADVISOR_EMAIL);
  if (!advisor) {
    const created = await advisors.create(
      {
        email: DEMO_ADVISOR_EMAIL,
        displayName: 'Julie Martin (démo)',
        agency: 'Lyon Part-Dieu (démo)',
        password: DEMO_ADVISOR_PASSWORD,
      },
      { actor: 'system' },
    );
    code = created.enrolmentCode;
    advisor = await findAdvisorByEmail(pool, DEMO_ADVISOR_EMAIL);
  }
  const marie = await findJobseekerByLogin(pool, 'marie.dupont');
  // Assigned once: a later reassignment (CLI) is left as the developer made it.
  if (advisor && marie && !(await findAssignedAdvisor(pool, marie.id)))
    await upsertAssignments(pool, [{ jobseekerId: marie.id, advisorId: advisor.id }]);
  return code;
}

// The demo advisor (development only): seeded once beside the demo jobseekers, with marie.dupont in
// their portfolio and the README's password, so the quick start shows MAP; production refuses a
// database that holds them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAssignedAdvisor } from '../../src/advisors/portfolio-queries.ts';
import { DEMO_ADVISOR_EMAIL, DEMO_ADVISOR_PASSWORD, seedDemoAdvisor } from '../../src/demo/demo-advisor.ts';
import { seedDemoData } from '../../src/demo/demo-seed.ts';
import { findJobseekerByLogin } from '../../src/profiles/jobseeker-queries.ts';
import { productionDatabaseProblems } from '../../src/security/production-database-checks.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

describe('the demo advisor', () => {
  it('is seeded once, with marie.dupont assigned and the README password; production refuses it', async () => {
    await seedDemoData({
      config: server.config,
      pool: server.pool,
      catalog: server.app.catalog,
      clients: server.app.services.clients,
    });
    const deps = { pool: server.pool, advisors: server.app.services.advisors };
    const code = await seedDemoAdvisor(deps);
    expect(code).toMatch(/\S{6,}/);
    expect(await seedDemoAdvisor(deps)).toBeUndefined(); // idempotent: no second code
    const { rows } = await server.pool.query('SELECT id FROM advisors WHERE email = $1', [
      DEMO_ADVISOR_EMAIL,
    ]);
    expect(rows).toHaveLength(1);
    const advisor = await server.app.services.advisors.checkPassword(
      DEMO_ADVISOR_EMAIL,
      DEMO_ADVISOR_PASSWORD,
    );
    expect(advisor?.id).toBe(rows[0].id);
    const marie = await findJobseekerByLogin(server.pool, 'marie.dupont');
    expect((await findAssignedAdvisor(server.pool, marie?.id as string))?.advisor_id).toBe(rows[0].id);
    expect((await productionDatabaseProblems(server.pool)).join('\n')).toContain(
      `the demo advisor ${DEMO_ADVISOR_EMAIL}`,
    );
  });
});

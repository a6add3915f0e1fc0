// Advisors for tests: an account created through the service, enrolled in TOTP and signed in to
// /conseiller through its pages, and portfolio assignments.

import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { getPage, post, secretOf, totp } from './admin-console.ts';
import type { TestServer } from './test-server.ts';
import { UserAgent } from './user-agent.ts';

export const ADVISOR_PASSWORD = 'mot de passe du conseiller';

export async function createAdvisor(server: TestServer, overrides: { agency?: string; name?: string } = {}) {
  const email = `conseiller-${randomBytes(4).toString('hex')}@pole-emploi.example`;
  const created = await server.app.services.advisors.create(
    {
      email,
      displayName: overrides.name ?? 'Julie Martin',
      agency: overrides.agency ?? 'Lyon Part-Dieu',
      password: ADVISOR_PASSWORD,
    },
    { actor: 'test' },
  );
  return {
    id: created.advisor.id,
    email,
    enrolmentCode: created.enrolmentCode,
    name: created.advisor.display_name,
  };
}

export async function assign(server: TestServer, advisorId: string, jobseekerId: string) {
  await server.pool.query(
    `INSERT INTO advisor_assignments (jobseeker_id, advisor_id) VALUES ($1, $2)
     ON CONFLICT (jobseeker_id) DO UPDATE SET advisor_id = EXCLUDED.advisor_id`,
    [jobseekerId, advisorId],
  );
}

/** Password, enrolment code, first TOTP code: an advisor signed in to /conseiller. */
export async function signedInAdvisor(server: TestServer, advisor: { email: string; enrolmentCode: string }) {
  const agent = new UserAgent();
  const login = await post(agent, server, '/conseiller/login', '/conseiller/login', [
    ['email', advisor.email],
    ['password', ADVISOR_PASSWORD],
  ]);
  expect(login.location, login.html).toBe('/conseiller/activation');
  const started = await post(agent, server, '/conseiller/activation', '/conseiller/activation/code', [
    ['code', advisor.enrolmentCode],
  ]);
  expect(started.location, started.html).toBe('/conseiller/activation');
  const page = await getPage(agent, server, '/conseiller/activation');
  const secret = secretOf(page.html);
  const done = await post(agent, server, '/conseiller/activation', '/conseiller/activation', [
    ['code', totp(secret).generate()],
  ]);
  expect(done.location, done.html).toBe('/conseiller');
  return { agent, secret };
}

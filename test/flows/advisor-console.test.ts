// Advisor accounts in the admin console (/admin/conseillers): created by a signed-in admin with an
// agency, their enrolment code shown once and usable at the advisor's first sign-in; errors name the
// field (400); a new code, an unlock and a disabling are audited; a disabled advisor is signed out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertOf, enrolledAdmin, getPage, post } from '../support/admin-console.ts';
import { ADVISOR_PASSWORD, signedInAdvisor } from '../support/advisors.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

describe('admin console: advisors', () => {
  it('creates an advisor who then signs in with the code shown once; disabling signs them out', async () => {
    const { agent } = await enrolledAdmin(server);
    const list = await getPage(agent, server, '/admin/conseillers');
    expect(list.response.status).toBe(200);
    expect(list.html).toContain('Ajouter un conseiller');

    const bad = await post(agent, server, '/admin/conseillers', '/admin/conseillers', [
      ['email', 'nadia@pole-emploi.example'],
      ['name', 'Nadia Conseil'],
      ['agency', 'Villeurbanne'],
      ['password', 'court'],
    ]);
    expect(bad.response.status).toBe(400);
    expect(alertOf(bad.html)).toContain('Mot de passe initial');
    expect(bad.html).toContain('value="Villeurbanne"');

    const created = await post(agent, server, '/admin/conseillers', '/admin/conseillers', [
      ['email', 'nadia@pole-emploi.example'],
      ['name', 'Nadia Conseil'],
      ['agency', 'Villeurbanne'],
      ['password', ADVISOR_PASSWORD],
    ]);
    expect(created.response.status).toBe(200);
    const code = /id="enrolment-code">([^<]+)</.exec(created.html)?.[1] as string;
    expect(code).toMatch(/^([A-Z2-9]{4}-){4}[A-Z2-9]{4}$/);
    expect((await getPage(agent, server, '/admin/conseillers')).html).not.toContain(code);

    const advisor = await signedInAdvisor(server, {
      email: 'nadia@pole-emploi.example',
      enrolmentCode: code,
    });
    expect((await getPage(advisor.agent, server, '/conseiller')).html).toContain('Villeurbanne');

    const { rows } = await server.pool.query(
      "SELECT id FROM advisors WHERE email = 'nadia@pole-emploi.example'",
    );
    const id = rows[0].id as string;
    const disabled = await post(agent, server, '/admin/conseillers', `/admin/conseillers/${id}/disable`, []);
    expect(disabled.location).toBe('/admin/conseillers?ok=disabled');
    const after = await advisor.agent.request(`${server.issuer}/conseiller`);
    expect(after.headers.get('location')).toBe('/conseiller/login?expire=1');
    const reissued = await post(agent, server, '/admin/conseillers', `/admin/conseillers/${id}/code`, []);
    expect(reissued.html).toContain('Nouveau code d’activation');
    const actions = (
      await server.pool.query(
        "SELECT action FROM admin_audit WHERE target_type = 'advisor' AND target_id = $1 ORDER BY id",
        [id],
      )
    ).rows.map((r) => r.action);
    expect(actions).toEqual(['advisor.create', 'advisor.totp.enrol', 'advisor.update', 'advisor.totp.reset']);
    expect(
      (await post(agent, server, '/admin/conseillers', '/admin/conseillers/not-an-id/code', [])).response
        .status,
    ).toBe(404);
  });
});

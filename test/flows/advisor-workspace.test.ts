// The advisor's workspace over HTTP: the sign-in with the admins' second factor, the portfolio (own
// jobseekers only, with filters), a jobseeker's page showing only the mandate's fields and a
// diagnosis naming its sources, each view a read in the jobseeker's access log; the plan; IDOR; a
// withdrawn mandate or a reassignment stops every view at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInToAccount } from '../support/account.ts';
import { getPage, post } from '../support/admin-console.ts';
import { assign, createAdvisor, signedInAdvisor } from '../support/advisors.ts';
import { createClient, createJobseeker } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { UserAgent } from '../support/user-agent.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const reads = async (jobseekerId: string) =>
  (
    await server.pool.query(
      'SELECT scope, fields, advisor_id, client_id FROM access_log WHERE jobseeker_id = $1 ORDER BY id',
      [jobseekerId],
    )
  ).rows;

describe('advisor workspace', () => {
  it('needs the password and the TOTP second factor; wrong codes count per advisor account', async () => {
    const advisor = await createAdvisor(server);
    expect((await new UserAgent().request(`${server.issuer}/conseiller`)).headers.get('location')).toBe(
      '/conseiller/login',
    );
    const wrong = await post(new UserAgent(), server, '/conseiller/login', '/conseiller/login', [
      ['email', advisor.email],
      ['password', 'pas le bon mot de passe'],
    ]);
    expect(wrong.response.status).toBe(401);
    const { agent } = await signedInAdvisor(server, advisor);
    expect((await getPage(agent, server, '/conseiller')).html).toContain('Mon portefeuille');
    // A new session: the code step; a wrong code is counted against the account and audited.
    const other = new UserAgent();
    const login = await post(other, server, '/conseiller/login', '/conseiller/login', [
      ['email', advisor.email],
      ['password', 'mot de passe du conseiller'],
    ]);
    expect(login.location).toBe('/conseiller/login/code');
    const bad = await post(other, server, '/conseiller/login/code', '/conseiller/login/code', [
      ['code', '000000'],
    ]);
    expect(bad.response.status).toBe(401);
    const failures = await server.pool.query(
      'SELECT failures FROM advisor_second_factor_failures WHERE advisor_id = $1',
      [advisor.id],
    );
    expect(failures.rows[0].failures).toBe(1);
    const audit = await server.pool.query(
      "SELECT 1 FROM admin_audit WHERE action = 'advisor.second_factor.failure' AND target_id = $1",
      [advisor.id],
    );
    expect(audit.rowCount).toBe(1);
    // A jobseeker's or an admin's session is not an advisor's.
    const jobseeker = await createJobseeker(server);
    const js = await signInToAccount(server, jobseeker);
    expect((await js.request(`${server.issuer}/conseiller`)).headers.get('location')).toBe(
      '/conseiller/login',
    );
  });

  it('shows only the mandate’s fields, a diagnosis naming its sources, logs each view; withdrawal stops it', async () => {
    const advisor = await createAdvisor(server, { name: 'Julie Martin' });
    const jobseeker = await createJobseeker(server);
    await assign(server, advisor.id, jobseeker.id);
    const { agent } = await signedInAdvisor(server, advisor);
    const path = `/conseiller/personnes/${jobseeker.id}`;

    // No mandate yet: nothing of the data, and no read logged.
    let view = await getPage(agent, server, path);
    expect(view.response.status).toBe(200);
    expect(view.html).toContain('ne vous a pas donné de mandat');
    expect(view.html).not.toContain('Accueillir une clientèle');
    expect(await reads(jobseeker.id)).toEqual([]);
    const portfolio = await getPage(agent, server, '/conseiller?filtre=sans-mandat');
    expect(portfolio.html).toContain('Marie Dupont');

    await server.app.services.mandates.give(
      jobseeker.id,
      ['competences.code', 'competences.libelle', 'projet.metiersRecherches', 'experiences.intitule'],
      3,
    );
    view = await getPage(agent, server, path);
    expect(view.html).toContain('Accueillir une clientèle');
    expect(view.html).toContain('Responsable de rayon');
    expect(view.html).toContain('Vente en alimentation');
    // Not in the mandate: neither the skill levels, nor the employers, nor the languages.
    expect(view.html).not.toContain('Supermarché du Parc');
    expect(view.html).not.toContain('Anglais');
    expect(view.html).not.toMatch(/expert/i);
    // The diagnosis names its sources, and says « non partagé » where the mandate does not reach.
    expect(view.html).toContain('D’après : Votre projet de recherche d&#39;emploi › Métiers recherchés');
    expect(view.html).toMatch(/Non partagé : [^<]*Vos formations/);
    expect(await reads(jobseeker.id)).toEqual([
      { scope: 'competences', fields: ['code', 'libelle'], advisor_id: advisor.id, client_id: null },
      { scope: 'experiences', fields: ['intitule'], advisor_id: advisor.id, client_id: null },
      { scope: 'projet', fields: ['metiersRecherches'], advisor_id: advisor.id, client_id: null },
    ]);
    // The jobseeker sees the view in "Qui a consulté mes données".
    const js = await signInToAccount(server, jobseeker);
    const log = await js.follow(`${server.issuer}/account/access-log`);
    expect(await log.response.text()).toContain('Votre conseiller Julie Martin');

    // Narrowed: the next view loses the field at once.
    await server.app.services.mandates.give(jobseeker.id, ['competences.code', 'competences.libelle'], 3);
    view = await getPage(agent, server, path);
    expect(view.html).toContain('Accueillir une clientèle');
    expect(view.html).not.toContain('Responsable de rayon');
    // Withdrawn: nothing.
    await server.app.services.mandates.withdraw(jobseeker.id);
    view = await getPage(agent, server, path);
    expect(view.html).not.toContain('Accueillir une clientèle');
    expect(view.html).toContain('ne vous a pas donné de mandat');
    // Expired (past its date, the expiry job not yet run): nothing either.
    await server.app.services.mandates.give(jobseeker.id, ['competences.libelle'], 3);
    await server.pool.query(
      "UPDATE consents SET expires_at = now() - interval '1 second' WHERE jobseeker_id = $1",
      [jobseeker.id],
    );
    view = await getPage(agent, server, path);
    expect(view.html).not.toContain('Accueillir une clientèle');
  });

  it('reaches only its own portfolio (IDOR), and a reassignment gives the new advisor nothing', async () => {
    const julie = await createAdvisor(server);
    const paul = await createAdvisor(server, { name: 'Paul Durand' });
    const jobseeker = await createJobseeker(server);
    await assign(server, julie.id, jobseeker.id);
    await server.app.services.mandates.give(jobseeker.id, ['competences.libelle'], 3);
    const asPaul = (await signedInAdvisor(server, paul)).agent;
    const path = `/conseiller/personnes/${jobseeker.id}`;
    const denied = await getPage(asPaul, server, path);
    expect(denied.response.status).toBe(404);
    expect(denied.html).not.toContain('Accueillir une clientèle');
    expect((await getPage(asPaul, server, '/conseiller')).html).not.toContain(jobseeker.id);
    const planned = await post(asPaul, server, '/conseiller', `${path}/plan`, [['title', 'Intrus']]);
    expect(planned.response.status).toBe(404);
    expect((await getPage(asPaul, server, '/conseiller/personnes/not-a-uuid')).response.status).toBe(404);
    // Reassigned to Paul, through the portfolio import's own rules: Julie's mandate ends, Paul has none.
    const { importAssignments } = await import('../../src/advisors/portfolio-import.ts');
    const { Readable } = await import('node:stream');
    await importAssignments(
      server.pool,
      Readable.from([`${JSON.stringify({ advisor: paul.email, jobseeker: jobseeker.login })}\n`]),
    );
    const now = await getPage(asPaul, server, path);
    expect(now.response.status).toBe(200);
    expect(now.html).not.toContain('Accueillir une clientèle');
    expect(now.html).toContain('ne vous a pas donné de mandat');
  });

  it('writes a plan the jobseeker sees and marks done; bad input is a 400', async () => {
    const advisor = await createAdvisor(server);
    const jobseeker = await createJobseeker(server);
    await assign(server, advisor.id, jobseeker.id);
    await server.app.services.mandates.give(
      jobseeker.id,
      ['competences.libelle', 'projet.metiersRecherches'],
      3,
    );
    const { agent } = await signedInAdvisor(server, advisor);
    const path = `/conseiller/personnes/${jobseeker.id}`;
    const added = await post(agent, server, path, `${path}/plan`, [
      ['title', 'Se former à la vente en alimentation'],
      ['due', '2020-01-15'],
    ]);
    expect(added.location).toBe(`${path}?ok=added#plan`);
    expect((await post(agent, server, path, `${path}/plan`, [['title', '']])).response.status).toBe(400);
    expect(
      (
        await post(agent, server, path, `${path}/plan`, [
          ['title', 'x'],
          ['due', 'demain'],
        ])
      ).response.status,
    ).toBe(400);
    const overdue = await getPage(agent, server, '/conseiller?filtre=en-retard');
    expect(overdue.html).toContain('Marie Dupont');
    // The jobseeker sees it in /account and marks it done.
    const js = await signInToAccount(server, jobseeker);
    const page = await js.follow(`${server.issuer}/account/conseiller`);
    const html = await page.response.text();
    expect(html).toContain('Se former à la vente en alimentation');
    const stepId = /action="\/account\/conseiller\/plan\/([0-9a-f-]+)\/fait"/.exec(html)?.[1] as string;
    const done = await js.submit(page.url, html, `/account/conseiller/plan/${stepId}/fait`, []);
    expect(await done.response.text()).toContain('Fait par vous');
    const back = await getPage(agent, server, path);
    expect(back.html).toContain('Fait par la personne');
    expect((await getPage(agent, server, '/conseiller?filtre=en-retard')).html).not.toContain('Marie Dupont');
  });

  it('suggests catalog apps from the mandate’s fields only, naming them; one click adds the step', async () => {
    const advisor = await createAdvisor(server);
    const jobseeker = await createJobseeker(server);
    await assign(server, advisor.id, jobseeker.id);
    const vente = (
      await createClient(server, {
        name: 'Vendeur Pro',
        category: 'offres',
        audience: { rome: ['D11'], regions: ['84'] },
        audience_vetted: true,
      })
    ).client_id;
    // Marie is registered in category A: this app would match, were the status read outside the mandate.
    await createClient(server, {
      name: 'Créer sa boîte',
      category: 'creation_entreprise',
      audience: { statuses: ['A', 'B'] },
      audience_vetted: true,
    });
    const { agent } = await signedInAdvisor(server, advisor);
    const path = `/conseiller/personnes/${jobseeker.id}`;
    // Target jobs lent, not the search area (Lyon, region 84): Vendeur Pro is not suggested either.
    await server.app.services.mandates.give(jobseeker.id, ['projet.metiersRecherches'], 3);
    let view = await getPage(agent, server, path);
    expect(view.html).not.toContain('Ajouter au plan : Utiliser l’application');
    expect(view.html).toContain('Aucune application du catalogue à suggérer');
    expect(view.html).toMatch(
      /Non partagé \(d’autres applications[^<]*Zone de recherche[^<]*Votre inscription à Pôle emploi/,
    );

    await server.app.services.mandates.give(
      jobseeker.id,
      ['projet.metiersRecherches', 'projet.zoneRecherche'],
      3,
    );
    view = await getPage(agent, server, path);
    expect(view.html).toContain('Ajouter au plan : Utiliser l’application « Vendeur Pro » du catalogue');
    expect(view.html).not.toContain('Créer sa boîte');
    expect(view.html).toContain(
      'D’après : Votre projet de recherche d&#39;emploi › Métiers recherchés ; Votre projet de recherche d&#39;emploi › Zone de recherche.',
    );
    const added = await post(agent, server, path, `${path}/plan`, [
      ['title', 'Utiliser l’application « Vendeur Pro » du catalogue'],
      ['suggested', `app:${vente}`],
    ]);
    expect(added.location).toBe(`${path}?ok=added#plan`);
    const step = await server.pool.query(
      'SELECT title, suggested_by FROM action_plan_steps WHERE jobseeker_id = $1',
      [jobseeker.id],
    );
    expect(step.rows).toEqual([
      { title: 'Utiliser l’application « Vendeur Pro » du catalogue', suggested_by: `app:${vente}` },
    ]);

    // The jobseeker's store choices hold: a hidden app is not suggested; recommendations off, none.
    await server.pool.query(
      `INSERT INTO store_preferences (jobseeker_id, hidden_client_ids) VALUES ($1, ARRAY[$2::text])
       ON CONFLICT (jobseeker_id) DO UPDATE SET hidden_client_ids = ARRAY[$2::text]`,
      [jobseeker.id, vente],
    );
    view = await getPage(agent, server, path);
    expect(view.html).not.toContain('Ajouter au plan : Utiliser l’application « Vendeur Pro »');
    expect(view.html).toContain('Aucune application du catalogue à suggérer');
    await server.pool.query(
      "UPDATE store_preferences SET hidden_client_ids = '{}', recommendations_off = true WHERE jobseeker_id = $1",
      [jobseeker.id],
    );
    view = await getPage(agent, server, path);
    expect(view.html).not.toContain('Ajouter au plan : Utiliser l’application « Vendeur Pro »');
    await server.pool.query(
      'UPDATE store_preferences SET recommendations_off = false WHERE jobseeker_id = $1',
      [jobseeker.id],
    );
    view = await getPage(agent, server, path);
    expect(view.html).toContain('Ajouter au plan : Utiliser l’application « Vendeur Pro »');
  });
});

// The jobseeker's mandate to their advisor over HTTP (/account/conseiller): nothing ticked in advance,
// the freedom sentence, a per-field choice from the consent page's blocks, a duration (3 months by
// default, 12 at most), every change a consent event in the same tables and log as an app's, with the
// texts shown; narrow, renew, withdraw; another jobseeker's step is not found.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInToAccount } from '../support/account.ts';
import { assign, createAdvisor } from '../support/advisors.ts';
import { createJobseeker } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import type { UserAgent } from '../support/user-agent.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

async function page(agent: UserAgent) {
  const { response, url } = await agent.follow(`${server.issuer}/account/conseiller`);
  return { response, url, html: await response.text() };
}

async function submit(agent: UserAgent, action: string, fields: [string, string][]) {
  const current = await page(agent);
  return agent.submit(current.url, current.html, action, fields);
}

const mandateOf = async (jobseekerId: string) =>
  (
    await server.pool.query(
      'SELECT status, fields, client_id, advisor_id, expires_at, texts_hash FROM consents WHERE jobseeker_id = $1',
      [jobseekerId],
    )
  ).rows;

const eventsOf = async (jobseekerId: string) =>
  (
    await server.pool.query(
      `SELECT e.kind, e.fields_added, e.fields_removed, e.fields_after, e.actor, e.advisor_id, e.client_id, t.texts
         FROM consent_events e LEFT JOIN consent_texts t ON t.hash = e.texts_hash
        WHERE e.jobseeker_id = $1 ORDER BY e.id`,
      [jobseekerId],
    )
  ).rows;

describe('Mon conseiller: the mandate', () => {
  it('says who the advisor is, ticks nothing, states the purpose and that refusing changes nothing', async () => {
    const jobseeker = await createJobseeker(server);
    const advisor = await createAdvisor(server, { name: 'Julie Martin', agency: 'Lyon Part-Dieu' });
    await assign(server, advisor.id, jobseeker.id);
    const agent = await signInToAccount(server, jobseeker);
    const { response, html } = await page(agent);
    expect(response.status).toBe(200);
    expect(html).toContain('Julie Martin');
    expect(html).toContain('Lyon Part-Dieu');
    expect(html).toContain('ne change rien à vos droits, à vos allocations ni à votre accompagnement');
    expect(html).toContain('rien n’est coché d’avance');
    expect(html).not.toMatch(/<input type="checkbox"[^>]*checked/);
    // The consent page's blocks and per-field choices, with the jobseeker's values.
    expect(html).toContain('name="scopes" value="competences"');
    expect(html).toContain('value="competences.libelle"');
    expect(html).toContain('Accueillir une clientèle');
    expect(html).toMatch(/<option value="3" selected>3 mois<\/option>/);
    expect(html).not.toContain('<option value="13"');
  });

  it('records a mandate per field as a consent event with the texts shown; narrows, renews, withdraws', async () => {
    const jobseeker = await createJobseeker(server);
    const advisor = await createAdvisor(server);
    await assign(server, advisor.id, jobseeker.id);
    const agent = await signInToAccount(server, jobseeker);

    const given = await submit(agent, '/account/conseiller/mandat', [
      ['fields', 'competences.libelle'],
      ['scopes', 'projet'],
      ['fields', 'not.a-field'],
      ['duree', '6'],
    ]);
    expect(given.url.pathname + given.url.search).toBe('/account/conseiller?ok=given');
    const [mandate] = await mandateOf(jobseeker.id);
    expect(mandate).toMatchObject({ status: 'active', client_id: null, advisor_id: advisor.id });
    expect(mandate.fields).toContain('competences.libelle');
    expect(mandate.fields).toContain('projet.metiersRecherches');
    expect(mandate.fields).not.toContain('competences.niveau');
    expect(mandate.fields).not.toContain('not.a-field');
    const months = (mandate.expires_at.getTime() - Date.now()) / (30.44 * 86_400_000);
    expect(months).toBeGreaterThan(5.8);
    expect(months).toBeLessThan(6.2);
    let events = await eventsOf(jobseeker.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      kind: 'granted',
      actor: 'jobseeker',
      advisor_id: advisor.id,
      client_id: null,
    });
    expect(events[0].texts.mandate).toMatchObject({
      advisor: 'Julie Martin, Lyon Part-Dieu',
      months: 6,
      freedom: expect.stringContaining('ne change rien à vos droits'),
    });
    expect(events[0].texts.catalog).toBeTruthy();
    expect(events[0].texts.purposes.competences).toBeTruthy();

    // The page now ticks what is shared, and lists it.
    const shown = await page(agent);
    expect(shown.html).toMatch(/value="competences.libelle" id="[^"]+" aria-describedby="[^"]+" checked/);
    expect(shown.html).toContain('Retirer mon mandat');

    // Narrowed: projet is unticked.
    await submit(agent, '/account/conseiller/mandat', [
      ['fields', 'competences.libelle'],
      ['duree', '6'],
    ]);
    // The code travels with its label, as on an app's consent page.
    expect((await mandateOf(jobseeker.id))[0].fields).toEqual(['competences.code', 'competences.libelle']);
    // Renewed with the default duration.
    await submit(agent, '/account/conseiller/mandat', [
      ['fields', 'competences.libelle'],
      ['duree', '3'],
    ]);
    // The same form submitted twice (a double click): one decision, one event.
    const form = await page(agent);
    const formId = /name="formulaire" value="([^"]+)"/.exec(form.html)?.[1] as string;
    const twice: [string, string][] = [
      ['fields', 'competences.libelle'],
      ['duree', '4'],
      ['formulaire', formId],
    ];
    await agent.submit(form.url, form.html, '/account/conseiller/mandat', twice);
    const second = await agent.submit(form.url, form.html, '/account/conseiller/mandat', twice);
    expect(second.url.search).toBe('?ok=duplicate');
    // Too long: refused, nothing changes.
    const tooLong = await submit(agent, '/account/conseiller/mandat', [
      ['fields', 'competences.code'],
      ['duree', '13'],
    ]);
    expect(tooLong.response.status).toBe(400);
    const withdrawn = await submit(agent, '/account/conseiller/retrait', []);
    expect(withdrawn.url.search).toBe('?ok=withdrawn');
    expect(await mandateOf(jobseeker.id)).toMatchObject([{ status: 'revoked', fields: [] }]);
    events = await eventsOf(jobseeker.id);
    expect(events.map((e) => e.kind)).toEqual(['granted', 'narrowed', 'extended', 'extended', 'revoked']);
    expect(events.every((e) => e.advisor_id === advisor.id && e.client_id === null)).toBe(true);
    expect(events[1].fields_removed.some((k: string) => k.startsWith('projet.'))).toBe(true);
    // The history on the page names each change.
    const after = await page(agent);
    expect(after.html).toContain('Mandat restreint');
    expect(after.html).toContain('Vous avez retiré votre mandat');
    // The export (RGPD art. 15 and 20) holds the mandate and its events, named by the advisor.
    const exported = await (await agent.follow(`${server.issuer}/account/export`)).response.json();
    expect(exported.mandates).toEqual([
      expect.objectContaining({
        advisor: { id: advisor.id, name: 'Julie Martin', agency: 'Lyon Part-Dieu' },
        status: 'revoked',
      }),
    ]);
    expect(
      exported.consent_events.map((e: { advisor_id?: string; client_id: unknown }) => [
        e.advisor_id,
        e.client_id,
      ]),
    ).toEqual(Array(5).fill([advisor.id, null]));
    // The mandate is not an app: "Mes autorisations" does not list it.
    const consents = await agent.follow(`${server.issuer}/account/consents`);
    expect(await consents.response.text()).not.toContain('Julie Martin');
  });

  it('expires like an app’s consent: the expiry job records it, with the advisor as recipient', async () => {
    const jobseeker = await createJobseeker(server);
    const advisor = await createAdvisor(server);
    await assign(server, advisor.id, jobseeker.id);
    await server.app.services.mandates.give(jobseeker.id, ['competences.libelle'], 1);
    await server.pool.query(
      "UPDATE consents SET expires_at = now() - interval '1 second' WHERE jobseeker_id = $1",
      [jobseeker.id],
    );
    await server.app.services.consentChanges.expireDue();
    expect((await mandateOf(jobseeker.id))[0].status).toBe('expired');
    const events = await eventsOf(jobseeker.id);
    expect(events.map((e) => [e.kind, e.actor, e.advisor_id])).toEqual([
      ['granted', 'jobseeker', advisor.id],
      ['expired', 'system', advisor.id],
    ]);
    const agent = await signInToAccount(server, jobseeker);
    expect((await page(agent)).html).toContain('Votre mandat est arrivé à échéance');
  });

  it('without an advisor, says so; a jobseeker cannot mark another jobseeker’s step', async () => {
    const alone = await createJobseeker(server);
    const agent = await signInToAccount(server, alone);
    expect((await page(agent)).html).toContain('Aucun conseiller ne vous est attribué');
    const other = await createJobseeker(server);
    const advisor = await createAdvisor(server);
    const { rows } = await server.pool.query(
      "INSERT INTO action_plan_steps (jobseeker_id, advisor_id, title) VALUES ($1, $2, 'Étape') RETURNING id",
      [other.id, advisor.id],
    );
    const marked = await submit(agent, `/account/conseiller/plan/${rows[0].id}/fait`, []);
    expect(marked.response.status).toBe(404);
    const step = await server.pool.query('SELECT state FROM action_plan_steps WHERE id = $1', [rows[0].id]);
    expect(step.rows[0].state).toBe('todo');
  });

  it('speaks of the advisor in the financial-data warning; « Retirer tous mes accords » ends the mandate and says so', async () => {
    const jobseeker = await createJobseeker(server);
    const advisor = await createAdvisor(server);
    await assign(server, advisor.id, jobseeker.id);
    const agent = await signInToAccount(server, jobseeker);
    const { html } = await page(agent);
    expect(html).toContain('ne la confiez que si votre conseiller en a vraiment besoin');
    expect(html).not.toContain('si l’application en a vraiment besoin');
    await server.app.services.mandates.give(jobseeker.id, ['competences.libelle'], 3);
    // With no app's consent the page offers no button; the confirmed post is what it would send.
    const list = await agent.follow(`${server.issuer}/account/consents`);
    const done = await agent.submit(list.url, await list.response.text(), '/account/consents/revoke-all', [
      ['confirm', 'yes'],
    ]);
    expect(await done.response.text()).toContain(
      'si vous aviez donné un mandat à votre conseiller, il a pris fin',
    );
    expect((await mandateOf(jobseeker.id)).map((m) => m.status)).toEqual(['revoked']);
  });
});

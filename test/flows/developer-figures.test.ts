// The figures of an app: counts per day from the consent events, the consents and the access log,
// small counts hidden (production) or shown (sandbox, synthetic personas only), an SVG chart with
// its table, nothing that names a jobseeker; the admins see the same for any app.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_PASSWORD } from '../../src/developers/sandbox-personas.ts';
import { decode, enrolledAdmin, getPage } from '../support/admin-console.ts';
import { authorize, discover } from '../support/authorize.ts';
import { createDraft, signedInDeveloper } from '../support/developer-portal.ts';
import { createJobseeker } from '../support/factories.ts';
import { exchange } from '../support/grant.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  await server.pool.query(
    `INSERT INTO consent_texts (hash, texts) VALUES ('t-figures',
       '{"catalog": {"scopes": {"competences": {"fields": {"libelle": {}, "code": {}}}, "langues": {"fields": {"libelle": {}}}}}}')`,
  );
});
afterAll(() => server?.close());

/** `n` jobseekers who granted the app competences only (langues declined), and `reads` reads. */
async function recorded(clientId: string, n: number, reads: number) {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const j = await createJobseeker(server);
    ids.push(j.id);
    const consent = await server.pool.query(
      `INSERT INTO consents (jobseeker_id, client_id, status, fields, texts_hash, granted_at, expires_at)
       VALUES ($1, $2, 'active', '{competences.libelle,competences.code}', 't-figures', now(), now() + interval '1 year') RETURNING id`,
      [j.id, clientId],
    );
    await server.pool.query(
      `INSERT INTO consent_events (consent_id, jobseeker_id, client_id, kind, fields_added, fields_after, texts_hash, actor)
       VALUES ($1, $2, $3, 'granted', '{competences.libelle,competences.code}', '{competences.libelle,competences.code}', 't-figures', 'jobseeker')`,
      [consent.rows[0].id, j.id, clientId],
    );
  }
  for (let i = 0; i < reads; i++)
    await server.pool.query(
      `INSERT INTO access_log (jobseeker_id, client_id, scope, fields, read_at) VALUES ($1, $2, 'competences', '{libelle}', now())`,
      [ids[i % ids.length], clientId],
    );
  return ids;
}

const cellsOf = (html: string, tableId: string) => {
  const table = new RegExp(`<table[^>]*id="${tableId}"[\\s\\S]*?</table>`).exec(html)?.[0] ?? '';
  return decode(table.replace(/<[^>]+>/g, ' '));
};

describe('figures of an app', () => {
  it('hides counts below 5 and shows them from 5, with a chart and its table; nothing names a jobseeker', async () => {
    const dev = await signedInDeveloper(server);
    const draft = await createDraft(server, dev.agent, {
      name: 'Appli chiffrée',
      redirectUri: 'http://127.0.0.1:9/cb-fig',
    });
    const { rows } = await server.pool.query('SELECT client_id FROM developer_apps WHERE id = $1', [
      draft.appId,
    ]);
    const clientId = rows[0].client_id as string;
    const path = `/developpeurs/applications/${draft.appId}/statistiques`;

    const few = await recorded(clientId, 3, 2);
    let page = await getPage(dev.agent, server, path);
    expect(page.response.status).toBe(200);
    expect(decode(/id="accords-actifs">([^<]*)</.exec(page.html)?.[1] ?? '')).toBe('moins de 5');
    expect(cellsOf(page.html, 'tableau-accords')).toContain('moins de 5');
    expect(cellsOf(page.html, 'tableau-accords')).not.toMatch(/ 3 /);
    expect(cellsOf(page.html, 'tableau-lectures')).not.toMatch(/ 2 /);
    expect(cellsOf(page.html, 'tableau-refus')).toContain('moins de 5');

    const more = await recorded(clientId, 4, 6);
    page = await getPage(dev.agent, server, path);
    expect(/id="accords-actifs">([^<]*)</.exec(page.html)?.[1]).toBe('7');
    expect(cellsOf(page.html, 'tableau-lectures')).toMatch(/Total Vos compétences .* 8 8$/);
    // Every decision showed « langues » and none ticked it; the competences were always kept.
    const refus = cellsOf(page.html, 'tableau-refus');
    expect(refus).toMatch(/langues que vous parlez › Nom de la langue 7 100 %/);
    expect(refus).toMatch(/Vos compétences › Nom de la compétence 7 0 %/);
    expect(page.html).toMatch(
      /<svg class="bar-chart"[^>]*role="img"[^>]*aria-labelledby="graphique-accords-titre graphique-accords-desc"/,
    );
    expect(page.html).toContain('<desc id="graphique-lectures-desc">');
    for (const id of [...few, ...more]) expect(page.html).not.toContain(id);
    expect(page.html).not.toContain('Marie'); // the factory's jobseekers are all « Marie Dupont »

    const admin = await enrolledAdmin(server);
    const adminPage = await getPage(
      admin.agent,
      server,
      `/admin/clients/${encodeURIComponent(clientId)}/statistiques`,
    );
    expect(adminPage.response.status).toBe(200);
    expect(/id="accords-actifs">([^<]*)</.exec(adminPage.html)?.[1]).toBe('7');
  });

  it('shows the sandbox figures of a persona flow in full', async () => {
    const dev = await signedInDeveloper(server);
    const uri = 'http://127.0.0.1:9/cb-fig-sandbox';
    const draft = await createDraft(server, dev.agent, { name: 'Appli testée', redirectUri: uri });
    const config = await discover(server.issuer, draft.sandboxClientId, draft.sandboxSecret);
    const flow = await authorize({
      config,
      redirectUri: uri,
      scope: 'openid competences langues',
      login: { login: 'bac-a-sable.samir', password: SANDBOX_PASSWORD },
      fields: ['competences.libelle'],
    });
    await exchange(server, config, flow);
    const page = await getPage(
      dev.agent,
      server,
      `/developpeurs/applications/${draft.appId}/statistiques?environnement=bac-a-sable`,
    );
    expect(/id="accords-actifs">([^<]*)</.exec(page.html)?.[1]).toBe('1');
    expect(cellsOf(page.html, 'tableau-accords')).not.toContain('moins de 5');
    // Shown on the real consent page: competences (code and libellé ticked) and langues (nothing).
    const tables = cellsOf(page.html, 'tableau-accords');
    expect(tables).toMatch(/\d\d\/\d\d 0 1 0 0 0 0$/); // today: granted in part
    const refus = cellsOf(page.html, 'tableau-refus');
    expect(refus).toContain('Vos compétences › Nom de la compétence 1 0 %');
    expect(refus).toContain('Vos compétences › Type de compétence 1 100 %');
    expect(refus).toContain('Les langues que vous parlez › Nom de la langue 1 100 %');
  });
});

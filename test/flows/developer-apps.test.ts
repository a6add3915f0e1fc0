// Drafts and the sandbox of /developpeurs over HTTP, with a real OIDC client (openid-client): a draft
// is a pending client the developer cannot activate; its sandbox twin works at once through the real
// login and consent pages, for sandbox personas only — never a real jobseeker, whom the database
// itself keeps apart — and a developer sees only the apps of their team (IDOR).
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REAL_ACCOUNT_ON_SANDBOX } from '../../src/developers/sandbox-gate.ts';
import { SANDBOX_PASSWORD } from '../../src/developers/sandbox-personas.ts';
import { signInToAccount } from '../support/account.ts';
import { getPage, post } from '../support/admin-console.ts';
import { authorize, discover } from '../support/authorize.ts';
import { createDraft, signedInDeveloper } from '../support/developer-portal.ts';
import { createClient, createJobseeker } from '../support/factories.ts';
import { apiGet, exchange } from '../support/grant.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { UserAgent } from '../support/user-agent.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const redirectUri = () => `http://127.0.0.1:9/cb-${Math.random().toString(36).slice(2)}`;
const decodeHtml = (s: string) =>
  s.replaceAll('&#39;', "'").replaceAll('&quot;', '"').replaceAll('&amp;', '&');

describe('a draft and its sandbox', () => {
  it('creates a pending draft and a live sandbox twin; a persona signs in and the API answers', async () => {
    const { agent } = await signedInDeveloper(server, 'Éditions Partenaires');
    const uri = redirectUri();
    const draft = await createDraft(server, agent, { name: 'CV Partenaire', redirectUri: uri });
    expect(draft.sandboxClientId).toMatch(/^sandbox-/);
    expect(draft.sandboxSecret).toBeTruthy();

    const { rows } = await server.pool.query(
      `SELECT c.id, c.status, c.sandbox, c.registered_via, c.operator_name
         FROM developer_apps d JOIN clients c ON c.id IN (d.client_id, d.sandbox_client_id)
        WHERE d.id = $1 ORDER BY c.sandbox`,
      [draft.appId],
    );
    expect(rows).toMatchObject([
      {
        status: 'pending',
        sandbox: false,
        registered_via: 'developer',
        operator_name: 'Éditions Partenaires',
      },
      { id: draft.sandboxClientId, status: 'active', sandbox: true, registered_via: 'developer-sandbox' },
    ]);

    // Neither the draft (pending) nor its live sandbox twin is in the Emploi Store.
    const catalog = await (await fetch(`${server.issuer}/applications`)).text();
    expect(catalog).not.toContain('CV Partenaire');
    const twinPage = await fetch(
      `${server.issuer}/applications/${encodeURIComponent(draft.sandboxClientId)}`,
    );
    expect(twinPage.status).toBe(404);

    const config = await discover(server.issuer, draft.sandboxClientId, draft.sandboxSecret);
    const flow = await authorize({
      config,
      redirectUri: uri,
      scope: 'openid profile competences',
      login: { login: 'bac-a-sable.lea', password: SANDBOX_PASSWORD },
      fields: ['competences.libelle', 'competences.code', 'profile.given_name'],
    });
    // The consent page showed the sandbox purpose for langues-less scopes and the draft's own here.
    expect(decodeHtml(flow.pages[1] ?? '')).toContain('Remplir la rubrique Compétences de votre CV.');
    expect(flow.pages[1]).toContain('id="bac-a-sable"');
    const tokens = await exchange(server, config, flow);
    const read = await apiGet(server, tokens.access_token, 'competences');
    expect(read.status).toBe(200);
    const body = JSON.stringify(await read.json());
    expect(body).toContain('Accueillir une clientèle');
    expect(body).not.toContain('savoir_faire'); // `type` was not ticked
  });

  it('never signs a real jobseeker in to a sandbox app, nor a persona in to a real app', async () => {
    const { agent } = await signedInDeveloper(server);
    const uri = redirectUri();
    const draft = await createDraft(server, agent, { name: 'Appli Test', redirectUri: uri });
    const real = await createJobseeker(server);
    const config = await discover(server.issuer, draft.sandboxClientId, draft.sandboxSecret);
    const refused = await authorize({
      config,
      redirectUri: uri,
      scope: 'openid competences',
      login: real,
    });
    expect(refused.callback.href.startsWith(uri)).toBe(false);
    expect(refused.response.status).toBe(403);
    expect(decodeHtml(await refused.response.text())).toContain(REAL_ACCOUNT_ON_SANDBOX);
    const consents = await server.pool.query('SELECT 1 FROM consents WHERE jobseeker_id = $1', [real.id]);
    expect(consents.rowCount).toBe(0);

    // Signed in to /account first (one sign-in): the sandbox app does not take that sign-in.
    const browser = await signInToAccount(server, real);
    const signedInFlow = await authorize({
      config,
      redirectUri: uri,
      scope: 'openid competences',
      agent: browser,
    });
    expect(signedInFlow.callback.href.startsWith(uri)).toBe(false);
    const loginPage = decodeHtml(await signedInFlow.response.text());
    expect(loginPage).toContain(REAL_ACCOUNT_ON_SANDBOX);
    expect(loginPage).toContain('name="password"'); // the login page, asking for a persona

    const realApp = await createClient(server);
    const personaOnReal = await authorize({
      config: await discover(server.issuer, realApp.client_id, realApp.client_secret),
      redirectUri: realApp.redirectUri,
      scope: 'openid competences',
      login: { login: 'bac-a-sable.samir', password: SANDBOX_PASSWORD },
    });
    expect(personaOnReal.response.status).toBe(403);

    // Below every page, the database refuses a consent across the two worlds.
    const texts = await server.pool.query(
      `INSERT INTO consent_texts (hash, texts) VALUES ('t-sandbox-test', '{}') ON CONFLICT DO NOTHING`,
    );
    expect(texts).toBeTruthy();
    await expect(
      server.pool.query(
        `INSERT INTO consents (jobseeker_id, client_id, status, fields, texts_hash, granted_at, expires_at)
         VALUES ($1, $2, 'active', '{competences.libelle}', 't-sandbox-test', now(), now() + interval '1 day')`,
        [real.id, draft.sandboxClientId],
      ),
    ).rejects.toThrow(/sandbox/);
    const persona = await server.pool.query("SELECT id FROM jobseekers WHERE login = 'bac-a-sable.jade'");
    await expect(
      server.pool.query(
        `INSERT INTO consents (jobseeker_id, client_id, status, fields, texts_hash, granted_at, expires_at)
         VALUES ($1, $2, 'active', '{competences.libelle}', 't-sandbox-test', now(), now() + interval '1 day')`,
        [persona.rows[0].id, realApp.client_id],
      ),
    ).rejects.toThrow(/sandbox/);
    // A token of the sandbox app cannot be had by the client credentials route either.
    await expect(oidc.clientCredentialsGrant(config, { scope: 'competences' })).rejects.toThrow();
  });

  it('refuses the consent page and the decision to a provider session of the other world', async () => {
    // The login steps are gated above; a provider session opened for an ordinary app goes straight to
    // the consent step of a sandbox app, where the page's query and the consent row's trigger gate it.
    const { agent: developer } = await signedInDeveloper(server);
    const uri = redirectUri();
    const draft = await createDraft(server, developer, { name: 'Appli Session', redirectUri: uri });
    const real = await createJobseeker(server);
    const realApp = await createClient(server);
    const browser = new UserAgent();
    const first = await authorize({
      config: await discover(server.issuer, realApp.client_id, realApp.client_secret),
      redirectUri: realApp.redirectUri,
      scope: 'openid competences',
      login: real,
      refuse: true,
      agent: browser,
    });
    expect(first.callback.searchParams.get('error')).toBe('access_denied');

    const sandboxFlow = await authorize({
      config: await discover(server.issuer, draft.sandboxClientId, draft.sandboxSecret),
      redirectUri: uri,
      scope: 'openid competences',
      agent: browser,
    });
    expect(sandboxFlow.callback.href.startsWith(uri)).toBe(false);
    expect(sandboxFlow.callback.pathname).toMatch(/^\/interaction\/[^/]+$/);
    expect(sandboxFlow.response.status).toBe(403);
    expect(decodeHtml(await sandboxFlow.response.text())).toContain(REAL_ACCOUNT_ON_SANDBOX);

    // The decision sent anyway (with a valid CSRF token from /account): refused, nothing recorded.
    const accountPage = await browser.follow(new URL('/account', server.issuer));
    const decision = await browser.submit(
      sandboxFlow.callback,
      await accountPage.response.text(),
      `${sandboxFlow.callback.pathname}/consent`,
      [['fields', 'competences.libelle']],
      uri,
    );
    expect(decision.url.href.startsWith(uri)).toBe(false);
    expect(decision.response.status).toBe(403);
    expect(decodeHtml(await decision.response.text())).toContain(REAL_ACCOUNT_ON_SANDBOX);
    const consents = await server.pool.query(
      'SELECT 1 FROM consents WHERE jobseeker_id = $1 AND client_id = $2',
      [real.id, draft.sandboxClientId],
    );
    expect(consents.rowCount).toBe(0);
  });

  it('shows a developer only the apps of their team: another one gets 404 everywhere', async () => {
    const owner = await signedInDeveloper(server);
    const other = await signedInDeveloper(server);
    const draft = await createDraft(server, owner.agent, {
      name: 'Appli privée',
      redirectUri: redirectUri(),
    });
    const base = `/developpeurs/applications/${draft.appId}`;
    for (const path of [base, `${base}/modifier`, `${base}/catalogue`, `${base}/statistiques`]) {
      const page = await getPage(other.agent, server, path);
      expect(page.response.status, path).toBe(404);
      expect(page.html).not.toContain('Appli privée');
    }
    for (const action of [
      `${base}/bac-a-sable/secret`,
      `${base}/soumettre`,
      `${base}/modifier`,
      `${base}/equipe`,
    ]) {
      const res = await post(other.agent, server, '/developpeurs/applications', action, [
        ['email', other.email],
      ]);
      expect(res.response.status, action).toBe(404);
    }
    expect((await getPage(other.agent, server, '/developpeurs/applications')).html).not.toContain(
      'Appli privée',
    );

    // Once invited, the other developer is on the team.
    const invited = await post(owner.agent, server, base, `${base}/equipe`, [['email', other.email]]);
    expect(invited.location).toBe(`${base}?ok=equipe`);
    expect((await getPage(other.agent, server, base)).response.status).toBe(200);
    // Taken off the team, the app is gone for them again; its creator cannot be taken off.
    const { rows } = await server.pool.query(
      'SELECT account_id, role FROM developer_app_members WHERE app_id = $1',
      [draft.appId],
    );
    const ownerId = rows.find((r) => r.role === 'owner').account_id;
    const otherId = rows.find((r) => r.role === 'member').account_id;
    const notOwner = await post(other.agent, server, base, `${base}/equipe/retirer`, [
      ['account_id', ownerId],
    ]);
    expect(notOwner.response.status).toBe(400);
    const removed = await post(owner.agent, server, base, `${base}/equipe/retirer`, [
      ['account_id', otherId],
    ]);
    expect(removed.location).toBe(`${base}?ok=retire`);
    expect((await getPage(other.agent, server, base)).response.status).toBe(404);
    // Signed out, the portal asks to sign in.
    const anonymous = await fetch(`${server.issuer}${base}`, { redirect: 'manual' });
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get('location')).toBe('/developpeurs/connexion');
  });

  it('lets a developer neither activate a draft nor vet its audience; submission needs what the review checks', async () => {
    const { agent } = await signedInDeveloper(server);
    const uri = redirectUri();
    const draft = await createDraft(server, agent, { name: 'Appli incomplète', redirectUri: uri });
    const base = `/developpeurs/applications/${draft.appId}`;
    const page = await getPage(agent, server, base);
    expect(decodeHtml(page.html)).toContain('Avant de soumettre');
    expect(page.html).not.toContain(`action="${base}/soumettre"`);
    const early = await post(agent, server, base, `${base}/soumettre`, []);
    expect(early.response.status).toBe(400);

    const origin = new URL(uri).origin;
    const edited = await post(agent, server, `${base}/modifier`, `${base}/modifier`, [
      ['name', 'Appli complète'],
      ['redirect_uris', uri],
      ['token_endpoint_auth_method', 'client_secret'],
      ['scopes', 'openid'],
      ['scopes', 'competences'],
      ['purpose_competences', 'Remplir votre CV.'],
      ['policy_uri', `${origin}/confidentialite`],
      ['contact_email', 'dpo@partenaire.example'],
      ['free_for_jobseekers', 'yes'],
      ['status', 'active'],
      ['audience_vetted', 'yes'],
    ]);
    expect(edited.location, edited.html).toBe(`${base}?ok=enregistree`);
    const catalogue = await post(agent, server, `${base}/catalogue`, `${base}/catalogue`, [
      ['category', 'cv'],
      ['rome', 'D1106'],
      ['audience_vetted', 'yes'],
    ]);
    expect(catalogue.location, catalogue.html).toBe(`${base}?ok=catalogue`);
    const row = await server.pool.query(
      'SELECT c.status, c.audience_vetted, c.category FROM developer_apps d JOIN clients c ON c.id = d.client_id WHERE d.id = $1',
      [draft.appId],
    );
    expect(row.rows[0]).toEqual({ status: 'pending', audience_vetted: false, category: 'cv' });

    const submitted = await post(agent, server, base, `${base}/soumettre`, []);
    expect(submitted.location).toBe(`${base}?ok=soumise`);
    // Under review, the draft is frozen.
    const frozen = await post(agent, server, base, `${base}/modifier`, [['name', 'Autre nom']]);
    expect(frozen.response.status).toBe(409);
    const audit = await server.pool.query(
      "SELECT action, actor FROM admin_audit WHERE target_type = 'developer_app' AND target_id = $1 ORDER BY id",
      [draft.appId],
    );
    expect(audit.rows.map((r) => r.action)).toEqual(['developer_app.create', 'developer_app.submit']);
  });
});

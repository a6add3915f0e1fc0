// The review queue of the admin console over HTTP: a submitted app is approved (it becomes active and
// its production credentials, issued then and only then, sign a real jobseeker in), sent back with
// a comment, or refused with a reason; every decision audited and mailed to the team.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, enrolledAdmin, getPage, post } from '../support/admin-console.ts';
import { authorize, discover } from '../support/authorize.ts';
import { lastMail, signedInDeveloper, signIn, submittedDraft } from '../support/developer-portal.ts';
import { createJobseeker } from '../support/factories.ts';
import { apiGet, exchange } from '../support/grant.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { UserAgent } from '../support/user-agent.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const redirectUri = () => `http://127.0.0.1:9/cb-${Math.random().toString(36).slice(2)}`;
const audit = async (appId: string) =>
  (
    await server.pool.query(
      "SELECT action, actor, after FROM admin_audit WHERE target_type = 'developer_app' AND target_id = $1 ORDER BY id",
      [appId],
    )
  ).rows;

describe('the review queue', () => {
  it('approves: the app is active, production credentials are issued once and work for a real jobseeker', async () => {
    const dev = await signedInDeveloper(server);
    const uri = redirectUri();
    const draft = await submittedDraft(server, dev.agent, 'Appli à valider', uri);
    const base = `/developpeurs/applications/${draft.appId}`;
    // Before approval, no production secret.
    const early = await post(dev.agent, server, base, `${base}/production/secret`, []);
    expect(early.response.status).toBe(409);

    const admin = await enrolledAdmin(server);
    const queue = await getPage(admin.agent, server, '/admin/validations');
    expect(queue.html).toContain('Appli à valider');
    const decided = await post(
      admin.agent,
      server,
      `/admin/validations/${draft.appId}`,
      `/admin/validations/${draft.appId}`,
      [
        ['decision', 'approve'],
        ['comment', ''],
      ],
    );
    expect(decided.location, decided.html).toBe('/admin/validations?ok=approve');
    expect((await audit(draft.appId)).at(-1)).toMatchObject({
      action: 'developer_app.approve',
      actor: `admin:${admin.email}`,
    });
    expect((await lastMail(server, dev.email))?.subject).toContain('Décision');
    const auditPage = await getPage(admin.agent, server, '/admin/audit');
    expect(decode(auditPage.html)).toContain('Validation : application approuvée');
    expect(auditPage.html).toContain(draft.appId);

    const issued = await post(dev.agent, server, base, `${base}/production/secret`, []);
    expect(issued.response.status).toBe(200);
    const clientId = /id="client-id">([^<]+)</.exec(issued.html)?.[1] as string;
    const secret = /id="client-secret">([^<]+)</.exec(issued.html)?.[1] as string;
    expect(clientId).not.toMatch(/^sandbox-/);
    // The secret is not shown again on the app's page.
    expect((await getPage(dev.agent, server, base)).html).not.toContain(secret);

    // Approved, its redirect URIs may change on the approved host only; the sandbox follows.
    const second = `${new URL(uri).origin}/autre-retour`;
    const elsewhere = await post(dev.agent, server, `${base}/adresses`, `${base}/adresses`, [
      ['redirect_uris', 'https://ailleurs.example/retour'],
    ]);
    expect(elsewhere.response.status).toBe(400);
    expect(decode(elsewhere.html)).toContain('hôte approuvé');
    const moved = await post(dev.agent, server, `${base}/adresses`, `${base}/adresses`, [
      ['redirect_uris', `${uri}\n${second}`],
    ]);
    expect(moved.location, moved.html).toBe(`${base}?ok=adresses`);
    const uris = await server.pool.query('SELECT redirect_uris FROM clients WHERE id IN ($1, $2)', [
      clientId,
      draft.sandboxClientId,
    ]);
    expect(uris.rows.map((r) => r.redirect_uris)).toEqual([
      [uri, second],
      [uri, second],
    ]);

    const jobseeker = await createJobseeker(server);
    const config = await discover(server.issuer, clientId, secret);
    const flow = await authorize({
      config,
      redirectUri: uri,
      scope: 'openid competences',
      login: jobseeker,
      fields: ['competences.libelle'],
    });
    expect(flow.pages[1]).not.toContain('id="bac-a-sable"'); // no sandbox banner on a real app
    const tokens = await exchange(server, config, flow);
    expect((await apiGet(server, tokens.access_token, 'competences')).status).toBe(200);
  });

  it('requests changes with a comment (required), then the developer edits and submits again', async () => {
    const dev = await signedInDeveloper(server);
    const draft = await submittedDraft(server, dev.agent, 'Appli à revoir', redirectUri());
    const admin = await enrolledAdmin(server);
    const path = `/admin/validations/${draft.appId}`;
    const missing = await post(admin.agent, server, path, path, [
      ['decision', 'request_changes'],
      ['comment', ' '],
    ]);
    expect(missing.response.status).toBe(400);
    expect(decode(missing.html)).toContain('Indiquez les modifications attendues.');
    const sent = await post(admin.agent, server, path, path, [
      ['decision', 'request_changes'],
      ['comment', 'Précisez la finalité des langues.'],
    ]);
    expect(sent.location).toBe('/admin/validations?ok=request_changes');
    expect((await lastMail(server, dev.email))?.body).toContain('Précisez la finalité des langues.');

    const base = `/developpeurs/applications/${draft.appId}`;
    const page = await getPage(dev.agent, server, base);
    expect(decode(page.html)).toContain('Précisez la finalité des langues.');
    const again = await post(dev.agent, server, base, `${base}/soumettre`, []);
    expect(again.location).toBe(`${base}?ok=soumise`);
    expect((await audit(draft.appId)).map((r) => r.action)).toEqual([
      'developer_app.create',
      'developer_app.submit',
      'developer_app.request_changes',
      'developer_app.submit',
    ]);
  });

  it('refuses with a reason; a decided app takes no second decision; the app stays inactive', async () => {
    const dev = await signedInDeveloper(server);
    const draft = await submittedDraft(server, dev.agent, 'Appli refusée', redirectUri());
    const admin = await enrolledAdmin(server);
    const path = `/admin/validations/${draft.appId}`;
    const refused = await post(admin.agent, server, path, path, [
      ['decision', 'refuse'],
      ['comment', 'Service payant pour les demandeurs d’emploi.'],
    ]);
    expect(refused.location).toBe('/admin/validations?ok=refuse');
    const twice = await post(admin.agent, server, '/admin/validations', path, [['decision', 'approve']]);
    expect(twice.response.status).toBe(409);
    const row = await server.pool.query(
      'SELECT c.status, d.review_state, d.review_comment FROM developer_apps d JOIN clients c ON c.id = d.client_id WHERE d.id = $1',
      [draft.appId],
    );
    expect(row.rows[0]).toEqual({
      status: 'pending',
      review_state: 'refused',
      review_comment: 'Service payant pour les demandeurs d’emploi.',
    });
    // The review queue is the admins': a developer session is not an admin one.
    const asDeveloper = await dev.agent.request(`${server.issuer}${path}`);
    expect(asDeveloper.status).toBe(302);
    expect(asDeveloper.headers.get('location')).toBe('/admin/login');
  });

  it('lets an admin disable a developer account: it loses the portal at once, and can be enabled again', async () => {
    const dev = await signedInDeveloper(server);
    const admin = await enrolledAdmin(server);
    const list = await getPage(admin.agent, server, '/admin/developpeurs');
    expect(list.html).toContain(dev.email);
    const { rows } = await server.pool.query('SELECT id FROM developer_accounts WHERE email = $1', [
      dev.email,
    ]);
    const path = `/admin/developpeurs/${rows[0].id}/etat`;
    const disabled = await post(admin.agent, server, '/admin/developpeurs', path, [['disable', 'yes']]);
    expect(disabled.location).toBe('/admin/developpeurs?ok=disabled');

    const portal = await dev.agent.request(`${server.issuer}/developpeurs/applications`);
    expect(portal.status).toBe(302);
    expect(portal.headers.get('location')).toBe('/developpeurs/connexion');
    expect((await signIn(server, dev.email, new UserAgent())).response.status).toBe(401);

    await post(admin.agent, server, '/admin/developpeurs', path, [['disable', 'no']]);
    expect((await signIn(server, dev.email, new UserAgent())).location).toBe('/developpeurs/applications');
    const audit = await server.pool.query(
      "SELECT action, actor FROM admin_audit WHERE target_type = 'developer' AND target_id = $1 ORDER BY id",
      [rows[0].id],
    );
    expect(audit.rows).toEqual([
      { action: 'developer.disable', actor: `admin:${admin.email}` },
      { action: 'developer.enable', actor: `admin:${admin.email}` },
    ]);
  });
});

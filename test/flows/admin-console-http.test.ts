// The admin console over HTTP: password then TOTP (or enrolment), a new session id at sign-in,
// enrolment only with an enrolment code, codes accepted once, timeouts, CSRF, a jobseeker's session kept out; client registration with its
// validation errors, vetting (purposes, attestation) before approval, suspension, secret rotation,
// deletion, admin API tokens, initial access tokens, and the audit trail naming the admin.
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  alertOf,
  decode,
  enrol,
  enrolledAdmin,
  getPage,
  newEmail,
  nextCode,
  PASSWORD,
  passwordStep,
  post,
  secretOf,
  totp,
} from '../support/admin-console.ts';
import { createClient, createJobseeker } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { formAction, UserAgent } from '../support/user-agent.ts';

const sid = (agent: UserAgent, server: TestServer) =>
  /(?:^|; )pec\.sid=([^;]+)/.exec(agent.cookieHeader(new URL(server.issuer)))?.[1];

/** A new admin signed in with the password alone (ADMIN_TOTP_REQUIRED=false). */
async function passwordOnlyAdmin(server: TestServer) {
  const email = newEmail();
  await server.app.services.admins.create(email, PASSWORD, { actor: 'test' });
  const { agent, location } = await passwordStep(server, email);
  expect(location).toBe('/admin');
  return { agent, email };
}

const VALID_APP: [string, string][] = [
  ['name', 'Mon CV en ligne'],
  ['description', 'Aide à rédiger votre CV.'],
  ['operator_name', 'Startup SAS'],
  ['operator_siret', '73282932000074'],
  ['website', 'https://cv.example'],
  ['contact_email', 'contact@cv.example'],
  ['redirect_uris', 'https://cv.example/callback\r\nhttps://cv.example/callback2'],
  ['post_logout_redirect_uris', 'https://cv.example/'],
  ['scopes', 'openid'],
  ['scopes', 'profile'],
  ['scopes', 'competences'],
  ['scopes', 'statut'],
  ['token_endpoint_auth_method', 'client_secret_basic'],
  ['consent_duration_days', '180'],
];

// An ordinary app (no sensitive scope, which only high-assurance apps may request).
const STANDARD_APP = { scopes: ['openid', 'profile', 'statut', 'competences'] };

async function clientCount(server: TestServer) {
  const { rows } = await server.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM clients');
  return rows[0]?.n ?? 0;
}

describe('admin console, with TOTP required', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  it('answers an unknown email and a wrong password with the same message', async () => {
    const email = newEmail();
    await server.app.services.admins.create(email, PASSWORD, { actor: 'test' });
    const unknown = await passwordStep(server, newEmail());
    const wrong = await passwordStep(server, email, 'not the password at all');
    for (const attempt of [unknown, wrong]) {
      expect(attempt.response.status).toBe(401);
      expect(alertOf(attempt.html)).toBe('Adresse e-mail ou mot de passe incorrect.');
      expect(attempt.html).toContain('aria-invalid="true"');
    }
    expect((await wrong.agent.request(`${server.issuer}/admin`)).headers.get('location')).toBe(
      '/admin/login',
    );
  });

  it('sends an admin without TOTP to enrolment, asks for the enrolment code, and keeps /admin closed until a valid first code', async () => {
    const email = newEmail();
    const created = await server.app.services.admins.create(email, PASSWORD, { actor: 'test' });
    const { agent, location, response } = await passwordStep(server, email);
    expect(response.status).toBe(303);
    expect(location).toBe('/admin/enrolment');

    // Half-way in: no console, and the code page of enrolled admins sends back to enrolment.
    const closed = await agent.request(`${server.issuer}/admin`);
    expect(closed.status).toBe(302);
    expect(closed.headers.get('location')).toBe('/admin/login');
    expect((await agent.request(`${server.issuer}/admin/login/code`)).headers.get('location')).toBe(
      '/admin/enrolment',
    );

    // Not trust-on-first-use: without the enrolment code, no secret is shown, and a first code is
    // not even looked at.
    const asked = await getPage(agent, server, '/admin/enrolment');
    expect(asked.response.status).toBe(200);
    expect(asked.html).toContain('name="code"');
    expect(asked.html).not.toContain('id="totp-secret"');
    expect(asked.html).not.toContain('qr-code');
    const early = await post(agent, server, '/admin/enrolment', '/admin/enrolment', [['code', '123456']]);
    expect(early.location).toBe('/admin/enrolment');
    const wrongEnrolment = await post(agent, server, '/admin/enrolment', '/admin/enrolment/code', [
      ['code', 'AAAA-BBBB-CCCC-DDDD-EEEE'],
    ]);
    expect(wrongEnrolment.response.status).toBe(401);
    expect(alertOf(wrongEnrolment.html)).toContain('Code d’activation incorrect');
    expect(wrongEnrolment.html).not.toContain('id="totp-secret"');

    const { page, secret } = await enrol(agent, server, created.enrolmentCode.toLowerCase());
    expect(page.response.status).toBe(200);
    expect(page.html).toMatch(
      /<img class="qr-code" src="data:image\/png;base64,[^"]+" alt="QR code à scanner avec votre application d’authentification"/,
    );
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    // The same secret again on a reload, in this session only.
    expect(secretOf((await getPage(agent, server, '/admin/enrolment')).html)).toBe(secret);
    // Nothing secret in the session.
    const sessions = await server.pool.query<{ data: unknown }>('SELECT data FROM web_sessions');
    expect(JSON.stringify(sessions.rows)).not.toContain(secret);

    const wrong = await post(agent, server, '/admin/enrolment', '/admin/enrolment', [['code', '000000']]);
    expect(wrong.response.status).toBe(400);
    expect(alertOf(wrong.html)).toContain('Code incorrect');
    expect(wrong.html).not.toContain(secret);
    expect((await agent.request(`${server.issuer}/admin`)).status).toBe(302);

    const before = sid(agent, server);
    expect(before).toBeTruthy();
    const ok = await post(agent, server, '/admin/enrolment', '/admin/enrolment', [
      ['code', totp(secret).generate()],
    ]);
    expect(ok.response.status).toBe(303);
    expect(ok.location).toBe('/admin?ok=enrolled');
    const after = sid(agent, server);
    expect(after).toBeTruthy();
    expect(after).not.toBe(before);

    const home = await getPage(agent, server, '/admin?ok=enrolled');
    expect(home.response.status).toBe(200);
    expect(home.html).toContain('<nav class="account-nav admin-nav" aria-label="Administration">');
    expect(home.html).toContain('La double authentification est activée');
    const admin = await server.app.services.admins.findByEmail(email);
    expect(admin?.totp_enabled_at).toBeInstanceOf(Date);

    // Enrolled: the enrolment page is no longer offered (it would replace the secret).
    const again = await passwordStep(server, email);
    expect(again.location).toBe('/admin/login/code');
    expect((await again.agent.request(`${server.issuer}/admin/enrolment`)).headers.get('location')).toBe(
      '/admin/login/code',
    );
  });

  it('refuses a TOTP code used once already, accepts the next one, and renews the session id', async () => {
    const { email, secret, code } = await enrolledAdmin(server);
    const { agent, location } = await passwordStep(server, email);
    expect(location).toBe('/admin/login/code');
    const codePage = await getPage(agent, server, '/admin/login/code');
    expect(codePage.html).toContain('inputmode="numeric"');
    expect(codePage.html).toContain('autocomplete="one-time-code"');

    const replay = await post(agent, server, '/admin/login/code', '/admin/login/code', [['code', code]]);
    expect(replay.response.status).toBe(401);
    expect(alertOf(replay.html)).toContain('Code incorrect ou déjà utilisé');
    expect((await agent.request(`${server.issuer}/admin`)).status).toBe(302);

    const before = sid(agent, server);
    const ok = await post(agent, server, '/admin/login/code', '/admin/login/code', [
      ['code', nextCode(secret)],
    ]);
    expect(ok.response.status).toBe(303);
    expect(ok.location).toBe('/admin');
    expect(sid(agent, server)).not.toBe(before);
    expect((await agent.request(`${server.issuer}/admin`)).status).toBe(200);
  });

  it('creates another admin in the console, shows their enrolment code once, and issues a new one', async () => {
    const { agent, email: creator, id: creatorId } = await enrolledAdmin(server);
    const email = newEmail();
    const short = await post(agent, server, '/admin/admins', '/admin/admins', [
      ['email', email],
      ['password', 'court'],
    ]);
    expect(short.response.status).toBe(400);
    expect(short.html).toContain('href="#admin-password"');
    expect(await server.app.services.admins.findByEmail(email)).toBeUndefined();

    const created = await post(agent, server, '/admin/admins', '/admin/admins', [
      ['email', email],
      ['password', PASSWORD],
    ]);
    expect(created.response.status).toBe(200);
    expect(created.response.headers.get('cache-control')).toBe('no-store');
    const code = /id="enrolment-code">([^<]+)</.exec(created.html)?.[1] as string;
    expect(code).toMatch(/^([A-Z2-9]{4}-){4}[A-Z2-9]{4}$/);
    expect(decode(created.html)).toContain('il ne sera plus affiché');
    // Shown once: not on the list of admins.
    const list = await getPage(agent, server, '/admin/admins');
    expect(decode(list.html)).toContain(email);
    expect(list.html).not.toContain(code);
    // An admin can neither unlock nor reset themselves.
    expect(
      (await post(agent, server, '/admin/admins', `/admin/admins/${creatorId}/totp`, [])).response.status,
    ).toBe(403);

    // The new admin enrols with that code.
    const newcomer = await passwordStep(server, email);
    expect(newcomer.location).toBe('/admin/enrolment');
    const { secret } = await enrol(newcomer.agent, server, code);
    const done = await post(newcomer.agent, server, '/admin/enrolment', '/admin/enrolment', [
      ['code', totp(secret).generate()],
    ]);
    expect(done.location).toBe('/admin?ok=enrolled');

    // Lost phone: a new code from the other admin; the old authenticator no longer signs in.
    const target = await server.app.services.admins.findByEmail(email);
    const reissued = await post(agent, server, '/admin/admins', `/admin/admins/${target?.id}/totp`, []);
    expect(reissued.response.status).toBe(200);
    const second = /id="enrolment-code">([^<]+)</.exec(reissued.html)?.[1] as string;
    expect(second).toMatch(/^([A-Z2-9]{4}-){4}[A-Z2-9]{4}$/);
    expect(second).not.toBe(code);
    expect((await passwordStep(server, email)).location).toBe('/admin/enrolment');

    const audit = await server.pool.query<{ action: string; actor: string }>(
      "SELECT action, actor FROM admin_audit WHERE target_id = $1 AND action IN ('admin.create', 'admin.totp.enrol', 'admin.totp.reset') ORDER BY id",
      [target?.id],
    );
    expect(audit.rows).toEqual([
      { action: 'admin.create', actor: `admin:${creator}` },
      { action: 'admin.totp.enrol', actor: `admin:${email}` },
      { action: 'admin.totp.reset', actor: `admin:${creator}` },
    ]);
  });

  it('ends the session after 15 minutes idle or 8 hours in all, on the server', async () => {
    for (const key of ['adminSeenAt', 'adminAuthAt']) {
      const { agent, email } = await enrolledAdmin(server);
      expect((await agent.request(`${server.issuer}/admin`)).status).toBe(200);
      const admin = await server.app.services.admins.findByEmail(email);
      const past = Date.now() - (key === 'adminSeenAt' ? 16 * 60_000 : 8 * 3_600_000 + 60_000);
      await server.pool.query(
        `UPDATE web_sessions SET data = jsonb_set(data::jsonb, '{${key}}', to_jsonb($2::bigint))
          WHERE data->>'adminId' = $1`,
        [admin?.id, past],
      );
      const res = await agent.request(`${server.issuer}/admin`);
      expect(res.status, key).toBe(302);
      expect(res.headers.get('location'), key).toBe('/admin/login?expire=1');
    }
  });

  it('logs out of the console only', async () => {
    const { agent } = await enrolledAdmin(server);
    const out = await post(agent, server, '/admin', '/admin/logout', []);
    expect(out.response.status).toBe(303);
    expect(out.location).toBe('/admin/login?deconnecte=1');
    expect((await agent.request(`${server.issuer}/admin`)).status).toBe(302);
  });

  it('keeps a jobseeker’s session out of the console', async () => {
    const jobseeker = await createJobseeker(server);
    const agent = new UserAgent();
    const login = await getPage(agent, server, '/account/login');
    const done = await agent.submit(login.url, login.html, formAction(login.html, '/account/login'), [
      ['login', jobseeker.login],
      ['password', jobseeker.password],
    ]);
    expect(done.url.pathname).toBe('/account/consents');
    for (const path of ['/admin', '/admin/clients/new', '/admin/audit', '/admin/tokens']) {
      const res = await agent.request(`${server.issuer}${path}`);
      expect(res.status, path).toBe(302);
      expect(res.headers.get('location'), path).toBe('/admin/login');
    }
    const client = await createClient(server, STANDARD_APP);
    const suspend = await post(
      agent,
      server,
      '/account/consents',
      `/admin/clients/${client.client_id}/suspend`,
      [],
    );
    expect(suspend.response.status).toBe(303);
    expect(suspend.location).toBe('/admin/login');
    expect((await server.app.services.clients.find(client.client_id))?.status).toBe('active');
  });

  it('refuses a form post without the CSRF token', async () => {
    const { agent } = await enrolledAdmin(server);
    const before = await clientCount(server);
    const res = await agent.request(`${server.issuer}/admin/clients`, {
      method: 'POST',
      body: new URLSearchParams(VALID_APP),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.issuer },
    });
    expect(res.status).toBe(403);
    expect(await clientCount(server)).toBe(before);
  });
});

describe('admin console, password only (ADMIN_TOTP_REQUIRED=false)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ ADMIN_TOTP_REQUIRED: 'false' });
  });
  afterAll(() => server?.close());

  it('signs in with the password alone, under a new session id', async () => {
    const email = newEmail();
    await server.app.services.admins.create(email, PASSWORD, { actor: 'test' });
    const agent = new UserAgent();
    await getPage(agent, server, '/admin/login');
    const before = sid(agent, server);
    const { location } = await passwordStep(server, email, PASSWORD, agent);
    expect(location).toBe('/admin');
    expect(sid(agent, server)).not.toBe(before);
    const home = await getPage(agent, server, '/admin');
    expect(home.response.status).toBe(200);
    expect(home.html).toContain('Enregistrer une application');
  });

  it('refuses invalid redirect URIs with an error summary, and creates nothing', async () => {
    const { agent } = await passwordOnlyAdmin(server);
    const before = await clientCount(server);
    for (const bad of ['http://evil.example/cb', 'javascript:alert(1)']) {
      const fields = VALID_APP.map(([k, v]): [string, string] => [k, k === 'redirect_uris' ? bad : v]);
      const res = await post(agent, server, '/admin/clients/new', '/admin/clients', fields);
      expect(res.response.status, bad).toBe(400);
      const summary = /<div class="error-summary" role="alert"[\s\S]*?<\/div>/.exec(res.html)?.[0] ?? '';
      expect(summary, bad).toContain('href="#redirect-uris"');
      expect(decode(summary), bad).toContain(
        'URI de redirection : ligne 1 : l’URI de redirection doit utiliser https',
      );
      // The form is shown again with what was typed, the field marked invalid.
      expect(res.html).toContain('Mon CV en ligne');
      expect(res.html).toMatch(/<textarea id="redirect-uris"[^>]*aria-invalid="true"[^>]*>[^<]*</);
      expect(res.html).toContain(bad.replace(/&/g, '&amp;'));
    }
    expect(await clientCount(server)).toBe(before);
  });

  it('creates a pending app, shows its secret once, then vets and approves it', async () => {
    const { agent, email } = await passwordOnlyAdmin(server);
    const created = await post(agent, server, '/admin/clients/new', '/admin/clients', VALID_APP);
    expect(created.response.status).toBe(200);
    expect(created.response.headers.get('cache-control')).toBe('no-store');
    expect(created.html).toContain('il ne sera plus affiché');
    const clientId = /id="client-id">([^<]+)</.exec(created.html)?.[1] as string;
    const secret = /id="client-secret">([^<]+)</.exec(created.html)?.[1] as string;
    expect(clientId).toBeTruthy();
    expect(secret.length).toBeGreaterThan(30);
    const row = await server.app.services.clients.find(clientId);
    expect(row?.status).toBe('pending');
    expect(row?.redirect_uris).toEqual(['https://cv.example/callback', 'https://cv.example/callback2']);
    expect(row?.scopes.sort()).toEqual(['competences', 'openid', 'profile', 'statut']);
    expect(row?.consent_duration_days).toBe(180);
    expect(server.app.services.clients.secretsOf(row as NonNullable<typeof row>).current).toBe(secret);

    const path = `/admin/clients/${clientId}`;
    const details = await getPage(agent, server, path);
    expect(details.response.status).toBe(200);
    expect(details.html).not.toContain(secret);
    expect(details.html).toContain('En attente');

    // Approval needs a purpose per data scope and the attestation.
    const refused = await post(agent, server, path, `${path}/approve`, []);
    expect(refused.response.status).toBe(400);
    const summary = decode(/<div class="error-summary"[\s\S]*?<\/div>/.exec(refused.html)?.[0] ?? '');
    expect(summary).toContain('L’application ne peut pas encore être approuvée');
    expect(summary).toContain('Finalité pour « Vos compétences » (competences) : une finalité est requise');
    expect(summary).toContain('Finalité pour « Votre inscription à Pôle emploi » (statut)');
    expect(summary).toContain('Gratuité : l’application doit être attestée gratuite');
    expect(refused.html).toContain('href="#purpose-competences"');
    expect(refused.html).toContain('href="#free-for-jobseekers"');
    expect((await server.app.services.clients.find(clientId))?.status).toBe('pending');

    // Complete the vetting in the edit form, then approve.
    const completed = await post(agent, server, path, path, [
      ...VALID_APP,
      ['purpose_competences', 'Remplir votre CV avec vos compétences.'],
      ['purpose_statut', 'Adapter les conseils à votre situation.'],
      ['purpose_langues', 'Ignorée : le scope n’est pas coché.'],
      ['free_for_jobseekers', 'yes'],
      ['policy_uri', 'https://cv.example/confidentialite'],
    ]);
    expect(completed.response.status).toBe(303);
    expect(completed.location).toBe(`${path}?ok=updated`);
    const approved = await post(agent, server, path, `${path}/approve`, []);
    expect(approved.response.status).toBe(303);
    expect(approved.location).toBe(`${path}?ok=approved`);
    const active = await server.app.services.clients.find(clientId);
    expect(active?.status).toBe('active');
    expect(active?.purposes).toEqual({
      competences: 'Remplir votre CV avec vos compétences.',
      statut: 'Adapter les conseils à votre situation.',
    });

    // Suspension, then the audit trail names the admin for every action.
    const suspended = await post(agent, server, path, `${path}/suspend`, []);
    expect(suspended.location).toBe(`${path}?ok=suspended`);
    expect((await server.app.services.clients.find(clientId))?.status).toBe('suspended');

    const audit = await getPage(agent, server, '/admin/audit');
    expect(audit.response.status).toBe(200);
    const rows = [...audit.html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => decode(m[1] as string));
    const mine = rows.filter((r) => r.includes(`admin:${email}`) && r.includes('Mon CV en ligne'));
    expect(mine.map((r) => /Application (enregistrée|modifiée|approuvée|suspendue)/.exec(r)?.[0])).toEqual([
      'Application suspendue',
      'Application approuvée',
      'Application modifiée',
      'Application enregistrée',
    ]);
    expect(mine[0]).toContain('statut : avant : Active → après : Suspendue');
    expect(mine[2]).toContain('gratuite : avant : non → après : oui');
    expect(audit.html).not.toContain(secret);

    // The app's own page lists the same entries.
    const page = await getPage(agent, server, path);
    expect(decode(page.html)).toContain(`Application approuvée le`);
    expect(decode(page.html)).toContain(`par admin:${email}`);
  });

  it('rotates the secret (shown once, the old one kept for the grace period) and deletes after confirmation', async () => {
    const { agent } = await passwordOnlyAdmin(server);
    const jobseeker = await createJobseeker(server);
    const client = await createClient(server, STANDARD_APP);
    await server.app.services.consents.grant({
      jobseekerId: jobseeker.id,
      clientId: client.client_id,
      requested: ['statut.libelleStatutIndividu'],
      ticked: ['statut.libelleStatutIndividu'],
      purposes: {},
      durationDays: 30,
      interactionUid: `test-${client.client_id}`,
    });
    const path = `/admin/clients/${client.client_id}`;
    const rotated = await post(agent, server, path, `${path}/secret`, []);
    expect(rotated.response.status).toBe(200);
    const secret = /id="client-secret">([^<]+)</.exec(rotated.html)?.[1] as string;
    expect(decode(rotated.html)).toMatch(/L’ancien secret continue de fonctionner jusqu’au .+\d{4}/);
    const secrets = server.app.services.clients.secretsOf(
      (await server.app.services.clients.find(client.client_id)) as NonNullable<
        Awaited<ReturnType<typeof server.app.services.clients.find>>
      >,
    );
    expect(secrets).toEqual({ current: secret, previous: client.client_secret });

    const confirm = await post(agent, server, path, `${path}/delete`, []);
    expect(confirm.response.status).toBe(200);
    expect(decode(confirm.html)).toContain('les 1 accord actif');
    expect(await server.app.services.clients.find(client.client_id)).toBeDefined();
    const deleted = await post(agent, server, path, `${path}/delete`, [['confirm', 'yes']]);
    expect(deleted.response.status).toBe(303);
    expect(deleted.location).toBe('/admin?ok=deleted');
    expect(await server.app.services.clients.find(client.client_id)).toBeUndefined();
    const { rows } = await server.pool.query('SELECT status FROM consents WHERE client_id = $1', [
      client.client_id,
    ]);
    expect(rows.map((r) => r.status)).toEqual(['revoked']);
    expect((await agent.request(`${server.issuer}${path}`)).status).toBe(404);
  });

  it('asks a high assurance for sensitive scopes, and registers a key-authenticated app without a secret', async () => {
    const { agent } = await passwordOnlyAdmin(server);
    const before = await clientCount(server);
    const sensitive = await post(agent, server, '/admin/clients/new', '/admin/clients', [
      ...VALID_APP,
      ['scopes', 'indemnisation'],
    ]);
    expect(sensitive.response.status).toBe(400);
    expect(sensitive.html).toContain('href="#scope-openid"');
    expect(decode(sensitive.html)).toContain(
      'Scopes autorisés : le scope indemnisation (données sensibles) exige',
    );
    expect(await clientCount(server)).toBe(before);

    const keyApp = VALID_APP.filter(([k]) => k !== 'token_endpoint_auth_method');
    const badJson = await post(agent, server, '/admin/clients/new', '/admin/clients', [
      ...keyApp,
      ['token_endpoint_auth_method', 'private_key_jwt'],
      ['jwks', '{"keys": ['],
    ]);
    expect(badJson.response.status).toBe(400);
    expect(decode(badJson.html)).toContain('Clés publiques (JWKS) : ce n’est pas du JSON valide');
    expect(badJson.html).toContain('{&quot;keys&quot;: [</textarea>');

    const { publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), alg: 'ES256', use: 'sig', kid: 'k1' };
    const created = await post(agent, server, '/admin/clients/new', '/admin/clients', [
      ...keyApp,
      ['scopes', 'indemnisation'],
      ['token_endpoint_auth_method', 'private_key_jwt'],
      ['jwks', JSON.stringify({ keys: [jwk] })],
      ['high_assurance', 'yes'],
    ]);
    expect(created.response.status, decode(created.html)).toBe(200);
    expect(created.html).not.toContain('id="client-secret"');
    expect(decode(created.html)).toContain('elle n’a pas de secret');
    const clientId = /id="client-id">([^<]+)</.exec(created.html)?.[1] as string;
    const row = await server.app.services.clients.find(clientId);
    expect(row).toMatchObject({
      token_endpoint_auth_method: 'private_key_jwt',
      high_assurance: true,
      secret_ciphertext: null,
    });
    expect(row?.jwks).toEqual({ keys: [jwk] });
    // No secret to rotate: the action is not offered.
    const details = await getPage(agent, server, `/admin/clients/${clientId}`);
    expect(details.html).not.toContain('Générer un nouveau secret');
  });

  it('shows a logo image only from the app’s own registered host', async () => {
    const { agent } = await passwordOnlyAdmin(server);
    const withLogo = async (logo: string) => {
      const created = await post(agent, server, '/admin/clients/new', '/admin/clients', [
        ...VALID_APP,
        ['logo_uri', logo],
      ]);
      const clientId = /id="client-id">([^<]+)</.exec(created.html)?.[1] as string;
      return (await getPage(agent, server, `/admin/clients/${clientId}`)).html;
    };
    const own = await withLogo('https://cv.example/logo.png');
    expect(own).toContain('<img class="client-logo" src="https://cv.example/logo.png"');
    for (const elsewhere of [
      'https://tracker.example/pixel.png',
      'https://intranet.pole-emploi.example/a.png',
    ]) {
      const html = await withLogo(elsewhere);
      expect(html, elsewhere).not.toContain('<img class="client-logo"');
      expect(decode(html), elsewhere).toContain(`${elsewhere} (image non affichée`);
    }
  });

  it('pages the audit log with ?avant=, newest first', async () => {
    const { agent } = await passwordOnlyAdmin(server);
    for (let i = 1; i <= 60; i++) {
      await server.app.services.clients.auditEvent({
        actor: 'test',
        action: 'test.paging',
        targetType: 'test',
        targetId: `entry-${i}`,
        after: { n: i },
      });
    }
    const first = await getPage(agent, server, '/admin/audit');
    const entries = (html: string) => [...decode(html).matchAll(/ n : (\d+)/g)].map((m) => Number(m[1]));
    expect(entries(first.html)).toEqual(Array.from({ length: 50 }, (_, i) => 60 - i));
    const next = /href="(\/admin\/audit\?avant=\d+)"/.exec(first.html)?.[1] as string;
    expect(next).toBeTruthy();
    const second = await getPage(agent, server, next);
    expect(entries(second.html).slice(0, 10)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(second.html).toContain('Revenir aux plus récentes');
    // A malformed cursor is ignored: the newest entries.
    const bad = await getPage(agent, server, '/admin/audit?avant=1%20OR%201=1');
    expect(bad.response.status).toBe(200);
    expect(entries(bad.html)[0]).toBe(60);
  });

  it('answers 404 for an unknown app, on pages and actions', async () => {
    const { agent } = await passwordOnlyAdmin(server);
    const page = await agent.request(`${server.issuer}/admin/clients/does-not-exist`);
    expect(page.status).toBe(404);
    expect(await page.text()).toContain('Page introuvable');
    for (const action of ['approve', 'suspend', 'secret', 'delete']) {
      const res = await post(agent, server, '/admin', `/admin/clients/does-not-exist/${action}`, []);
      expect(res.response.status, action).toBe(404);
    }
    const revoke = await post(
      agent,
      server,
      '/admin/tokens',
      '/admin/tokens/00000000-0000-0000-0000-000000000000/revoke',
      [],
    );
    expect(revoke.response.status).toBe(404);
  });

  it('creates an admin API token shown once, which works until revoked', async () => {
    const { agent } = await passwordOnlyAdmin(server);
    const invalid = await post(agent, server, '/admin/tokens', '/admin/tokens', [['name', '  ']]);
    expect(invalid.response.status).toBe(400);
    expect(invalid.html).toContain('href="#token-name"');

    const created = await post(agent, server, '/admin/tokens', '/admin/tokens', [
      ['name', 'Script de synchronisation'],
      ['expires', '2999-12-31'],
    ]);
    expect(created.response.status).toBe(200);
    const token = /id="token-value">([^<]+)</.exec(created.html)?.[1] as string;
    expect(token).toMatch(/^pecadm_/);
    const api = () =>
      fetch(`${server.issuer}/admin/api/clients`, { headers: { authorization: `Bearer ${token}` } });
    expect((await api()).status).toBe(200);

    const list = await getPage(agent, server, '/admin/tokens');
    expect(list.html).not.toContain(token);
    expect(decode(list.html)).toContain('Script de synchronisation');
    expect(decode(list.html)).toContain('31 déc. 2999');
    const action = formAction(list.html, '/revoke');
    const revoked = await post(agent, server, '/admin/tokens', action, []);
    expect(revoked.location).toBe('/admin/tokens?ok=token-revoked');
    expect((await api()).status).toBe(401);
    expect(decode((await getPage(agent, server, '/admin/tokens')).html)).toContain('Révoqué');
  });

  it('issues a single-use initial access token for RFC 7591 registration', async () => {
    const { agent } = await passwordOnlyAdmin(server);
    const invalid = await post(agent, server, '/admin/tokens', '/admin/tokens/initial-access', [
      ['days', '365'],
    ]);
    expect(invalid.response.status).toBe(400);
    const issued = await post(agent, server, '/admin/tokens', '/admin/tokens/initial-access', [
      ['days', '3'],
    ]);
    expect(issued.response.status).toBe(200);
    expect(issued.html).toContain(`${server.issuer}/reg`);
    const iat = /id="iat-value">([^<]+)</.exec(issued.html)?.[1] as string;
    const register = () =>
      fetch(`${server.issuer}/reg`, {
        method: 'POST',
        headers: { authorization: `Bearer ${iat}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          client_name: 'Auto-enregistrée',
          redirect_uris: ['https://self.example/cb'],
          scope: 'openid',
        }),
      });
    const first = await register();
    expect(first.status).toBe(201);
    const { client_id } = (await first.json()) as { client_id: string };
    expect((await server.app.services.clients.find(client_id))?.status).toBe('pending');
    expect((await register()).status).toBe(401);
    const audit = decode((await getPage(agent, server, '/admin/audit')).html);
    expect(audit).toContain('Jeton d’accès initial (RFC 7591) émis');
    expect(audit).not.toContain(iat);
  });
});

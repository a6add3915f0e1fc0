// An app already registered with Pôle emploi Connect keeps its configuration: its PAR_<app>_<hex>
// client identifier can be registered through the CLI, the admin API and the console (pattern and
// uniqueness checked, the creation audited), and its allowed scopes can be written in Pôle emploi
// Connect's words — stored as the catalog scopes they release. Then the app signs in with its own id.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newEmail, PASSWORD, passwordStep, post } from '../support/admin-console.ts';
import { completeAuthorization } from '../support/authorize.ts';
import { runCli } from '../support/cli.ts';
import { createJobseeker } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
let adminToken: string;
beforeAll(async () => {
  server = await startTestServer({ ADMIN_TOTP_REQUIRED: 'false' });
  const admin = await server.app.services.admins.create(
    'legacy.ids@pole-emploi.example',
    'un mot de passe solide',
    {
      actor: 'test',
    },
  );
  adminToken = (await server.app.services.admins.createToken(admin.id, 'test', null, { actor: 'test' }))
    .token;
});
afterAll(() => server?.close());

const parId = (app: string) => `PAR_${app}_${randomBytes(32).toString('hex')}`;

const adminApi = (method: string, path: string, body?: unknown) =>
  fetch(`${server.issuer}/admin/api${path}`, {
    method,
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

const appBody = (over: Record<string, unknown> = {}) => ({
  client_name: 'Les emplois (migration)',
  redirect_uris: ['https://emplois.example.fr/ft_connect/callback'],
  post_logout_redirect_uris: ['https://emplois.example.fr/'],
  scope: 'openid profile',
  ...over,
});

describe('the admin API', () => {
  it('registers a PAR_ identifier, audits it, and refuses it a second time', async () => {
    const id = parId('lesemplois');
    const created = await adminApi('POST', '/clients', appBody({ client_id: id }));
    expect(created.status).toBe(201);
    const body = (await created.json()) as Record<string, unknown>;
    expect(body.client_id).toBe(id);
    expect(body.client_secret).toEqual(expect.any(String));
    const audit = (await (await adminApi('GET', `/audit?target_type=client`)).json()) as {
      action: string;
      target_id: string;
    }[];
    expect(audit.some((e) => e.action === 'client.create' && e.target_id === id)).toBe(true);

    const again = await adminApi('POST', '/clients', appBody({ client_id: id, client_name: 'Autre' }));
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({
      error: 'invalid_client_metadata',
      error_description: expect.stringMatching(/client_id/),
    });
  });

  it.each([
    ['not of the PAR_ form', 'mon-identifiant'],
    ['upper-case hex', `PAR_app_${'A'.repeat(64)}`],
    ['a short hex part', `PAR_app_${'a'.repeat(63)}`],
    ['an empty app part', `PAR__${'a'.repeat(64)}`],
    ['a space', `PAR_app app_${'a'.repeat(64)}`],
  ])('refuses an identifier with %s (400, naming client_id)', async (_case, id) => {
    const res = await adminApi('POST', '/clients', appBody({ client_id: id }));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error_description: string }).error_description).toMatch(/client_id/);
  });

  it('stores allowed scopes given in Pôle emploi Connect’s words as the catalog scopes they release', async () => {
    const res = await adminApi(
      'POST',
      '/clients',
      appBody({
        scope:
          'openid api_peconnect-individuv1 profile api_peconnect-coordonneesv1 coordonnees api_peconnect-competencesv2 pfccompetences',
        purposes: { coordonnees: 'Vous écrire.', pfccompetences: 'Remplir votre CV.' },
      }),
    );
    expect(res.status).toBe(201);
    const { client_id: id } = (await res.json()) as { client_id: string };
    const row = await server.app.services.clients.find(id);
    expect([...(row?.scopes ?? [])].sort()).toEqual([
      'address',
      'competences',
      'email',
      'openid',
      'phone',
      'profile',
    ]);
    expect(row?.purposes).toEqual({ competences: 'Remplir votre CV.' });
  });
});

describe('the CLI', () => {
  it('clients create --client-id keeps the identifier; the app then signs in with it, PE style', async () => {
    const id = parId('estime');
    const redirectUri = 'http://127.0.0.1:9/estime-callback';
    const cli = await runCli(
      [
        'clients',
        'create',
        '--client-id',
        id,
        '--name',
        'Estime (migration)',
        '--redirect-uri',
        redirectUri,
        '--scope',
        'openid api_peconnect-individuv1 profile email api_peconnect-statutv1 statut',
        '--purpose',
        'statut=Calculer vos droits.',
        '--free-for-jobseekers',
        '--policy-uri',
        'https://estime.example.fr/confidentialite',
        '--contact-email',
        'dpo@estime.example.fr',
      ],
      { databaseUrl: server.db.url },
    );
    expect(cli.code, cli.stderr).toBe(0);
    const printed = JSON.parse(cli.stdout) as { client_id: string; client_secret: string; status: string };
    expect(printed).toMatchObject({ client_id: id, status: 'active' });

    const jobseeker = await createJobseeker(server);
    const url = new URL(`${server.issuer}/connexion/oauth2/authorize`);
    url.search = `realm=%2Findividu&${new URLSearchParams({
      response_type: 'code',
      client_id: id,
      scope: `application_${id} api_peconnect-individuv1 openid profile api_peconnect-statutv1 statut`,
      redirect_uri: redirectUri,
      state: 's',
      nonce: 'n',
    })}`;
    const flow = await completeAuthorization({
      url,
      redirectUri,
      login: jobseeker,
      fields: ['statut.libelleStatutIndividu'],
    });
    const code = flow.callback.searchParams.get('code') as string;
    expect(code).toBeTruthy();
    const token = await fetch(`${server.issuer}/connexion/oauth2/access_token?realm=%2Findividu`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        client_id: id,
        client_secret: printed.client_secret,
      }),
    });
    expect(token.status).toBe(200);
    const tokens = (await token.json()) as Record<string, string>;
    expect(tokens).toMatchObject({ nonce: 'n', scope: expect.stringContaining('statut') });
    // What Pix and Perspectives read in the ID token: idIdentiteExterne (the app's own pairwise
    // identifier, as a UUID) and realm.
    const idToken = JSON.parse(
      Buffer.from((tokens.id_token as string).split('.')[1] as string, 'base64url').toString(),
    );
    expect(idToken).toMatchObject({ realm: '/individu', nonce: 'n', aud: id });
    expect(idToken.idIdentiteExterne).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(idToken.sub).not.toBe(jobseeker.id);
    const me = await fetch(`${server.issuer}/me`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(await me.json()).toMatchObject({ sub: idToken.sub, idIdentiteExterne: idToken.idIdentiteExterne });
  });

  it('refuses a malformed --client-id with a clear message and exit status', async () => {
    const cli = await runCli(
      [
        'clients',
        'create',
        '--client-id',
        'PAR_x',
        '--name',
        'X',
        '--redirect-uri',
        'http://127.0.0.1:9/x',
        '--scope',
        'openid',
      ],
      { databaseUrl: server.db.url },
    );
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toMatch(/client_id/);
    expect(await server.app.services.clients.find('PAR_x')).toBeUndefined();
  });
});

describe('the console', () => {
  it('registers an identifier typed in the form, and shows a taken one as a field error', async () => {
    const email = newEmail();
    await server.app.services.admins.create(email, PASSWORD, { actor: 'test' });
    const { agent } = await passwordStep(server, email);
    const form = await (await agent.request(`${server.issuer}/admin/clients/new`)).text();
    expect(form).toContain('name="client_id"');
    const id = parId('immersionfacile');
    const fields: [string, string][] = [
      ['client_id', id],
      ['name', 'Immersion (migration)'],
      ['operator_name', 'GIP'],
      ['redirect_uris', 'https://immersion.example.fr/cb'],
      ['scopes', 'openid'],
      ['scopes', 'profile'],
    ];
    const created = await post(agent, server, '/admin/clients/new', '/admin/clients', fields);
    expect(created.response.status).toBe(200);
    expect(/id="client-id">([^<]+)</.exec(created.html)?.[1]).toBe(id);
    const again = await post(agent, server, '/admin/clients/new', '/admin/clients', fields);
    expect(again.response.status).toBe(400);
    expect(again.html).toMatch(/déjà enregistré/);
    expect(again.html).toMatch(/id="client-id"[^>]*aria-invalid="true"/);
  });
});

// The legacy Pôle emploi Connect resource APIs over HTTP (/partenaire/peconnect-…, PECONNECT.md §4,
// §5), with tokens from a real authorization through the real login and consent pages: each API's
// shape, only consented fields, the live consent on every request, 401/403/429 and the access log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeAuthorization } from '../support/authorize.ts';
import { createClient, createJobseeker } from '../support/factories.ts';
import { type grantedApp as GrantedApp, grantedApp } from '../support/grant.ts';
import { MARIE_COORDONNEES } from '../support/legacy-answers.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { formAction, UserAgent } from '../support/user-agent.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

type Granted = Awaited<ReturnType<typeof GrantedApp>>;
const get = (path: string, token?: string, init: RequestInit = {}) =>
  fetch(`${server.issuer}/partenaire/${path}`, {
    ...init,
    headers: token ? { authorization: `Bearer ${token}`, accept: 'application/json' } : {},
  });
const read = async (path: string, granted: Granted) => {
  const response = await get(path, granted.tokens.access_token);
  expect(response.status, `${path}: ${response.status}`).toBe(200);
  expect(response.headers.get('cache-control')).toBe('no-store');
  return response.json();
};
const consentWhere = 'jobseeker_id = $1 AND client_id = $2';
const allOf = (scope: string) =>
  server.app.catalog.byId.get(scope)?.fields.map((f) => `${scope}.${f.id}`) ?? [];

describe('legacy API shapes, everything consented', () => {
  // Three apps, as the consent form takes at most 20 boxes at once (the form parser's array limit).
  const grants: Granted[] = [];
  beforeAll(async () => {
    for (const scopes of [
      ['profile', 'email', 'phone', 'address', 'statut', 'langues'],
      ['competences', 'permis', 'formations'],
      ['experiences', 'conseillers'],
    ]) {
      grants.push(
        await grantedApp(server, {
          scope: ['openid', ...scopes].join(' '),
          fields: scopes.flatMap(allOf),
          resource: false,
        }),
      );
    }
  });
  const first = () => grants[0] as Granted;
  const readAny = async (path: string) => {
    for (const g of grants) {
      const response = await get(path, g.tokens.access_token);
      if (response.status === 200) return read(path, g);
    }
    throw new Error(`no grant serves ${path}`);
  };

  it('userinfo: the ID token’s sub, idIdentiteExterne, names, gender, email, updated_at', async () => {
    const body = await read('peconnect-individu/v1/userinfo?schema=openid', first());
    const { sub } = first().tokens.claims() as { sub: string };
    expect(body).toEqual({
      sub,
      // The same pairwise identifier, as the UUID the apps validate (immersion facile's zUuidLike).
      idIdentiteExterne: expect.stringMatching(
        /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      ),
      given_name: 'MARIE',
      family_name: 'DUPONT',
      gender: 'female',
      email: 'marie.dupont@example.fr',
      updated_at: expect.any(Number),
    });
    expect(body.updated_at).toBeGreaterThan(1_600_000_000);
  });

  it('coordonnees: split lines, codes, identity, phone', async () => {
    expect(await read('peconnect-coordonnees/v1/coordonnees', first())).toEqual(MARIE_COORDONNEES);
  });

  it('statut with U+2019, etat-civil with its offset', async () => {
    expect(await read('peconnect-statut/v1/statut', first())).toEqual({
      codeStatutIndividu: '1',
      libelleStatutIndividu: 'Demandeur d\u2019emploi',
    });
    expect((await read('peconnect-datenaissance/v1/etat-civil', first())).dateDeNaissance).toBe(
      '1990-04-12T00:00:00+02:00',
    );
  });

  it('competences v2 and langues', async () => {
    const competences = await readAny('peconnect-competences/v2/competences');
    expect(competences).toHaveLength(4);
    expect(competences[0]).toEqual({
      code: '100211',
      libelle: 'Accueillir une clientèle',
      type: 'S',
      niveau: { code: '3', libelle: 'Avancé' },
    });
    expect(competences.map((c: { type: string }) => c.type)).toEqual(['S', 'S', 'Q', 'L']);
    const langues = await read('peconnect-competences/v2/langues', first());
    expect(langues[0]).toEqual({ code: 'EN', libelle: 'Anglais', niveau: { code: '3', libelle: 'Courant' } });
  });

  it('formations, permis and permits, experiences, conseillers', async () => {
    const [formation] = await readAny('peconnect-formations/v1/formations');
    expect(formation).toMatchObject({
      domaine: { code: '34566', libelle: 'Commerce' },
      niveau: { code: 'NV3', libelle: 'Bac+2 ou équivalents' },
      diplomeObtenu: true,
      etranger: false,
    });
    const permis = [{ code: 'B', libelle: 'Permis B (véhicule léger)' }];
    expect(await readAny('peconnect-formations/v1/permis')).toEqual(permis);
    expect(await readAny('peconnect-formations/v1/permits')).toEqual(permis);
    const [experience] = await readAny('peconnect-experiences/v1/experiences');
    expect(experience).toMatchObject({
      date: { debut: '2015-09-01T00:00:00', fin: '2025-12-31T00:00:00' },
      duree: 124,
      enPoste: false,
      etranger: false,
    });
    const conseillers = await readAny('peconnect-conseillers/v1/contactspe/conseillers');
    expect(conseillers[0]).toEqual({
      nom: 'Prost',
      prenom: 'Alain',
      civilite: '1',
      mail: 'alain.prost@pole-emploi.fr',
      type: 'PLACEMENT',
    });
  });
});

describe('legacy APIs send consented fields only, at the moment of the request', () => {
  it('leaves out what was not ticked, drops a narrowed field at once, 401 once revoked', async () => {
    const granted = await grantedApp(server, {
      scope: 'openid profile competences',
      fields: ['profile.given_name', 'competences.libelle', 'competences.niveau'],
      resource: false,
    });
    const path = 'peconnect-competences/v2/competences';
    const first = await read(path, granted);
    // The code travels with the label (scopes/competences.yaml).
    expect(first.map((c: object) => Object.keys(c).sort())).toEqual(
      first.map(() => ['code', 'libelle', 'niveau']),
    );
    const userinfo = await read('peconnect-individu/v1/userinfo', granted);
    expect(Object.keys(userinfo).sort()).toEqual(['given_name', 'idIdentiteExterne', 'sub', 'updated_at']);

    const where = [granted.jobseeker.id, granted.client.client_id];
    await server.pool.query(
      `UPDATE consents SET fields = array_remove(fields, 'competences.niveau') WHERE ${consentWhere}`,
      where,
    );
    const narrowed = await read(path, granted);
    expect(narrowed.map((c: object) => Object.keys(c))).toEqual(narrowed.map(() => ['code', 'libelle']));

    await server.pool.query(
      `UPDATE consents SET status = 'revoked', revoked_at = now() WHERE ${consentWhere}`,
      where,
    );
    const revoked = await get(path, granted.tokens.access_token);
    expect(revoked.status).toBe(401);
    expect(revoked.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(await revoked.json()).toMatchObject({ error: 'invalid_token' });
  });

  it('answers 401 when the token releases nothing of the API, 403 when the app is not registered for it', async () => {
    const granted = await grantedApp(server, {
      scope: 'openid statut competences',
      fields: ['statut.codeStatutIndividu', 'statut.libelleStatutIndividu'],
      client: { scopes: ['openid', 'profile', 'statut', 'competences'] },
      resource: false,
    });
    // Registered for competences and coordonnees' identity part, nothing of them consented (§5).
    for (const [path, scope] of [
      ['peconnect-competences/v2/competences', 'api_peconnect-competencesv2'],
      ['peconnect-coordonnees/v1/coordonnees', 'api_peconnect-coordonneesv1'],
    ] as const) {
      const response = await get(path, granted.tokens.access_token);
      expect(response.status, path).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
      expect(response.headers.get('www-authenticate')).toContain(`scope="${scope}"`);
      expect(await response.json()).toMatchObject({ error: 'invalid_token' });
    }
    // Not registered for any scope of these: never subscribed.
    for (const [path, scope] of [
      ['peconnect-formations/v1/permis', 'api_peconnect-formationsv1'],
      ['peconnect-competences/v2/langues', 'api_peconnect-competencesv2'],
    ] as const) {
      const response = await get(path, granted.tokens.access_token);
      expect(response.status, path).toBe(403);
      expect(response.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
      expect(response.headers.get('www-authenticate')).toContain(`scope="${scope}"`);
      expect(await response.json()).toMatchObject({ error: 'insufficient_scope' });
    }
    // What was consented is served.
    expect((await read('peconnect-statut/v1/statut', granted)).codeStatutIndividu).toBe('1');
  });

  it('writes the read in the access log, naming the legacy API and the fields sent', async () => {
    const granted = await grantedApp(server, {
      scope: 'openid profile email competences',
      fields: ['profile.family_name', 'email.email', 'competences.code', 'competences.libelle'],
      resource: false,
    });
    await read('peconnect-competences/v2/competences', granted);
    await read('peconnect-individu/v1/userinfo', granted);
    await server.app.services.accessLog.flush();
    const { rows } = await server.pool.query(
      'SELECT api, scope, fields FROM access_log WHERE jobseeker_id = $1 AND api IS NOT NULL ORDER BY id',
      [granted.jobseeker.id],
    );
    expect(rows).toEqual([
      { api: 'peconnect-competences/v2/competences', scope: 'competences', fields: ['code', 'libelle'] },
      { api: 'peconnect-individu/v1/userinfo', scope: 'profile', fields: ['family_name'] },
      { api: 'peconnect-individu/v1/userinfo', scope: 'email', fields: ['email'] },
    ]);

    // The jobseeker sees those reads, and through which API.
    const agent = new UserAgent();
    const login = await agent.follow(`${server.issuer}/account`);
    const html = await login.response.text();
    await agent.submit(login.url, html, formAction(html, '/account/login'), [
      ['login', granted.jobseeker.login],
      ['password', granted.jobseeker.password],
      ['retour', '/account/access-log'],
    ]);
    const page = await (await agent.follow(`${server.issuer}/account/access-log`)).response.text();
    expect(page).toContain('(peconnect-competences/v2/competences)');
    expect(page).toContain('(peconnect-individu/v1/userinfo)');
  });
});

describe('legacy API refusals', () => {
  it('401 without a token or with a bad one, 400 for a token in the query, JSON 404 elsewhere', async () => {
    const path = 'peconnect-statut/v1/statut';
    const none = await get(path);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer realm=/);
    const bad = await get(path, 'x'.repeat(43));
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ error: 'invalid_token' });
    expect((await get(`${path}?access_token=${'x'.repeat(43)}`)).status).toBe(400);
    for (const other of ['peconnect-statut/v1/Statut', 'peconnect-statut/v1/statut/', 'nope']) {
      const response = await get(other, 'x'.repeat(43));
      expect(response.status, other).toBe(404);
      expect(await response.json()).toMatchObject({ error: 'not_found' });
    }
    expect((await get(path, 'x'.repeat(43), { method: 'HEAD' })).status).toBe(405);
  });
});

describe('legacy API rate limit', () => {
  let limited: TestServer;
  beforeAll(async () => {
    limited = await startTestServer({ LEGACY_API_RATE_LIMIT: '0.5/3' });
  });
  afterAll(() => limited?.close());

  it('answers 429 with Retry-After past the app’s burst, and only for that app', async () => {
    const [a, b] = [
      await grantedApp(limited, {
        scope: 'openid statut',
        fields: ['statut.codeStatutIndividu'],
        resource: false,
      }),
      await grantedApp(limited, {
        scope: 'openid statut',
        fields: ['statut.codeStatutIndividu'],
        resource: false,
      }),
    ];
    const call = (g: Granted) =>
      fetch(`${limited.issuer}/partenaire/peconnect-statut/v1/statut`, {
        headers: { authorization: `Bearer ${g.tokens.access_token}` },
      });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(a)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const refused = await call(a);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await refused.json()).toMatchObject({ error: 'too_many_requests' });
    expect((await call(b)).status).toBe(200);
  });
});

describe('legacy APIs with a token of the Pôle emploi Connect vocabulary', () => {
  // As Avril asked (PECONNECT.md §3), through /connexion/oauth2 and its token endpoint.
  it('serves competences v2 and userinfo, and 401 for langues when none of it was ticked', async () => {
    const clientId = `PAR_avril_${'0123456789abcdef'.repeat(4).slice(0, 56)}${crypto.randomUUID().slice(0, 8)}`;
    const [app, jobseeker] = [
      await createClient(server, { client_id: clientId }),
      await createJobseeker(server),
    ];
    const scope = `application_${app.client_id} api_peconnect-individuv1 openid profile email api_peconnect-competencesv2 pfccompetences pfclangues qos_silver_peconnect-individuv1`;
    const params = new URLSearchParams({
      response_type: 'code',
      client_id: app.client_id,
      scope,
      redirect_uri: app.redirectUri,
      state: crypto.randomUUID(),
      nonce: crypto.randomUUID(),
    });
    const url = new URL(`${server.issuer}/connexion/oauth2/authorize?realm=/individu&${params}`);
    const flow = await completeAuthorization({
      url,
      redirectUri: app.redirectUri,
      login: jobseeker,
      fields: ['profile.family_name', 'competences.libelle', 'competences.type', 'competences.saisieLibre'],
    });
    const code = flow.callback.searchParams.get('code');
    expect(code).toBeTruthy();
    const response = await fetch(`${server.issuer}/connexion/oauth2/access_token?realm=%2Findividu`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: code as string,
        redirect_uri: app.redirectUri,
        client_id: app.client_id,
        client_secret: app.client_secret,
      }),
    });
    expect(response.status).toBe(200);
    const { access_token: token, id_token: idToken } = (await response.json()) as Record<string, string>;
    const idClaims = JSON.parse(
      Buffer.from((idToken as string).split('.')[1] as string, 'base64url').toString(),
    );

    const competences = await get('peconnect-competences/v2/competences', token);
    expect(competences.status).toBe(200);
    const items = (await competences.json()) as Record<string, unknown>[];
    expect(items.map((c) => c.type)).toEqual(['S', 'S', 'Q', 'L']);
    expect(items.every((c) => !('niveau' in c))).toBe(true);
    const userinfo = (await (await get('peconnect-individu/v1/userinfo', token)).json()) as object;
    // The legacy userinfo names the person as the ID token does.
    expect(userinfo).toMatchObject({
      sub: idClaims.sub,
      idIdentiteExterne: idClaims.idIdentiteExterne,
      family_name: 'DUPONT',
    });
    expect(idClaims.idIdentiteExterne).toMatch(/^[0-9a-f-]{36}$/);
    expect(userinfo).not.toHaveProperty('given_name');
    const langues = await get('peconnect-competences/v2/langues', token);
    expect(langues.status).toBe(401);
    expect(langues.headers.get('www-authenticate')).toContain('scope="api_peconnect-competencesv2"');
  });
});

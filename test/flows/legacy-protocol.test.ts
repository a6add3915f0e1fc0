// The Pôle emploi Connect protocol (PECONNECT.md §2, §3, §8) as the apps written for it speak it, over
// raw HTTP: authorize under /connexion/oauth2 with realm=/individu (raw or encoded, first or last),
// their scope strings, no PKCE but a nonce; the code redeemed at /connexion/oauth2/access_token
// with realm in the query and the secret in the body; both discovery paths; /compte/deconnexion
// with redirect_uri; cancelling. The standard endpoints keep their behaviour beside them.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeAuthorization } from '../support/authorize.ts';
import { createClient, createJobseeker } from '../support/factories.ts';
import { consentBoxes } from '../support/relying-party.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { UserAgent } from '../support/user-agent.ts';

let server: TestServer;
let jobseeker: Awaited<ReturnType<typeof createJobseeker>> & { claims: Record<string, unknown> };
beforeAll(async () => {
  server = await startTestServer();
  jobseeker = (await createJobseeker(server)) as typeof jobseeker;
});
afterAll(() => server?.close());

type App = Awaited<ReturnType<typeof createClient>>;

/** An app that kept its Pôle emploi Connect identifier (PAR_<app>_<64 hex>), as migrating partners do. */
const createLegacyClient = (overrides: Parameters<typeof createClient>[1] = {}) =>
  createClient(server, { client_id: `PAR_app_${random()}${random()}`, ...overrides });

// Verbatim from PECONNECT.md §3.
const ITOU_SCOPE =
  'openid api_peconnect-individuv1 email profile api_peconnect-coordonneesv1 coordonnees api_peconnect-statutv1 statut api_peconnect-datenaissancev1 datenaissance api_peconnect-indemnisationsv1 indemnisation api_peconnect-formationsv1 pfcformations pfcpermis';
const avrilScope = (clientId: string) =>
  `application_${clientId} api_peconnect-individuv1 openid profile email api_peconnect-competencesv2 pfccompetences pfclangues qos_silver_peconnect-individuv1`;

const random = () => crypto.randomUUID().replaceAll('-', '');
const blocks = (html: string) => [...html.matchAll(/id="bloc-([a-z_]+)"/g)].map((m) => m[1]);

/** An authorization URL as these apps build it: by hand, realm first or last, no PKCE. */
function legacyAuthorizeUrl(app: App, scope: string, o: { realmLast?: boolean; encoded?: boolean } = {}) {
  const state = random();
  const nonce = random();
  const params = [
    ['response_type', 'code'],
    ['client_id', app.client_id],
    ['scope', scope],
    ['redirect_uri', app.redirectUri],
    ['state', state],
    ['nonce', nonce],
  ];
  const query = new URLSearchParams(params).toString();
  const realm = o.encoded ? 'realm=%2Findividu' : 'realm=/individu';
  const search = o.realmLast ? `${query}&${realm}` : `${realm}&${query}`;
  return { url: new URL(`${server.issuer}/connexion/oauth2/authorize?${search}`), state, nonce };
}

async function legacySignIn(
  app: App,
  scope: string,
  fields: string[],
  o: Parameters<typeof legacyAuthorizeUrl>[2] = {},
) {
  const { url, state, nonce } = legacyAuthorizeUrl(app, scope, o);
  const flow = await completeAuthorization({ url, redirectUri: app.redirectUri, login: jobseeker, fields });
  return { ...flow, state, nonce };
}

/** The token request of these apps: realm in the query, everything else (secret too) in the body. */
function legacyToken(app: App, body: Record<string, string>, realm = '%2Findividu') {
  return fetch(`${server.issuer}/connexion/oauth2/access_token?realm=${realm}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: '*/*' },
    body: new URLSearchParams({ client_id: app.client_id, client_secret: app.client_secret, ...body }),
  });
}

const redeemCode = (app: App, callback: URL) =>
  legacyToken(app, {
    grant_type: 'authorization_code',
    code: callback.searchParams.get('code') as string,
    redirect_uri: app.redirectUri,
  });

const idTokenClaims = (idToken: string) =>
  JSON.parse(Buffer.from(idToken.split('.')[1] as string, 'base64url').toString()) as Record<string, unknown>;

describe('authorization and token as les emplois de l’inclusion sends them', () => {
  it('realm first and raw, no PKCE: code and state come back; the token echoes the nonce', async () => {
    const app = await createLegacyClient();
    const flow = await legacySignIn(app, ITOU_SCOPE, [
      'profile.given_name',
      'address.address',
      'statut.libelleStatutIndividu',
    ]);
    expect(flow.callback.searchParams.get('state')).toBe(flow.state);
    expect(flow.callback.searchParams.get('code')).toBeTruthy();

    const response = await redeemCode(app, flow.callback);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toMatch(/no-store/);
    const tokens = (await response.json()) as Record<string, string>;
    expect(tokens).toMatchObject({ token_type: 'Bearer', nonce: flow.nonce });
    expect(idTokenClaims(tokens.id_token as string).nonce).toBe(flow.nonce);
    // An app under its PAR_ id gets the Pôle emploi Connect claims (legacy-client-registration.test.ts).
    expect(idTokenClaims(tokens.id_token as string)).toHaveProperty('idIdentiteExterne');
    const scope = tokens.scope?.split(' ') ?? [];
    // The granted blocks in the app's own words (§2.2, §8.2): what was consented to, nothing more,
    // and no string the app did not send (address is the catalog's name of coordonnees).
    expect(scope).toEqual(
      expect.arrayContaining(['openid', 'profile', 'statut', 'coordonnees', 'api_peconnect-statutv1']),
    );
    expect(scope.filter((s) => !ITOU_SCOPE.split(' ').includes(s))).toEqual([]);
    expect(scope).not.toContain('indemnisation');
    expect(scope).not.toContain('pfcformations');
    // §2.3: azp is the app (Perspectives compares it); the ID token only, not userinfo.
    expect(idTokenClaims(tokens.id_token as string).azp).toBe(app.client_id);

    const me = await fetch(`${server.issuer}/me`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    const claims = (await me.json()) as Record<string, unknown>;
    expect(claims.given_name).toBe(jobseeker.claims.given_name);
    expect(claims.address).toBeDefined();
    expect(claims).not.toHaveProperty('family_name');
    expect(claims).not.toHaveProperty('phone_number');
    expect(claims).not.toHaveProperty('azp');
  });

  it('shows the same French blocks as the same request in the catalog’s own names', async () => {
    const app = await createLegacyClient();
    const agent = new UserAgent();
    const legacy = legacyAuthorizeUrl(app, ITOU_SCOPE, { encoded: true, realmLast: true });
    const first = await completeAuthorization({
      url: legacy.url,
      redirectUri: app.redirectUri,
      login: jobseeker,
      agent,
    });
    const legacyPage = first.pages.length ? await first.response.text() : '';
    const nativeUrl = new URL(`${server.issuer}/auth`);
    nativeUrl.search = new URLSearchParams({
      response_type: 'code',
      client_id: app.client_id,
      scope: 'openid profile email phone address statut formations permis',
      redirect_uri: app.redirectUri,
      nonce: random(),
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    }).toString();
    const native = await agent.follow(nativeUrl, {}, app.redirectUri);
    const nativePage = await native.response.text();
    // indemnisation is for high-assurance apps only: a legacy request is narrowed to what the app may ask.
    expect(blocks(legacyPage)).toEqual([
      'profile',
      'email',
      'phone',
      'address',
      'statut',
      'permis',
      'formations',
    ]);
    expect(blocks(legacyPage)).toEqual(blocks(nativePage));
    expect(consentBoxes(legacyPage)).toEqual(consentBoxes(nativePage));
  });

  it('accepts application_<its own id> and qos_* (Avril), and refuses another app’s application_ scope', async () => {
    const app = await createLegacyClient();
    const flow = await legacySignIn(app, avrilScope(app.client_id), [
      'competences.libelle',
      'competences.code',
    ]);
    expect(flow.callback.searchParams.get('code')).toBeTruthy();
    const tokens = (await (await redeemCode(app, flow.callback)).json()) as Record<string, string>;
    const granted = tokens.scope?.split(' ') ?? [];
    expect(granted).toEqual(expect.arrayContaining(['pfccompetences', 'api_peconnect-competencesv2']));
    // Accepted, never granted: absent from the echo, as is the catalog's own name it did not send.
    for (const s of ['competences', `application_${app.client_id}`, 'qos_silver_peconnect-individuv1'])
      expect(granted).not.toContain(s);

    const other = legacyAuthorizeUrl(app, avrilScope('PAR_autre_00ff'));
    const refused = await new UserAgent().follow(other.url, {}, app.redirectUri);
    expect(refused.url.searchParams.get('error')).toBe('invalid_scope');
    expect(refused.url.searchParams.get('code')).toBeNull();
  });

  it('gives a refresh token without offline_access asked (as those apps expect), redeemed at the same path', async () => {
    const app = await createLegacyClient();
    const flow = await legacySignIn(app, 'openid profile api_peconnect-individuv1', ['profile.given_name']);
    // The consent page said the app keeps access.
    expect(flow.pages.at(-1)).toMatch(/même quand vous n’êtes pas connecté/);
    const tokens = (await (await redeemCode(app, flow.callback)).json()) as Record<string, string>;
    expect(tokens.refresh_token).toBeTruthy();
    const refreshed = await legacyToken(app, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token as string,
    });
    expect(refreshed.status).toBe(200);
    expect(((await refreshed.json()) as Record<string, string>).access_token).not.toBe(tokens.access_token);
  });

  it('answers token errors as {error, error_description}: a used code, another realm', async () => {
    const app = await createLegacyClient();
    const flow = await legacySignIn(app, 'openid profile', ['profile.given_name']);
    expect((await redeemCode(app, flow.callback)).status).toBe(200);
    const again = await redeemCode(app, flow.callback);
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({
      error: 'invalid_grant',
      error_description: expect.any(String),
    });
    const employer = await legacyToken(app, { grant_type: 'client_credentials' }, '%2Femployeur');
    expect(employer.status).toBe(400);
    expect(await employer.json()).toMatchObject({ error: 'invalid_request' });
  });
});

describe('what stays as strict as before', () => {
  it('without PKCE, a legacy request needs a nonce', async () => {
    const app = await createLegacyClient();
    const { url } = legacyAuthorizeUrl(app, 'openid profile');
    url.searchParams.delete('nonce');
    const res = await new UserAgent().follow(url, {}, app.redirectUri);
    expect(res.url.searchParams.get('error')).toBe('invalid_request');
    expect(res.url.searchParams.get('error_description')).toMatch(/PKCE/);
  });

  it('a request in the catalog’s own names at /auth still needs PKCE', async () => {
    const app = await createLegacyClient();
    const url = new URL(`${server.issuer}/auth`);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: app.client_id,
      scope: 'openid profile',
      redirect_uri: app.redirectUri,
      nonce: random(),
    }).toString();
    const res = await new UserAgent().follow(url, {}, app.redirectUri);
    expect(res.url.searchParams.get('error')).toBe('invalid_request');
  });

  it('an app registered under a new identifier needs PKCE on the legacy path too', async () => {
    const app = await createClient(server);
    const { url } = legacyAuthorizeUrl(app, avrilScope(app.client_id));
    const res = await new UserAgent().follow(url, {}, app.redirectUri);
    expect(res.url.searchParams.get('error')).toBe('invalid_request');
    expect(res.url.searchParams.get('error_description')).toMatch(/PKCE/);
  });

  it('a public client needs PKCE on the legacy path too', async () => {
    const app = await createLegacyClient({ token_endpoint_auth_method: 'none' });
    const { url } = legacyAuthorizeUrl(app, 'openid profile');
    const res = await new UserAgent().follow(url, {}, app.redirectUri);
    expect(res.url.searchParams.get('error')).toBe('invalid_request');
  });

  it('accepts known Pôle emploi Connect scopes of APIs not served here, grants and shows none of them', async () => {
    const app = await createLegacyClient();
    // pass emploi's démarches and Pix's servicesdigitaux (scopes/legacy-unserved.yaml, PECONNECT.md §3).
    const unserved = ['api_peconnect-demarchesv1', 'demarches', 'demarchesW', 'serviceDigitauxExposition'];
    const { url, state } = legacyAuthorizeUrl(app, `openid profile ${unserved.join(' ')}`);
    const flow = await completeAuthorization({
      url,
      redirectUri: app.redirectUri,
      login: jobseeker,
      fields: ['profile.given_name'],
    });
    expect(flow.callback.searchParams.get('state')).toBe(state);
    const consentPage = flow.pages.length ? JSON.stringify(flow.pages) : '';
    for (const name of unserved) expect(consentPage).not.toContain(name);
    const tokens = (await (await redeemCode(app, flow.callback)).json()) as Record<string, string>;
    expect(tokens.scope?.split(' ').sort()).toEqual(['openid', 'profile']);
  });

  it('an unknown scope and another realm are refused', async () => {
    const app = await createLegacyClient();
    const unknown = legacyAuthorizeUrl(app, 'openid api_peconnect-inconnuv1 inconnu');
    const res = await new UserAgent().follow(unknown.url, {}, app.redirectUri);
    expect(res.url.searchParams.get('error')).toBe('invalid_scope');
    const employer = new URL(legacyAuthorizeUrl(app, 'openid').url);
    employer.searchParams.set('realm', '/employeur');
    const page = await fetch(employer, { redirect: 'manual' });
    expect(page.status).toBe(400);
    expect(page.headers.get('location')).toBeNull();
  });
});

describe('hostile legacy requests', () => {
  it('answer below 500, never redirecting to an unchecked URI', async () => {
    const hostile = [
      'realm=%2Findividu&client_id=%00&scope=coordonnees&response_type=code&redirect_uri=https://evil.example/',
      `realm=%2Findividu&realm=/individu&client_id=x&scope=pfccompetences`,
      `client_id=${'a'.repeat(5000)}&scope=application_x%20coordonnees&realm=/individu`,
      'realm=%ED%A0%80&scope=%00',
      'scope=coordonnees&client_id=%F0%9F&redirect_uri=javascript:alert(1)',
    ];
    for (const query of hostile) {
      for (const path of ['/connexion/oauth2/authorize', '/auth']) {
        const res = await fetch(`${server.issuer}${path}?${query}`, { redirect: 'manual' });
        expect(res.status, `${path}?${query}`).toBeLessThan(500);
        expect(res.headers.get('location') ?? '').not.toMatch(/evil|javascript/);
      }
    }
    const token = await fetch(`${server.issuer}/connexion/oauth2/access_token?realm=%00`, { method: 'POST' });
    expect(token.status).toBe(400);
  });
});

describe('cancelling returns to the app with its state and no code', () => {
  it('« Annuler » on the login page', async () => {
    const app = await createLegacyClient();
    const { url, state } = legacyAuthorizeUrl(app, ITOU_SCOPE);
    const agent = new UserAgent();
    const login = await agent.follow(url, {}, app.redirectUri);
    const html = await login.response.text();
    const action = /action="([^"]*\/abort)"/.exec(html)?.[1] as string;
    const back = await agent.submit(login.url, html, action, [], app.redirectUri);
    expect(back.url.href.startsWith(app.redirectUri)).toBe(true);
    expect(back.url.searchParams.get('state')).toBe(state);
    expect(back.url.searchParams.get('code')).toBeNull();
  });

  it('« Refuser » on the consent page', async () => {
    const app = await createLegacyClient();
    const { url, state } = legacyAuthorizeUrl(app, ITOU_SCOPE);
    const flow = await completeAuthorization({
      url,
      redirectUri: app.redirectUri,
      login: jobseeker,
      refuse: true,
    });
    expect(flow.callback.searchParams.get('state')).toBe(state);
    expect(flow.callback.searchParams.get('code')).toBeNull();
    expect(flow.callback.searchParams.get('error')).toBe('access_denied');
  });
});

describe('discovery at both Pôle emploi Connect paths', () => {
  const paths = [
    '/connexion/oauth2/realms/root/realms/individu/.well-known/openid-configuration',
    '/connexion/oauth2/individu/.well-known/openid-configuration',
  ];

  it.each(paths)('%s is the provider’s document, with the legacy scope names', async (path) => {
    const native = (await (
      await fetch(`${server.issuer}/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    const legacy = (await (await fetch(`${server.issuer}${path}`)).json()) as Record<string, unknown>;
    expect(legacy.issuer).toBe(server.issuer);
    expect(legacy.jwks_uri).toBe(native.jwks_uri);
    // The realm's legacy paths, whichever discovery path (one realm, one document, as ForgeRock's).
    const realm = `${server.issuer}/connexion/oauth2/realms/root/realms/individu`;
    expect(native.token_endpoint).toBe(`${server.issuer}/token`);
    expect(legacy.token_endpoint).toBe(`${realm}/access_token`);
    expect(legacy.authorization_endpoint).toBe(`${realm}/authorize`);
    expect(legacy.end_session_endpoint).toBe(`${server.issuer}/compte/deconnexion`);
    expect(legacy.scopes_supported).toEqual(
      expect.arrayContaining(['pfccompetences', 'api_peconnect-individuv1']),
    );
  });

  it('an openid-client relying party configured with that URL signs in with legacy scopes (Pix, La Bonne Boîte)', async () => {
    const app = await createLegacyClient();
    const config = await oidc.discovery(
      new URL(`${server.issuer}${paths[0]}`),
      app.client_id,
      app.client_secret,
      undefined,
      {
        execute: [oidc.allowInsecureRequests],
      },
    );
    const nonce = oidc.randomNonce();
    const state = oidc.randomState();
    // Pix sends no PKCE: application_<id>, the individu API and a nonce.
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: app.redirectUri,
      scope: `application_${app.client_id} api_peconnect-individuv1 openid profile`,
      nonce,
      state,
      realm: '/individu',
    });
    const flow = await completeAuthorization({
      url,
      redirectUri: app.redirectUri,
      login: jobseeker,
      fields: ['profile.given_name', 'profile.family_name'],
    });
    const tokens = await oidc.authorizationCodeGrant(config, flow.callback, {
      expectedNonce: nonce,
      expectedState: state,
    });
    expect(tokens.claims()).toMatchObject({
      given_name: jobseeker.claims.given_name,
      family_name: jobseeker.claims.family_name,
      nonce,
    });
    expect(tokens.nonce).toBe(nonce);
    expect(tokens.scope?.split(' ').sort()).toEqual(['api_peconnect-individuv1', 'openid', 'profile']);
  });

  it('a code of a legacy authorization redeemed at /token gets the same answer (keyed on the authorization)', async () => {
    const app = await createLegacyClient();
    const flow = await legacySignIn(
      app,
      `application_${app.client_id} api_peconnect-individuv1 openid profile`,
      ['profile.given_name'],
    );
    const response = await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: flow.callback.searchParams.get('code') as string,
        redirect_uri: app.redirectUri,
        client_id: app.client_id,
        client_secret: app.client_secret,
      }),
    });
    const tokens = (await response.json()) as Record<string, string>;
    expect(response.status).toBe(200);
    expect(tokens.nonce).toBe(flow.nonce);
    expect(tokens.scope?.split(' ').sort()).toEqual(['api_peconnect-individuv1', 'openid', 'profile']);
  });

  it('a standard authorization at /token keeps the standard answer (no nonce, the catalog’s words)', async () => {
    const app = await createLegacyClient();
    const verifier = oidc.randomPKCECodeVerifier();
    const url = new URL(`${server.issuer}/auth`);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: app.client_id,
      scope: 'openid profile',
      redirect_uri: app.redirectUri,
      nonce: random(),
      // Not ours to set: dropped on a standard request, whatever it says.
      peconnect_scope: 'openid profile api_peconnect-individuv1',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    }).toString();
    const flow = await completeAuthorization({
      url,
      redirectUri: app.redirectUri,
      login: jobseeker,
      fields: ['profile.given_name'],
    });
    const response = await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: flow.callback.searchParams.get('code') as string,
        redirect_uri: app.redirectUri,
        code_verifier: verifier,
        client_id: app.client_id,
        client_secret: app.client_secret,
      }),
    });
    const tokens = (await response.json()) as Record<string, string>;
    expect(response.status).toBe(200);
    expect(tokens).not.toHaveProperty('nonce');
    expect(tokens.scope?.split(' ')).not.toContain('api_peconnect-individuv1');
  });
});

describe('logout at /compte/deconnexion', () => {
  async function signedIn() {
    const app = await createLegacyClient();
    const flow = await legacySignIn(app, 'openid profile', ['profile.given_name']);
    const tokens = (await (await redeemCode(app, flow.callback)).json()) as Record<string, string>;
    return { app, agent: flow.agent, idToken: tokens.id_token as string };
  }
  const logoutUrl = (idToken: string, redirectUri: string) =>
    `${server.issuer}/compte/deconnexion?${new URLSearchParams({ id_token_hint: idToken, redirect_uri: redirectUri })}`;

  it('asks the jobseeker, then returns to the registered redirect_uri', async () => {
    const { agent, idToken } = await signedIn();
    const page = await agent.request(logoutUrl(idToken, 'http://127.0.0.1:9/after-logout'));
    expect(page.status).toBe(200);
    const html = await page.text();
    const action =
      /<form[^>]*id="op.logoutForm"[^>]*action="([^"]+)"/.exec(html)?.[1] ??
      (/action="([^"]+)"[^>]*id="op.logoutForm"/.exec(html)?.[1] as string);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1] as string;
    const done = await agent.follow(
      new URL(action, server.issuer),
      {
        method: 'POST',
        body: new URLSearchParams({ xsrf, logout: 'yes' }),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
      'http://127.0.0.1:9/',
    );
    expect(done.url.href).toBe('http://127.0.0.1:9/after-logout');
  });

  it('never redirects to a URI the ID token’s app did not register (no open redirect)', async () => {
    const { agent, idToken } = await signedIn();
    for (const target of [
      'https://evil.example/',
      'http://127.0.0.1:9/after-logout/..%2Fevil',
      'http://127.0.0.1:9/other',
    ]) {
      const res = await agent.request(logoutUrl(idToken, target));
      expect(res.status, target).toBe(400);
      expect(res.headers.get('location')).toBeNull();
    }
    // Another app's registered URI, with this app's ID token.
    const other = await createClient(server, {
      post_logout_redirect_uris: ['http://127.0.0.1:9/other-app-logout'],
    });
    const res = await agent.request(logoutUrl(idToken, 'http://127.0.0.1:9/other-app-logout'));
    expect(other.client_id).toBeTruthy();
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });
});

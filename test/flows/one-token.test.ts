// One access token for userinfo and the resource API, as relying parties that keep a single token per
// session (mod_auth_openidc, Auth.js, passport) hold it: a plain code exchange and one with
// resource=<ISSUER>/api both give a token that works at /me and at every /api/v1/* the consent covers,
// under the consent as it stands at each call. A token for any other resource server is refused, with
// a description that names the audience; a typo in `resource` does not use the code up.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiGet, authorizedApp } from '../support/grant.ts';
import { basicAuth, tokenRequest } from '../support/relying-party.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const FIELDS = [
  'profile.given_name',
  'email.email',
  'competences.code',
  'competences.libelle',
  'statut.libelleStatutIndividu',
];
const SCOPE = 'openid profile email offline_access competences statut langues';

const signedIn = () => authorizedApp(server, { scope: SCOPE, fields: FIELDS });
type SignedIn = Awaited<ReturnType<typeof signedIn>>;

const redeem = (s: SignedIn, resource?: string) =>
  oidc.authorizationCodeGrant(
    s.config,
    s.flow.callback,
    { pkceCodeVerifier: s.flow.verifier, expectedState: s.flow.state, expectedNonce: s.flow.nonce },
    resource ? { resource } : undefined,
  );

const userinfo = (token: string) =>
  fetch(`${server.issuer}/me`, { headers: { authorization: `Bearer ${token}` } });

async function expectBothWork(s: SignedIn, token: string, sub: string) {
  const claims = s.jobseeker.claims as Record<string, unknown>;
  expect(await oidc.fetchUserInfo(s.config, token, sub)).toEqual({
    sub,
    given_name: claims.given_name,
    email: claims.email,
  });
  const competences = await apiGet(server, token, 'competences');
  expect(competences.status).toBe(200);
  const items = (await competences.json()) as Record<string, unknown>[];
  expect(items.length).toBe((s.jobseeker.data.competences as unknown[]).length);
  for (const item of items) expect(Object.keys(item).sort()).toEqual(['code', 'libelle']);
  expect((await apiGet(server, token, 'statut')).status).toBe(200);
  // Nothing ticked for langues: the consent does not cover it.
  const langues = await apiGet(server, token, 'langues');
  expect(langues.status).toBe(403);
  expect(langues.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
  expect(((await langues.json()) as { error_description: string }).error_description).toMatch(/consent/);
}

describe('one access token for userinfo and the resource API', () => {
  it('a plain code exchange (no resource) works at /me and at the API', async () => {
    const s = await signedIn();
    const tokens = await redeem(s);
    await expectBothWork(s, tokens.access_token, tokens.claims()?.sub as string);
  });

  it('an exchange with resource=<ISSUER>/api works at both too', async () => {
    const s = await signedIn();
    const tokens = await redeem(s, `${server.issuer}/api`);
    await expectBothWork(s, tokens.access_token, tokens.claims()?.sub as string);
  });

  it('a refreshed token works at both, with or without resource', async () => {
    const s = await signedIn();
    const first = await redeem(s);
    const sub = first.claims()?.sub as string;
    const plain = await oidc.refreshTokenGrant(s.config, first.refresh_token as string);
    await expectBothWork(s, plain.access_token, sub);
    const forApi = await oidc.refreshTokenGrant(s.config, plain.refresh_token as string, {
      resource: `${server.issuer}/api`,
    });
    await expectBothWork(s, forApi.access_token, sub);
  });

  it('the token response lists the data scopes the token covers', async () => {
    const s = await signedIn();
    const tokens = await redeem(s);
    const scopes = new Set(tokens.scope?.split(' '));
    for (const scope of ['openid', 'profile', 'email', 'competences', 'statut'])
      expect(scopes).toContain(scope);
    expect(scopes).not.toContain('langues');
  });

  it('the consent is checked at every call: narrowed, then withdrawn', async () => {
    const s = await signedIn();
    const tokens = await redeem(s);
    const token = tokens.access_token;
    await server.pool.query(
      `UPDATE consents SET fields = array_remove(fields, 'competences.libelle') WHERE jobseeker_id = $1 AND client_id = $2`,
      [s.jobseeker.id, s.client.client_id],
    );
    const narrowed = (await (await apiGet(server, token, 'competences')).json()) as Record<string, unknown>[];
    for (const item of narrowed) expect(Object.keys(item)).toEqual(['code']);
    await server.pool.query(
      `UPDATE consents SET status = 'revoked', fields = '{}', revoked_at = now() WHERE jobseeker_id = $1 AND client_id = $2`,
      [s.jobseeker.id, s.client.client_id],
    );
    const withdrawn = await apiGet(server, token, 'competences');
    expect(withdrawn.status).toBe(401);
    expect(((await withdrawn.json()) as { error_description: string }).error_description).toMatch(/consent/);
  });

  it('refuses a token for another resource server at the API and at userinfo, naming the audience', async () => {
    const s = await signedIn();
    const tokens = await redeem(s);
    // No such token can be minted here (any other resource is invalid_target): one is made by hand.
    const other = 'https://autre-api.example.fr';
    const changed = await server.pool.query(
      `UPDATE oidc_models SET payload = jsonb_set(payload, '{aud}', to_jsonb($2::text))
        WHERE model = 'AccessToken' AND payload->>'clientId' = $1`,
      [s.client.client_id, other],
    );
    expect(changed.rowCount).toBe(1);
    const api = await apiGet(server, tokens.access_token, 'competences');
    expect(api.status).toBe(401);
    expect(api.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(((await api.json()) as { error_description: string }).error_description).toContain(other);
    const me = await userinfo(tokens.access_token);
    expect(me.status).toBe(401);
    const body = (await me.json()) as { error: string; error_description: string };
    expect(body.error).toBe('invalid_token');
    expect(body.error_description).toContain(other);
    expect(body.error_description).not.toMatch(/openid scope/);
  });

  it('names one realm, the issuer, in the challenges of the API and of userinfo', async () => {
    const api = await fetch(`${server.issuer}/api/v1/competences`);
    const me = await fetch(`${server.issuer}/me`);
    const realmOf = (r: Response) => /realm="([^"]+)"/.exec(r.headers.get('www-authenticate') ?? '')?.[1];
    expect(realmOf(api)).toBe(server.issuer);
    expect(realmOf(me)).toBe(server.issuer);
  });
});

describe('a bad resource at the token endpoint (RFC 8707 §2.2)', () => {
  const codeParams = (s: SignedIn) => ({
    grant_type: 'authorization_code',
    code: s.flow.callback.searchParams.get('code') as string,
    redirect_uri: s.client.redirectUri,
    code_verifier: s.flow.verifier,
  });

  it('is refused before the code is used: the corrected retry works', async () => {
    const s = await signedIn();
    const descriptions: string[] = [];
    for (const resource of [`${server.issuer}/apii`, 'not a uri', `${server.issuer}/api#x`]) {
      const typo = await tokenRequest(server, s.client, { ...codeParams(s), resource });
      expect(typo.response.status, resource).toBe(400);
      expect(typo.json.error, resource).toBe('invalid_target');
      descriptions.push(typo.json.error_description as string);
    }
    const retry = await tokenRequest(server, s.client, {
      ...codeParams(s),
      resource: `${server.issuer}/api`,
    });
    expect(retry.response.status, JSON.stringify(retry.json)).toBe(200);
    expect((await apiGet(server, retry.json.access_token as string, 'competences')).status).toBe(200);
    // Each refusal says which value would have been accepted.
    for (const description of descriptions) expect(description).toContain(`${server.issuer}/api`);
  });

  it('is refused before a refresh token is used: the refresh token keeps working', async () => {
    const s = await signedIn();
    const tokens = await redeem(s);
    const refresh = (resource?: string) =>
      fetch(`${server.issuer}/token`, {
        method: 'POST',
        headers: { authorization: basicAuth(s.client), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: tokens.refresh_token as string,
          ...(resource ? { resource } : {}),
        }),
      });
    const typo = await refresh('https://ailleurs.example.fr/api');
    expect(typo.status).toBe(400);
    expect(((await typo.json()) as { error: string }).error).toBe('invalid_target');
    expect((await refresh()).status).toBe(200);
  });
});

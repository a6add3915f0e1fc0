// High-assurance apps (FAPI 2.0 Security Profile), as a FAPI 2.0 client built on openid-client sees
// them: pushed authorization requests only, private_key_jwt only, DPoP-bound tokens that the resource
// API accepts only with a fresh proof from the bound key, and ID tokens signed with PS256, ES256 or
// EdDSA. The sensitive scopes (indemnisation) are for such apps only; standard apps are unchanged.
import { createHash, randomUUID } from 'node:crypto';
import { decodeProtectedHeader, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/http/app-error.ts';
import { completeAuthorization, discover } from '../support/authorize.ts';
import { ALL_DATA_SCOPES, createClient, createJobseeker } from '../support/factories.ts';
import { grantedApp } from '../support/grant.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { UserAgent } from '../support/user-agent.ts';

const FAPI_ALGS = ['PS256', 'ES256', 'EdDSA', 'Ed25519'];

let server: TestServer;
let jobseeker: Awaited<ReturnType<typeof createJobseeker>>;
beforeAll(async () => {
  server = await startTestServer();
  jobseeker = await createJobseeker(server);
});
afterAll(() => server?.close());

const resource = () => `${server.issuer}/api`;
const indemnisationUrl = () => `${server.issuer}/api/v1/indemnisation`;
const ath = (token: string) => createHash('sha256').update(token).digest('base64url');

/** An app's public signing key as it registers it, and the private key it keeps. */
async function appKey(alg = 'ES256') {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const kid = randomUUID();
  const jwk: JWK = { ...(await exportJWK(publicKey)), alg, kid, use: 'sig' };
  return { jwk, privateKey, kid };
}

/** A high-assurance app, registered as an admin would, seen through openid-client with private_key_jwt. */
async function highAssuranceApp() {
  const key = await appKey();
  const client = await createClient(server, {
    scopes: ['openid', 'profile', 'offline_access', ...ALL_DATA_SCOPES],
    token_endpoint_auth_method: 'private_key_jwt',
    jwks: { keys: [key.jwk] },
    high_assurance: true,
  });
  const config = await oidc.discovery(
    new URL(server.issuer),
    client.client_id,
    undefined,
    oidc.PrivateKeyJwt({ key: key.privateKey, kid: key.kid }),
    { execute: [oidc.allowInsecureRequests] },
  );
  return { client, config, key };
}
type App = Awaited<ReturnType<typeof highAssuranceApp>>;

/** PAR, then the login and consent pages; returns what the token request needs. */
async function parAuthorization(
  app: App,
  fields: string[],
  scope = 'openid indemnisation offline_access',
  o: { prompt?: boolean; agent?: UserAgent } = { prompt: true },
) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = await oidc.buildAuthorizationUrlWithPAR(app.config, {
    redirect_uri: app.client.redirectUri,
    scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...(o.prompt ? { prompt: 'consent' } : {}),
  });
  const flow = await completeAuthorization({
    url,
    redirectUri: app.client.redirectUri,
    // A browser already signed in with its consent recorded goes straight back to the app.
    login: o.agent ? undefined : jobseeker,
    fields: o.agent ? undefined : fields,
    agent: o.agent,
  });
  return { ...flow, verifier, state, nonce, url };
}

/** The whole FAPI 2.0 opening: PAR, login, consent, code redeemed with DPoP for the resource API. */
async function dpopTokens(app: App, fields = ['indemnisation.beneficiaireAssuranceChomage']) {
  const flow = await parAuthorization(app, fields);
  const dpopKeys = await oidc.randomDPoPKeyPair('ES256');
  const dpop = oidc.getDPoPHandle(app.config, dpopKeys);
  const tokens = await oidc.authorizationCodeGrant(
    app.config,
    flow.callback,
    { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce },
    { resource: resource() },
    { DPoP: dpop },
  );
  return { tokens, dpop, dpopKeys, flow };
}

/** A DPoP proof made by hand, so that each of its parts can be got wrong on purpose. */
async function proof(
  keys: CryptoKeyPair,
  claims: { htm?: string; htu?: string; ath?: string; jti?: string; iat?: number },
) {
  return new SignJWT({
    htm: claims.htm ?? 'GET',
    htu: claims.htu ?? indemnisationUrl(),
    jti: claims.jti ?? randomUUID(),
    ...(claims.ath ? { ath: claims.ath } : {}),
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(keys.publicKey) })
    .setIssuedAt(claims.iat ?? Math.floor(Date.now() / 1000))
    .sign(keys.privateKey);
}

const dpopGet = (token: string, dpopProof: string | undefined, url = indemnisationUrl(), scheme = 'DPoP') =>
  fetch(url, {
    headers: { authorization: `${scheme} ${token}`, ...(dpopProof ? { dpop: dpopProof } : {}) },
  });

async function expect401(response: Response, error: string) {
  expect(response.status).toBe(401);
  const challenge = response.headers.get('www-authenticate') as string;
  expect(challenge).toMatch(/^DPoP realm="[^"]+"/);
  expect(challenge).toContain(`error="${error}"`);
  expect(challenge).toContain('algs="');
  expect(await response.json()).toMatchObject({ error });
}

describe('a high-assurance app, as a FAPI 2.0 client', () => {
  it('reads indemnisation with PAR, private_key_jwt and a DPoP-bound token: exactly the consented fields', async () => {
    const app = await highAssuranceApp();
    const { tokens, dpop } = await dpopTokens(app);
    expect(tokens.token_type.toLowerCase()).toBe('dpop');
    const response = await oidc.fetchProtectedResource(
      app.config,
      tokens.access_token,
      new URL(indemnisationUrl()),
      'GET',
      undefined,
      undefined,
      { DPoP: dpop },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toContain('no-store');
    const indemnisation = jobseeker.data.indemnisation as Record<string, unknown>;
    expect(await response.json()).toEqual({
      beneficiaireAssuranceChomage: indemnisation.beneficiaireAssuranceChomage,
    });
    // The token is bound to the DPoP key, in our storage too.
    const bound = await server.app.provider.AccessToken.find(tokens.access_token);
    expect(bound?.jkt).toEqual(expect.any(String));
  });

  it('keeps offline_access in a pushed request without prompt=consent, and asks once', async () => {
    const app = await highAssuranceApp();
    const fields = ['indemnisation.beneficiaireAssuranceChomage'];
    const redeem = async (flow: Awaited<ReturnType<typeof parAuthorization>>) =>
      oidc.authorizationCodeGrant(
        app.config,
        flow.callback,
        { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce },
        { resource: resource() },
        { DPoP: oidc.getDPoPHandle(app.config, await oidc.randomDPoPKeyPair('ES256')) },
      );
    const first = await parAuthorization(app, fields, undefined, { prompt: false });
    expect(first.pages).toHaveLength(2); // the login and consent pages
    expect((await redeem(first)).refresh_token).toBeTruthy();
    const again = await parAuthorization(app, fields, undefined, { prompt: false, agent: first.agent });
    expect(again.pages).toHaveLength(0);
    expect((await redeem(again)).refresh_token).toBeTruthy();
  });

  it('signs its ID tokens with a FAPI algorithm, while standard apps keep RS256', async () => {
    const app = await highAssuranceApp();
    const { tokens } = await dpopTokens(app);
    const fapiAlg = decodeProtectedHeader(tokens.id_token as string).alg;
    expect(FAPI_ALGS).toContain(fapiAlg);

    const standard = await grantedApp(server, { scope: 'openid competences', fields: ['competences.code'] });
    expect(decodeProtectedHeader(standard.tokens.id_token as string).alg).toBe('RS256');

    const discovery = await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json();
    expect(discovery.id_token_signing_alg_values_supported).toContain('RS256');
    expect(discovery.id_token_signing_alg_values_supported).toContain(fapiAlg);
    expect(discovery.pushed_authorization_request_endpoint).toBe(`${server.issuer}/request`);
    expect(discovery.token_endpoint_auth_methods_supported).toEqual([
      'client_secret_basic',
      'client_secret_post',
      'private_key_jwt',
      'none',
    ]);
    for (const alg of discovery.dpop_signing_alg_values_supported) expect(FAPI_ALGS).toContain(alg);
    // PAR is required per app, not for everyone.
    expect(discovery.require_pushed_authorization_requests).toBeUndefined();
  });

  it('refuses a plain (non-PAR) authorization request with invalid_request', async () => {
    const app = await highAssuranceApp();
    const url = oidc.buildAuthorizationUrl(app.config, {
      redirect_uri: app.client.redirectUri,
      scope: 'openid indemnisation',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      state: 'plain',
    });
    const { url: at } = await new UserAgent().follow(url, {}, app.client.redirectUri);
    expect(at.href.startsWith(app.client.redirectUri)).toBe(true);
    expect(at.searchParams.get('error')).toBe('invalid_request');
    expect(at.searchParams.get('error_description')).toMatch(/Pushed Authorization Request must be used/);
    expect(at.searchParams.get('code')).toBeNull();
    expect(at.searchParams.get('state')).toBe('plain');
  });

  it('refuses client_secret authentication for it', async () => {
    const app = await highAssuranceApp();
    // It has no secret at all…
    expect(app.client.client_secret).toBeUndefined();
    const { rows } = await server.pool.query('SELECT secret_ciphertext FROM clients WHERE id = $1', [
      app.client.client_id,
    ]);
    expect(rows).toEqual([{ secret_ciphertext: null }]);
    // …and client_secret_basic is refused at the PAR endpoint.
    const withSecret = await discover(server.issuer, app.client.client_id, 'a-guessed-secret-0123456789');
    await expect(
      oidc.buildAuthorizationUrlWithPAR(withSecret, {
        redirect_uri: app.client.redirectUri,
        scope: 'openid indemnisation',
        code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
      }),
    ).rejects.toMatchObject({ status: 401, cause: [{ parameters: { error: 'invalid_client' } }] });
  });

  it('does not redeem its code without a DPoP proof: no plain bearer token is ever issued to it', async () => {
    const app = await highAssuranceApp();
    const flow = await parAuthorization(app, ['indemnisation.beneficiaireAssuranceChomage']);
    const checks = { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce };
    await expect(
      oidc.authorizationCodeGrant(app.config, flow.callback, checks, { resource: resource() }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
    // The same code with a proof is redeemed: the refusal was about the missing proof alone.
    const dpop = oidc.getDPoPHandle(app.config, await oidc.randomDPoPKeyPair('ES256'));
    const tokens = await oidc.authorizationCodeGrant(
      app.config,
      flow.callback,
      checks,
      { resource: resource() },
      { DPoP: dpop },
    );
    expect(tokens.token_type.toLowerCase()).toBe('dpop');
  });

  it('needs a DPoP proof to refresh its DPoP-bound tokens', async () => {
    const app = await highAssuranceApp();
    const { tokens, dpop } = await dpopTokens(app);
    const refreshToken = tokens.refresh_token as string;
    expect(refreshToken).toEqual(expect.any(String));
    await expect(oidc.refreshTokenGrant(app.config, refreshToken)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    // With the proof, the same refresh token works: the refusal above was about the proof alone.
    const refreshed = await oidc.refreshTokenGrant(app.config, refreshToken, undefined, { DPoP: dpop });
    expect(refreshed.token_type.toLowerCase()).toBe('dpop');
  });
});

describe('defence in depth, for rows that did not pass today’s rules', () => {
  it('refuses a client assertion signed with RS256, even by a key the app has registered', async () => {
    // A jwks_uri is not checked at registration: its keys may name any algorithm.
    const app = await highAssuranceApp();
    const rs256 = await appKey('RS256');
    await server.pool.query('UPDATE clients SET jwks = $2 WHERE id = $1', [
      app.client.client_id,
      JSON.stringify({ keys: [rs256.jwk] }),
    ]);
    const par = (config: oidc.Configuration) =>
      oidc.buildAuthorizationUrlWithPAR(config, {
        redirect_uri: app.client.redirectUri,
        scope: 'openid indemnisation',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      });
    const rsConfig = await oidc.discovery(
      new URL(server.issuer),
      app.client.client_id,
      undefined,
      oidc.PrivateKeyJwt({ key: rs256.privateKey, kid: rs256.kid }),
      { execute: [oidc.allowInsecureRequests] },
    );
    await expect(par(rsConfig)).rejects.toMatchObject({ status: 401, error: 'invalid_client' });
    // Put back an ES256 key: the same request passes, so the refusal was about the algorithm.
    const es256 = await appKey('ES256');
    await server.pool.query('UPDATE clients SET jwks = $2 WHERE id = $1', [
      app.client.client_id,
      JSON.stringify({ keys: [es256.jwk] }),
    ]);
    const esConfig = await oidc.discovery(
      new URL(server.issuer),
      app.client.client_id,
      undefined,
      oidc.PrivateKeyJwt({ key: es256.privateKey, kid: es256.kid }),
      { execute: [oidc.allowInsecureRequests] },
    );
    expect((await par(esConfig)).searchParams.get('request_uri')).toMatch(
      /^urn:ietf:params:oauth:request_uri:/,
    );
  });

  it('does not let a standard app stored with indemnisation ask for it', async () => {
    const client = await createClient(server, { scopes: ['openid', 'competences'] });
    await server.pool.query(
      'UPDATE clients SET scopes = scopes || \'{indemnisation}\', purposes = purposes || \'{"indemnisation": "x"}\' WHERE id = $1',
      [client.client_id],
    );
    const config = await discover(server.issuer, client.client_id, client.client_secret);
    const url = (scope: string) =>
      oidc.buildAuthorizationUrl(config, {
        redirect_uri: client.redirectUri,
        scope,
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      });
    const refused = await new UserAgent().follow(url('openid indemnisation'), {}, client.redirectUri);
    expect(refused.url.searchParams.get('error')).toBe('invalid_scope');
    // Its other scopes still work (the login page is shown).
    const allowed = await new UserAgent().follow(url('openid competences'), {}, client.redirectUri);
    expect(allowed.response.status).toBe(200);
    expect(allowed.url.pathname).toMatch(/^\/interaction\//);
  });

  it('does not run a high-assurance app stored with a client secret', async () => {
    const client = await createClient(server, { scopes: ['openid', 'competences'] });
    await server.pool.query('UPDATE clients SET high_assurance = true WHERE id = $1', [client.client_id]);
    const config = await discover(server.issuer, client.client_id, client.client_secret);
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: client.redirectUri,
      scope: 'openid competences',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    });
    const { response, url: at } = await new UserAgent().follow(url, {}, client.redirectUri);
    // An unknown client: an error page, never a redirect.
    expect(at.href.startsWith(client.redirectUri)).toBe(false);
    expect(response.status).toBe(400);
  });
});

describe('the resource API with DPoP-bound tokens', () => {
  let token: string;
  let keys: CryptoKeyPair;
  beforeAll(async () => {
    const app = await highAssuranceApp();
    const issued = await dpopTokens(app);
    token = issued.tokens.access_token;
    keys = issued.dpopKeys;
  });

  it('serves a request with a correct proof (the refusals below are not refusing everything)', async () => {
    const response = await dpopGet(token, await proof(keys, { ath: ath(token) }));
    expect(response.status).toBe(200);
  });

  it('refuses the DPoP-bound token presented as a Bearer token, with a DPoP challenge', async () => {
    await expect401(await dpopGet(token, undefined, indemnisationUrl(), 'Bearer'), 'invalid_token');
    // Even with a valid proof alongside: the scheme says bearer, and a bound token is not one.
    await expect401(
      await dpopGet(token, await proof(keys, { ath: ath(token) }), indemnisationUrl(), 'Bearer'),
      'invalid_token',
    );
  });

  it('refuses the DPoP scheme without a proof, or with two', async () => {
    await expect401(await dpopGet(token, undefined), 'invalid_dpop_proof');
    const headers = new Headers({ authorization: `DPoP ${token}` });
    headers.append('dpop', await proof(keys, { ath: ath(token) }));
    headers.append('dpop', await proof(keys, { ath: ath(token) }));
    await expect401(await fetch(indemnisationUrl(), { headers }), 'invalid_dpop_proof');
  });

  it('refuses a proof signed by another key than the one the token is bound to', async () => {
    const other = await oidc.randomDPoPKeyPair('ES256');
    await expect401(await dpopGet(token, await proof(other, { ath: ath(token) })), 'invalid_token');
  });

  it('refuses a replayed proof (same jti)', async () => {
    const once = await proof(keys, { ath: ath(token) });
    expect((await dpopGet(token, once)).status).toBe(200);
    await expect401(await dpopGet(token, once), 'invalid_dpop_proof');
    // The same jti in a new proof is a replay too.
    const jti = randomUUID();
    expect((await dpopGet(token, await proof(keys, { ath: ath(token), jti }))).status).toBe(200);
    await expect401(await dpopGet(token, await proof(keys, { ath: ath(token), jti })), 'invalid_dpop_proof');
  });

  it('refuses a proof for another URL, method or token, or without ath', async () => {
    const cases: Record<string, Parameters<typeof proof>[1]> = {
      'another path': { ath: ath(token), htu: `${server.issuer}/api/v1/statut` },
      'another host': { ath: ath(token), htu: indemnisationUrl().replace('127.0.0.1', 'localhost') },
      'another method': { ath: ath(token), htm: 'POST' },
      'another token': { ath: ath(`${token}x`) },
      'no ath': {},
    };
    for (const [name, claims] of Object.entries(cases)) {
      const response = await dpopGet(token, await proof(keys, claims));
      expect(response.status, name).toBe(401);
      expect(response.headers.get('www-authenticate'), name).toContain('error="invalid_dpop_proof"');
    }
    // The URL is the provider's public one, not the Host header: a query string does not matter.
    const response = await dpopGet(
      token,
      await proof(keys, { ath: ath(token) }),
      `${indemnisationUrl()}?x=1`,
    );
    expect(response.status).toBe(200);
  });

  it('refuses a stale proof, and one from the future', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expect401(
      await dpopGet(token, await proof(keys, { ath: ath(token), iat: now - 600 })),
      'invalid_dpop_proof',
    );
    await expect401(
      await dpopGet(token, await proof(keys, { ath: ath(token), iat: now + 600 })),
      'invalid_dpop_proof',
    );
  });

  it('refuses a proof with the wrong type, or carrying a private key', async () => {
    const base = { htm: 'GET', htu: indemnisationUrl(), jti: randomUUID(), ath: ath(token) };
    const untyped = await new SignJWT(base)
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT', jwk: await exportJWK(keys.publicKey) })
      .setIssuedAt()
      .sign(keys.privateKey);
    await expect401(await dpopGet(token, untyped), 'invalid_dpop_proof');
    const extractable = await generateKeyPair('ES256', { extractable: true });
    const leaky = await new SignJWT({ ...base, jti: randomUUID() })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(extractable.privateKey) })
      .setIssuedAt()
      .sign(extractable.privateKey);
    await expect401(await dpopGet(token, leaky), 'invalid_dpop_proof');
  });

  it('refuses a plain bearer token presented with the DPoP scheme', async () => {
    const standard = await grantedApp(server, { scope: 'openid competences', fields: ['competences.code'] });
    const plain = standard.tokens.access_token;
    const own = await oidc.randomDPoPKeyPair('ES256');
    const response = await dpopGet(
      plain,
      await proof(own, { ath: ath(plain), htu: `${server.issuer}/api/v1/competences` }),
      `${server.issuer}/api/v1/competences`,
    );
    await expect401(response, 'invalid_token');
    // The same token as Bearer still works: standard apps are unchanged.
    const bearer = await fetch(`${server.issuer}/api/v1/competences`, {
      headers: { authorization: `Bearer ${plain}` },
    });
    expect(bearer.status).toBe(200);
  });

  it('keeps used proof ids in PostgreSQL until they expire, and the purge removes them then', async () => {
    const jti = randomUUID();
    expect((await dpopGet(token, await proof(keys, { ath: ath(token), jti }))).status).toBe(200);
    const { rows } = await server.pool.query(
      "SELECT expires_at > now() + interval '30 seconds' AS later FROM dpop_jti WHERE jti = $1",
      [jti],
    );
    expect(rows).toEqual([{ later: true }]);
    await server.pool.query("UPDATE dpop_jti SET expires_at = now() - interval '1 second' WHERE jti = $1", [
      jti,
    ]);
    const { purgeExpired } = await import('../../src/jobs/purge-expired.ts');
    const counts = await purgeExpired({
      pool: server.pool,
      consentChanges: server.app.services.consentChanges,
      accessLogRetentionDays: 396,
    });
    expect(counts.dpopProofs).toBeGreaterThanOrEqual(1);
    expect((await server.pool.query('SELECT 1 FROM dpop_jti WHERE jti = $1', [jti])).rowCount).toBe(0);
  });
});

describe('registration rules for high-assurance apps', () => {
  const base = {
    name: 'Appli aides financières',
    redirect_uris: ['http://127.0.0.1:9/cb-aides'],
    scopes: ['openid', 'indemnisation'],
    purposes: { indemnisation: 'Vous proposer les aides auxquelles vous avez droit.' },
    free_for_jobseekers: true,
    policy_uri: 'https://aides.example.fr/confidentialite',
    contact_email: 'dpo@aides.example.fr',
    status: 'active' as const,
  };
  const refusal = async (input: Parameters<TestServer['app']['services']['clients']['create']>[0]) => {
    const err = await server.app.services.clients.create(input).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(400);
    return (err as AppError).message;
  };

  it('refuses indemnisation to a standard app (client secret), naming the scope', async () => {
    expect(await refusal(base)).toMatch(/scope: .*indemnisation.*high_assurance/);
    // Also through RFC 7591 self-registration.
    const admin = await server.app.services.admins.create('fapi@pole-emploi.example', 'mot de passe fapi', {
      actor: 'test',
    });
    const adminToken = (
      await server.app.services.admins.createToken(admin.id, 'test', null, { actor: 'test' })
    ).token;
    const iat = await fetch(`${server.issuer}/admin/api/initial-access-tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(iat.status).toBe(201);
    const res = await fetch(`${server.issuer}/reg`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${(await iat.json()).initial_access_token}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        client_name: 'Appli auto-enregistrée',
        redirect_uris: ['http://127.0.0.1:9/cb-reg'],
        scope: 'openid',
        data_scopes: ['indemnisation'],
      }),
    });
    expect(res.status).toBe(400);
    const json = await res.json();
    expect(json.error).toBe('invalid_client_metadata');
    expect(json.error_description).toMatch(/indemnisation/);
    // A standard app keeps every other data scope, statut included.
    expect(
      await server.app.services.clients.create({
        ...base,
        scopes: ['openid', 'statut'],
        purposes: { statut: 'Savoir si vous êtes inscrit.' },
      }),
    ).toMatchObject({ client_id: expect.any(String), client_secret: expect.any(String) });
  });

  it('requires private_key_jwt of a high-assurance app', async () => {
    expect(await refusal({ ...base, high_assurance: true })).toMatch(
      /token_endpoint_auth_method: .*private_key_jwt/,
    );
  });

  it('limits its keys to PS256, ES256 and EdDSA public signing keys', async () => {
    const ha = { ...base, high_assurance: true, token_endpoint_auth_method: 'private_key_jwt' as const };
    const rs256 = await appKey('RS256');
    expect(await refusal({ ...ha, jwks: { keys: [rs256.jwk] } })).toMatch(/jwks\.keys\.0: .*PS256/);
    const { alg: _alg, ...noAlg } = (await appKey('ES256')).jwk;
    expect(await refusal({ ...ha, jwks: { keys: [noAlg] } })).toMatch(/jwks\.keys\.0/);
    const mislabelled = { ...(await appKey('ES256')).jwk, alg: 'PS256' };
    expect(await refusal({ ...ha, jwks: { keys: [mislabelled] } })).toMatch(/jwks\.keys\.0/);
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const secretKey = { ...(await exportJWK(privateKey)), alg: 'ES256' };
    expect(await refusal({ ...ha, jwks: { keys: [secretKey] } })).toMatch(/jwks\.keys\.0: .*publique/);
    const encryption = { ...(await appKey('ES256')).jwk, use: 'enc' };
    expect(await refusal({ ...ha, jwks: { keys: [encryption] } })).toMatch(/jwks\.keys\.0/);

    for (const alg of ['PS256', 'ES256', 'EdDSA']) {
      const { jwk } = await appKey(alg);
      const created = await server.app.services.clients.create({ ...ha, jwks: { keys: [jwk] } });
      expect(created, alg).toEqual({ client_id: expect.any(String) });
    }
  });
});

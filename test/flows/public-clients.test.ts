// Public clients (token_endpoint_auth_method none): a browser app and a native app (RFC 8252) through
// openid-client with no client authentication: PKCE, refresh tokens rotated and, when the app asks,
// DPoP-bound; CORS for the exact web origins of the app's redirect URIs on the token, userinfo,
// revocation and API endpoints, never with credentials, never on the authorization endpoint.
import { generateKeyPair } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewClientInput } from '../../src/clients/client-service.ts';
import { authorize } from '../support/authorize.ts';
import { ALL_DATA_SCOPES, createClient, createJobseeker } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
let jobseeker: Awaited<ReturnType<typeof createJobseeker>>;
beforeAll(async () => {
  server = await startTestServer();
  jobseeker = await createJobseeker(server);
});
afterAll(() => server?.close());

const SPA_ORIGIN = 'https://spa.example.fr';
const FIELDS = ['profile.given_name', 'competences.code'];

async function publicApp(redirectUri: string) {
  const client = await createClient(server, {
    token_endpoint_auth_method: 'none',
    redirect_uris: [redirectUri],
  });
  expect(client.client_secret).toBeUndefined();
  const config = await oidc.discovery(new URL(server.issuer), client.client_id, undefined, oidc.None(), {
    execute: [oidc.allowInsecureRequests],
  });
  return { client, config };
}

async function signIn(
  app: Awaited<ReturnType<typeof publicApp>>,
  redirectUri: string,
  dpop?: oidc.DPoPHandle,
) {
  const flow = await authorize({
    config: app.config,
    redirectUri,
    scope: 'openid profile competences offline_access',
    login: jobseeker,
    fields: FIELDS,
    extra: { prompt: 'consent' },
  });
  return oidc.authorizationCodeGrant(
    app.config,
    flow.callback,
    { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce },
    undefined,
    dpop ? { DPoP: dpop } : undefined,
  );
}

describe('a browser app (public client)', () => {
  it('signs in with PKCE and no secret, reads /me and the API, refreshes with rotation', async () => {
    const redirect = `${SPA_ORIGIN}/callback`;
    const app = await publicApp(redirect);
    const tokens = await signIn(app, redirect);
    const sub = tokens.claims()?.sub as string;
    expect((await oidc.fetchUserInfo(app.config, tokens.access_token, sub)).sub).toBe(sub);
    const api = await fetch(`${server.issuer}/api/v1/competences`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(api.status).toBe(200);
    const refreshed = await oidc.refreshTokenGrant(app.config, tokens.refresh_token as string);
    expect(refreshed.refresh_token).toEqual(expect.any(String));
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    // The rotated-out refresh token no longer works.
    await expect(oidc.refreshTokenGrant(app.config, tokens.refresh_token as string)).rejects.toThrow();
  });

  it('gets DPoP-bound tokens when it asks, and the API then wants the proof', async () => {
    const redirect = `${SPA_ORIGIN}/dpop`;
    const app = await publicApp(redirect);
    const dpop = oidc.getDPoPHandle(app.config, await generateKeyPair('ES256'));
    const tokens = await signIn(app, redirect, dpop);
    expect(tokens.token_type).toBe('dpop');
    const bare = await fetch(`${server.issuer}/api/v1/competences`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(bare.status).toBe(401);
    const withProof = await oidc.fetchProtectedResource(
      app.config,
      tokens.access_token,
      new URL(`${server.issuer}/api/v1/competences`),
      'GET',
      undefined,
      undefined,
      { DPoP: dpop },
    );
    expect(withProof.status).toBe(200);
    const refreshed = await oidc.refreshTokenGrant(app.config, tokens.refresh_token as string, undefined, {
      DPoP: dpop,
    });
    expect(refreshed.token_type).toBe('dpop');
  });

  it('CORS: the exact origin of its redirect URIs on token, userinfo, revocation and API; no credentials', async () => {
    const redirect = `${SPA_ORIGIN}/cors`;
    const app = await publicApp(redirect);
    const flow = await authorize({
      config: app.config,
      redirectUri: redirect,
      scope: 'openid profile competences',
      login: jobseeker,
      fields: FIELDS,
    });
    const form = (params: Record<string, string>) => ({
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: SPA_ORIGIN },
      body: new URLSearchParams(params),
    });
    const token = await fetch(
      `${server.issuer}/token`,
      form({
        grant_type: 'authorization_code',
        client_id: app.client.client_id,
        code: flow.callback.searchParams.get('code') as string,
        redirect_uri: redirect,
        code_verifier: flow.verifier,
      }),
    );
    expect(token.status).toBe(200);
    const accessToken = ((await token.json()) as { access_token: string }).access_token;
    const userinfo = await fetch(`${server.issuer}/me`, {
      headers: { authorization: `Bearer ${accessToken}`, origin: SPA_ORIGIN },
    });
    const api = await fetch(`${server.issuer}/api/v1/competences`, {
      headers: { authorization: `Bearer ${accessToken}`, origin: SPA_ORIGIN },
    });
    const langues = await fetch(`${server.issuer}/api/v1/langues`, {
      headers: { authorization: `Bearer ${accessToken}`, origin: SPA_ORIGIN },
    });
    const preflight = await fetch(`${server.issuer}/api/v1/competences`, {
      method: 'OPTIONS',
      headers: {
        origin: SPA_ORIGIN,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization, dpop',
      },
    });
    const revocation = await fetch(
      `${server.issuer}/token/revocation`,
      form({ client_id: app.client.client_id, token: accessToken }),
    );
    for (const [name, response] of Object.entries({ token, userinfo, api, langues, preflight, revocation })) {
      expect(response.status, name).toBeLessThan(500);
      expect(response.headers.get('access-control-allow-origin'), name).toBe(SPA_ORIGIN);
      expect(response.headers.get('access-control-allow-credentials'), name).toBeNull();
      expect(response.headers.get('vary') ?? '', name).toMatch(/origin/i);
    }
    expect(api.status).toBe(200);
    expect(langues.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
    // RFC 7009 §2.2: 200 for a revoked token; in JSON, which browser libraries (oidc-client-ts) insist on.
    expect(revocation.status).toBe(200);
    expect(revocation.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await revocation.json()).toEqual({});
  });

  it('CORS: no other origin, and never on the authorization endpoint', async () => {
    const redirect = `${SPA_ORIGIN}/cors2`;
    const app = await publicApp(redirect);
    const tokens = await signIn(app, redirect);
    const evil = 'https://evil.example';
    const api = await fetch(`${server.issuer}/api/v1/competences`, {
      headers: { authorization: `Bearer ${tokens.access_token}`, origin: evil },
    });
    expect(api.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${server.issuer}/api/v1/competences`, {
      method: 'OPTIONS',
      headers: { origin: evil, 'access-control-request-method': 'GET' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const userinfo = await fetch(`${server.issuer}/me`, {
      headers: { authorization: `Bearer ${tokens.access_token}`, origin: evil },
    });
    expect(userinfo.headers.get('access-control-allow-origin')).toBeNull();
    const auth = new URL(`${server.issuer}/auth`);
    auth.search = new URLSearchParams({
      client_id: app.client.client_id,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: redirect,
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    }).toString();
    for (const method of ['GET', 'OPTIONS']) {
      const answer = await fetch(auth, {
        method,
        redirect: 'manual',
        headers: { origin: SPA_ORIGIN, 'access-control-request-method': 'GET' },
      });
      expect(answer.headers.get('access-control-allow-origin'), method).toBeNull();
    }
  });

  it('a confidential app gets no CORS from its own origin', async () => {
    const client = await createClient(server, { redirect_uris: ['https://serveur.example.fr/cb'] });
    const config = await oidc.discovery(
      new URL(server.issuer),
      client.client_id,
      undefined,
      oidc.ClientSecretBasic(client.client_secret),
      { execute: [oidc.allowInsecureRequests] },
    );
    const flow = await authorize({
      config,
      redirectUri: client.redirectUri,
      scope: 'openid competences',
      login: jobseeker,
      fields: ['competences.code'],
    });
    const tokens = await oidc.authorizationCodeGrant(config, flow.callback, {
      pkceCodeVerifier: flow.verifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
    });
    const api = await fetch(`${server.issuer}/api/v1/competences`, {
      headers: { authorization: `Bearer ${tokens.access_token}`, origin: 'https://serveur.example.fr' },
    });
    expect(api.status).toBe(200);
    expect(api.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('a native app (public client, RFC 8252)', () => {
  it('a loopback redirect accepts any port at request time (§7.3)', async () => {
    const app = await publicApp('http://127.0.0.1/oauth/callback');
    const tokens = await signIn(app, 'http://127.0.0.1:53127/oauth/callback');
    expect(tokens.access_token).toEqual(expect.any(String));
  });

  it('a private-use URI scheme redirect (§7.1)', async () => {
    const redirect = 'fr.example.monappli:/oauth2redirect';
    const app = await publicApp(redirect);
    const tokens = await signIn(app, redirect);
    expect(tokens.claims()?.sub).toEqual(expect.any(String));
  });
});

describe('registration rules for public clients', () => {
  const register = (redirectUris: string[], extra: Partial<NewClientInput> = {}) =>
    server.app.services.clients.create({
      name: 'Appli publique',
      redirect_uris: redirectUris,
      scopes: ['openid', 'profile'],
      token_endpoint_auth_method: 'none',
      ...extra,
    });

  it('accepts loopback IPs and private-use schemes, in production too', async () => {
    const production = (await import('../../src/clients/client-rules.ts')).clientRules(
      server.app.catalog,
      true,
    );
    for (const uri of [
      'http://127.0.0.1/cb',
      'http://[::1]:8080/cb',
      'fr.example.appli:/cb',
      'com.example.app://cb',
    ]) {
      expect(() =>
        production.parse({
          name: 'x',
          redirect_uris: [uri],
          scopes: ['openid'],
          token_endpoint_auth_method: 'none',
        }),
      ).not.toThrow();
    }
    // A confidential app still may not use them in production.
    for (const uri of ['http://127.0.0.1/cb', 'fr.example.appli:/cb']) {
      expect(() => production.parse({ name: 'x', redirect_uris: [uri], scopes: ['openid'] }), uri).toThrow(
        /redirect_uris/,
      );
    }
  });

  it('refuses what SECURITY.md lists, public or not', async () => {
    for (const uri of [
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      'data:text/html,<script>x</script>',
      'monappli:/cb',
      'fr.example.appli:/cb#frag',
      'https://*.example.fr/cb',
      'https://user:pw@spa.example.fr/cb',
      'http://spa.example.fr/cb',
    ]) {
      await expect(register([uri]), uri).rejects.toThrow(/redirect_uris/);
    }
  });

  it('gives no secret, and keeps the sensitive scopes for high-assurance apps', async () => {
    const created = await register(['https://spa.example.fr/cb']);
    expect(created.client_secret).toBeUndefined();
    await expect(
      register(['https://spa.example.fr/cb'], { scopes: ['openid', ...ALL_DATA_SCOPES] }),
    ).rejects.toThrow(/indemnisation/);
    await expect(register(['https://spa.example.fr/cb'], { high_assurance: true })).rejects.toThrow(
      /private_key_jwt/,
    );
  });
});

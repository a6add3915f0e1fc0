// The OpenID Foundation "Config OP" certification plan (oidcc-config-certification-test-plan): its one
// module, oidcc-discovery-endpoint-verification, split into its conditions (OpenID Connect
// Discovery 1.0 §3 and §4, RFC 8414 §2), against a running server.
// Adapted checks: the test server's issuer is http on loopback, so "every endpoint is https"
// (CheckDiscEndpointAllEndpointsAreHttps) becomes "every endpoint is on the issuer's own origin"
// (production requires an https issuer: src/config.ts); and where the suite accepts any value, ours
// must be exactly our deliberate choices (code only, pairwise only, S256 only, no client_secret_jwt).
import * as jose from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
let response: Response;
let metadata: Record<string, unknown>;
beforeAll(async () => {
  server = await startTestServer();
  response = await fetch(`${server.issuer}/.well-known/openid-configuration`);
  metadata = await response.clone().json();
});
afterAll(() => server?.close());

const list = (name: string) => metadata[name] as string[];

describe('oidcc-discovery-endpoint-verification', () => {
  it('EnsureDiscoveryEndpointResponseStatusCodeIs200, CheckDiscoveryEndpointReturnedJsonContentType', () => {
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('CheckDiscEndpointIssuer, CheckDiscEndpointIssuerIsValidUrl, CheckDiscEndpointDiscoveryUrl', () => {
    // Discovery §4.3: the issuer is exactly the URL the configuration was fetched under.
    expect(metadata.issuer).toBe(server.issuer);
    const issuer = new URL(metadata.issuer as string);
    expect(issuer.search).toBe('');
    expect(issuer.hash).toBe('');
    expect(`${metadata.issuer}/.well-known/openid-configuration`).toBe(response.url);
  });

  it('OIDCCCheckDiscEndpointResponseTypesSupported: code (adapted: and nothing else)', () => {
    expect(list('response_types_supported')).toEqual(['code']);
  });

  it('CheckDiscEndpointSubjectTypesSupported (adapted: pairwise only)', () => {
    expect(list('subject_types_supported')).toEqual(['pairwise']);
  });

  it('OIDCCCheckDiscEndpointIdTokenSigningAlgValuesSupported: RS256, never none', () => {
    const algs = list('id_token_signing_alg_values_supported');
    expect(algs).toContain('RS256');
    expect(algs).not.toContain('none');
    expect(algs.filter((a) => a.startsWith('HS'))).toEqual([]);
  });

  it('OIDCCCheckDiscEndpointUserinfoSigningAlgValuesSupported (skipped by the suite when absent)', () => {
    const algs = metadata.userinfo_signing_alg_values_supported as string[] | undefined;
    if (algs) {
      expect(algs).toContain('RS256');
      expect(algs).not.toContain('none');
    }
  });

  it('CheckDiscEndpointAuthorizationEndpoint, TokenEndpoint, UserinfoEndpoint, RegistrationEndpoint', async () => {
    const origin = new URL(server.issuer).origin;
    for (const name of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri']) {
      expect(typeof metadata[name], name).toBe('string');
      expect(new URL(metadata[name] as string).origin, name).toBe(origin);
    }
    if (metadata.registration_endpoint) {
      expect(new URL(metadata.registration_endpoint as string).origin).toBe(origin);
    }
    // The endpoints answer (not a 404): the token endpoint refuses an empty request as an OAuth error.
    const token = await fetch(metadata.token_endpoint as string, { method: 'POST' });
    expect(token.status).toBeGreaterThanOrEqual(400);
    expect(token.status).toBeLessThan(500);
    expect(token.status).not.toBe(404);
    expect(await token.json()).toHaveProperty('error');
  });

  it('CheckDiscEndpointAllEndpointsAreHttps (adapted: every endpoint on the issuer origin)', () => {
    const origin = new URL(server.issuer).origin;
    const endpoints = Object.entries(metadata).filter(
      ([key, value]) => (key.endsWith('_endpoint') || key.endsWith('_uri')) && typeof value === 'string',
    );
    expect(endpoints.length).toBeGreaterThan(5);
    for (const [key, value] of endpoints) expect(new URL(value as string).origin, key).toBe(origin);
  });

  it('CheckJwksUri, FetchServerKeys, ValidateServerJWKs, EnsureServerJwksDoesNotContainPrivateOrSymmetricKeys', async () => {
    const jwksResponse = await fetch(metadata.jwks_uri as string);
    expect(jwksResponse.status).toBe(200);
    expect(jwksResponse.headers.get('content-type')).toMatch(/^application\/(jwk-set\+)?json/);
    const { keys } = (await jwksResponse.json()) as { keys: jose.JWK[] };
    expect(keys.length).toBeGreaterThan(0);
    const kids = keys.map((k) => k.kid);
    expect(new Set(kids).size).toBe(keys.length);
    for (const key of keys) {
      expect(key.kty).not.toBe('oct');
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'])
        expect(key).not.toHaveProperty(secret);
      expect(key.kid).toBeTruthy();
      expect(key.use ?? 'sig').toBe('sig');
      // Every key parses as the public key its algorithm needs.
      const imported = await jose.importJWK(key, key.alg);
      expect((imported as CryptoKey).type).toBe('public');
    }
    // The ID token algorithms on offer all have a key.
    for (const alg of list('id_token_signing_alg_values_supported')) {
      expect(
        keys.some((k) => k.alg === alg),
        alg,
      ).toBe(true);
    }
  });

  it('CheckDiscEndpointRequestParameterSupported, RequestUriParameterSupported (informational)', () => {
    // Request objects are not supported: discovery must not claim otherwise.
    expect(metadata.request_parameter_supported ?? false).toBe(false);
    expect(metadata.request_uri_parameter_supported).toBe(false);
    expect(metadata.request_object_signing_alg_values_supported).toBeUndefined();
  });

  it('CheckDiscEndpointClaimsParameterSupported (informational): false', () => {
    expect(metadata.claims_parameter_supported).toBe(false);
  });

  it('OIDCCCheckDiscEndpointClaimsSupported: sub and every identity claim of the catalog', () => {
    const claims = list('claims_supported');
    expect(claims).toContain('sub');
    for (const scope of server.app.catalog.oidcScopes) {
      for (const field of scope.fields) expect(claims, `${scope.id}.${field.id}`).toContain(field.id);
    }
  });

  it('OIDCCCheckDiscEndpointGrantTypesSupported (adapted: no implicit, password or client credentials)', () => {
    const grants = list('grant_types_supported');
    expect(grants).toContain('authorization_code');
    for (const refused of ['implicit', 'password', 'client_credentials'])
      expect(grants).not.toContain(refused);
  });

  it('CheckDiscEndpointScopesSupportedContainsOpenId, CheckDiscEndpointScopesSupportedSyntax', () => {
    const scopes = list('scopes_supported');
    expect(scopes).toContain('openid');
    // RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
    for (const scope of scopes) expect(scope).toMatch(/^[\x21\x23-\x5B\x5D-\x7E]+$/);
  });

  it('CheckDiscEndpointLocalesSyntax, CheckDiscEndpointLocalesCanonicalCasing (when present)', () => {
    for (const name of ['ui_locales_supported', 'claims_locales_supported']) {
      for (const tag of (metadata[name] as string[] | undefined) ?? []) {
        expect(tag).toMatch(/^[a-z]{2,3}(-[A-Z]{2}|-[A-Za-z0-9]{4,8})*$/);
      }
    }
  });

  it('EnsureServerConfigurationCodeChallengeMethodsSupportedIsAnArray (adapted: S256 only)', () => {
    expect(list('code_challenge_methods_supported')).toEqual(['S256']);
  });

  it('client authentication on offer (adapted: no client_secret_jwt)', () => {
    const methods = list('token_endpoint_auth_methods_supported');
    expect(methods.sort()).toEqual(['client_secret_basic', 'client_secret_post', 'none', 'private_key_jwt']);
  });

  it('RFC 9207 §3: authorization_response_iss_parameter_supported', () => {
    expect(metadata.authorization_response_iss_parameter_supported).toBe(true);
  });

  it('every advertised browser-facing endpoint answers (no 404, no 5xx)', async () => {
    for (const name of ['jwks_uri', 'end_session_endpoint', 'authorization_endpoint']) {
      const res = await fetch(metadata[name] as string, { redirect: 'manual' });
      expect(res.status, name).not.toBe(404);
      expect(res.status, name).toBeLessThan(500);
    }
  });
});

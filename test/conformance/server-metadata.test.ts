// What the server tells tools, black-box: RFC 8414 authorization server metadata, every catalog scope
// in scopes_supported, RFC 9728 protected resource metadata for the API and for userinfo, the
// resource_metadata parameter in every challenge of the API (RFC 9728 §5.1), and the OpenAPI
// document's openIdConnect scheme pointing at discovery.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantedApp } from '../support/grant.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const json = async (path: string) => {
  const response = await fetch(`${server.issuer}${path}`);
  expect(response.status, path).toBe(200);
  expect(response.headers.get('content-type'), path).toMatch(/^application\/json/);
  return (await response.json()) as Record<string, unknown>;
};

describe('authorization server metadata', () => {
  it('RFC 8414 §3: /.well-known/oauth-authorization-server, with the issuer and the endpoints', async () => {
    const metadata = await json('/.well-known/oauth-authorization-server');
    expect(metadata.issuer).toBe(server.issuer);
    for (const key of ['authorization_endpoint', 'token_endpoint', 'jwks_uri']) {
      expect(metadata[key], key).toEqual(expect.stringMatching(new RegExp(`^${server.issuer}/`)));
    }
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    // openid-client's RFC 8414 discovery reads it.
    const config = await oidc.discovery(new URL(server.issuer), 'x', undefined, oidc.None(), {
      algorithm: 'oauth2',
      execute: [oidc.allowInsecureRequests],
    });
    expect(config.serverMetadata().issuer).toBe(server.issuer);
  });

  it('scopes_supported lists every scope of the catalog, in both documents', async () => {
    for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
      const scopes = (await json(path)).scopes_supported as string[];
      for (const scope of server.app.catalog.byId.keys()) expect(scopes, `${path} ${scope}`).toContain(scope);
      expect(scopes).toContain('offline_access');
      expect(new Set(scopes).size).toBe(scopes.length);
    }
  });

  it('claims_supported includes name and sid, which ID tokens and userinfo carry', async () => {
    const claims = (await json('/.well-known/openid-configuration')).claims_supported as string[];
    expect(claims).toEqual(expect.arrayContaining(['name', 'sid']));
  });
});

describe('protected resource metadata (RFC 9728)', () => {
  it('§3: the API at /.well-known/oauth-protected-resource/api, with its identifier and data scopes', async () => {
    const metadata = await json('/.well-known/oauth-protected-resource/api');
    expect(metadata.resource).toBe(`${server.issuer}/api`);
    expect(metadata.authorization_servers).toEqual([server.issuer]);
    expect(metadata.scopes_supported).toEqual(server.app.catalog.dataScopes.map((s) => s.id));
    expect(metadata.bearer_methods_supported).toEqual(['header']);
    expect(metadata.dpop_signing_alg_values_supported).toEqual(expect.arrayContaining(['ES256']));
  });

  it('§3: userinfo at /.well-known/oauth-protected-resource, with the OIDC scopes', async () => {
    const metadata = await json('/.well-known/oauth-protected-resource');
    expect(metadata.resource).toBe(server.issuer);
    expect(metadata.authorization_servers).toEqual([server.issuer]);
    expect(metadata.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'email']));
  });

  it('§5.1: every challenge of the API names resource_metadata, which resolves to the API', async () => {
    const { tokens } = await grantedApp(server, {
      scope: 'openid competences',
      fields: ['competences.code'],
    });
    const api = (path: string, headers: Record<string, string> = {}) =>
      fetch(`${server.issuer}/api/v1/${path}`, { headers });
    const expected = `${server.issuer}/.well-known/oauth-protected-resource/api`;
    for (const [name, response] of Object.entries({
      missing: await api('competences'),
      invalid: await api('competences', { authorization: `Bearer ${'A'.repeat(43)}` }),
      insufficient: await api('langues', { authorization: `Bearer ${tokens.access_token}` }),
      dpopWithoutProof: await api('competences', { authorization: `DPoP ${tokens.access_token}` }),
    })) {
      expect(response.status, name).toBeGreaterThanOrEqual(401);
      const challenge = response.headers.get('www-authenticate') ?? '';
      expect(challenge, name).toContain(`resource_metadata="${expected}"`);
      expect(challenge, name).toContain(`realm="${server.issuer}"`);
    }
    const resolved = (await (await fetch(expected)).json()) as { resource: string };
    expect(resolved.resource).toBe(`${server.issuer}/api`);
  });
});

describe('the OpenAPI document', () => {
  it('declares an openIdConnect scheme pointing at discovery', async () => {
    const openapi = (await json('/api/openapi.json')) as {
      components: { securitySchemes: Record<string, { type: string; openIdConnectUrl: string }> };
    };
    const schemes = Object.values(openapi.components.securitySchemes);
    expect(schemes).toHaveLength(1);
    expect(schemes[0]).toMatchObject({
      type: 'openIdConnect',
      openIdConnectUrl: `${server.issuer}/.well-known/openid-configuration`,
    });
  });
});

// Client authentication at the token endpoint as relying parties do it by default: a secret-based app
// registered with the defaults (service, admin API, RFC 7591) authenticates with client_secret_basic
// and with client_secret_post (openid-client 6's default), with nothing to configure; an app may be
// restricted to one method, and every refusal names the methods the app may use.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize } from '../support/authorize.ts';
import { createClient, createJobseeker } from '../support/factories.ts';
import { basicAuth } from '../support/relying-party.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
let jobseeker: Awaited<ReturnType<typeof createJobseeker>>;
beforeAll(async () => {
  server = await startTestServer();
  jobseeker = await createJobseeker(server);
});
afterAll(() => server?.close());

type Client = { client_id: string; client_secret: string; redirectUri: string };

const configFor = (client: Client, auth?: oidc.ClientAuth) =>
  oidc.discovery(
    new URL(server.issuer),
    client.client_id,
    // No ClientAuth: openid-client's default for a secret (client_secret_post).
    auth ? undefined : client.client_secret,
    auth,
    { execute: [oidc.allowInsecureRequests] },
  );

// The apps whose consent this file's jobseeker has given: their next flow shows no consent page.
const consented = new Set<string>();

async function codeFor(client: Client, config: oidc.Configuration) {
  const flow = await authorize({
    config,
    redirectUri: client.redirectUri,
    scope: 'openid profile competences',
    login: jobseeker,
    fields: consented.has(client.client_id) ? undefined : ['profile.given_name', 'competences.code'],
  });
  consented.add(client.client_id);
  return flow;
}

const redeem = (config: oidc.Configuration, flow: Awaited<ReturnType<typeof codeFor>>) =>
  oidc.authorizationCodeGrant(config, flow.callback, {
    pkceCodeVerifier: flow.verifier,
    expectedState: flow.state,
    expectedNonce: flow.nonce,
  });

async function rawToken(client: Client, how: 'basic' | 'post', extra: Record<string, string> = {}) {
  const flow = await codeFor(client, await configFor(client, oidc.ClientSecretBasic(client.client_secret)));
  const params = new URLSearchParams({
    grant_type: 'authorization_code',
    code: flow.callback.searchParams.get('code') as string,
    redirect_uri: client.redirectUri,
    code_verifier: flow.verifier,
    ...(how === 'post' ? { client_id: client.client_id, client_secret: client.client_secret } : {}),
    ...extra,
  });
  const response = await fetch(`${server.issuer}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(how === 'basic' ? { authorization: basicAuth(client) } : {}),
    },
    body: params,
  });
  return { status: response.status, json: (await response.json()) as Record<string, string> };
}

describe('a secret-based app with the defaults', () => {
  it('discovery offers client_secret_basic and client_secret_post', async () => {
    const metadata = (await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json()) as {
      token_endpoint_auth_methods_supported: string[];
    };
    expect(metadata.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining(['client_secret_basic', 'client_secret_post']),
    );
  });

  it('authenticates with openid-client defaults (client_secret_post), then refreshes', async () => {
    const client = await createClient(server);
    const config = await configFor(client);
    const flow = await authorize({
      config,
      redirectUri: client.redirectUri,
      scope: 'openid profile offline_access',
      login: jobseeker,
      fields: ['profile.given_name'],
      extra: { prompt: 'consent' },
    });
    const tokens = await redeem(config, flow);
    expect(tokens.access_token).toEqual(expect.any(String));
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token as string);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
  });

  it('authenticates with client_secret_basic too, and introspects and revokes either way', async () => {
    const client = await createClient(server);
    const basic = await configFor(client, oidc.ClientSecretBasic(client.client_secret));
    const tokens = await redeem(basic, await codeFor(client, basic));
    const post = await configFor(client, oidc.ClientSecretPost(client.client_secret));
    expect((await oidc.tokenIntrospection(post, tokens.access_token)).active).toBe(true);
    await oidc.tokenRevocation(post, tokens.access_token);
    expect((await oidc.tokenIntrospection(basic, tokens.access_token)).active).toBe(false);
  });

  it('the previous secret keeps working in the body during its grace period', async () => {
    const client = await createClient(server);
    await server.app.services.clients.rotateSecret(client.client_id, { actor: 'test' });
    expect((await rawToken(client, 'post')).status).toBe(200);
  });
});

describe('an app restricted to one method', () => {
  it('client_secret_basic only: the body is refused, naming the method', async () => {
    const client = await createClient(server, { token_endpoint_auth_method: 'client_secret_basic' });
    expect((await rawToken(client, 'basic')).status).toBe(200);
    const refused = await rawToken(client, 'post');
    expect(refused.status).toBe(401);
    expect(refused.json.error).toBe('invalid_client');
    expect(refused.json.error_description).toMatch(/client_secret_basic/);
    expect(refused.json.error_description).not.toMatch(/client_secret_post or/);
  });

  it('client_secret_post only: HTTP Basic is refused, naming the method', async () => {
    const client = await createClient(server, { token_endpoint_auth_method: 'client_secret_post' });
    expect((await rawToken(client, 'post')).status).toBe(200);
    const refused = await rawToken(client, 'basic');
    expect(refused.status).toBe(401);
    expect(refused.json.error_description).toMatch(/authenticates with client_secret_post/);
  });

  it('a request without credentials is told which methods the app may use', async () => {
    const client = await createClient(server);
    const flow = await codeFor(client, await configFor(client, oidc.ClientSecretBasic(client.client_secret)));
    const response = await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: client.client_id,
        code: flow.callback.searchParams.get('code') as string,
        redirect_uri: client.redirectUri,
        code_verifier: flow.verifier,
      }),
    });
    expect(response.status).toBe(401);
    const body = (await response.json()) as { error_description: string };
    expect(body.error_description).toMatch(/client_secret_basic or client_secret_post/);
  });

  it('a suspended app is told it is suspended', async () => {
    const client = await createClient(server);
    await server.app.services.clients.update(client.client_id, { status: 'suspended' }, { actor: 'test' });
    const response = await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(client) },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'x'.repeat(43) }),
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error_description: string }).error_description).toMatch(/suspended/);
  });
});

describe('the methods through the admin API and RFC 7591', () => {
  let adminToken: string;
  beforeAll(async () => {
    const admin = await server.app.services.admins.create(
      'auth.methods@pole-emploi.example',
      'un mot de passe solide',
      {
        actor: 'test',
      },
    );
    adminToken = (await server.app.services.admins.createToken(admin.id, 'test', null, { actor: 'test' }))
      .token;
  });
  const admin = (method: string, path: string, body?: unknown) =>
    fetch(`${server.issuer}/admin/api${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, json: (await r.json()) as Record<string, unknown> }));

  it('defaults to both secret methods, restricts to one, and returns to the default with null', async () => {
    const created = await admin('POST', '/clients', {
      client_name: 'Appli méthodes',
      redirect_uris: ['https://methodes.example.fr/cb'],
      scope: 'openid profile',
    });
    expect(created.status).toBe(201);
    expect(created.json.token_endpoint_auth_methods).toEqual(['client_secret_basic', 'client_secret_post']);
    const id = created.json.client_id as string;
    const restricted = await admin('PATCH', `/clients/${id}`, {
      token_endpoint_auth_method: 'client_secret_post',
    });
    expect(restricted.status).toBe(200);
    expect(restricted.json).toMatchObject({
      token_endpoint_auth_method: 'client_secret_post',
      token_endpoint_auth_methods: ['client_secret_post'],
    });
    const back = await admin('PATCH', `/clients/${id}`, { token_endpoint_auth_method: null });
    expect(back.json.token_endpoint_auth_methods).toEqual(['client_secret_basic', 'client_secret_post']);
  });

  it('RFC 7591: a registration without a method gets both, one with a method keeps it', async () => {
    const iat = await admin('POST', '/initial-access-tokens', {});
    const register = async (extra: Record<string, unknown>) => {
      const iatValue = (await admin('POST', '/initial-access-tokens', {})).json
        .initial_access_token as string;
      const response = await fetch(`${server.issuer}/reg`, {
        method: 'POST',
        headers: { authorization: `Bearer ${iatValue}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          client_name: 'Appli enregistrée',
          redirect_uris: ['https://enregistree.example.fr/cb'],
          scope: 'openid profile',
          ...extra,
        }),
      });
      expect(response.status, await response.clone().text()).toBe(201);
      const id = ((await response.json()) as { client_id: string }).client_id;
      return (await server.app.services.clients.find(id))?.token_endpoint_auth_method;
    };
    expect(iat.status).toBe(201);
    expect(await register({})).toBeNull();
    expect(await register({ token_endpoint_auth_method: 'client_secret_basic' })).toBe('client_secret_basic');
  });
});

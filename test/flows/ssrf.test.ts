// Server-side request forgery (issue 10): in production, every way of registering an app (admin API,
// RFC 7591 /reg, and the service behind the console and the CLI) refuses a jwks_uri — the one URL
// the server fetches — on loopback, private, link-local or reserved addresses, or on a name that
// resolves to one; and the fetch itself checks the address it connects to, so a name re-pointed at
// 127.0.0.1 after registration (DNS rebinding) is refused before any connection is made. No test
// here connects to anything but this machine's loopback (and nothing does connect).
import { createServer, type Server } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuardedFetch, publicOnlyLookup } from '../../src/security/guarded-fetch.ts';
import { fetchedUrlProblem, isPublicAddress } from '../../src/security/public-address.ts';
import { PRODUCTION_SECRETS, startTestServer, type TestServer } from '../support/test-server.ts';

const PRODUCTION = {
  NODE_ENV: 'production',
  ISSUER: 'https://connect.example.test',
  TRUST_PROXY: 'true',
  ...PRODUCTION_SECRETS,
};
// The proxy in front says the request came over https (the server refuses plain http in production).
const HTTPS = { 'x-forwarded-proto': 'https' };

let server: TestServer;
let token: string;
let key: Record<string, unknown>;
beforeAll(async () => {
  server = await startTestServer(PRODUCTION);
  const admin = await server.app.services.admins.create(
    'ssrf@pole-emploi.example',
    'un mot de passe solide',
    {
      actor: 'test',
    },
  );
  token = (await server.app.services.admins.createToken(admin.id, 'test', null, { actor: 'test' })).token;
  const { publicKey } = await generateKeyPair('ES256', { extractable: true });
  key = { ...(await exportJWK(publicKey)), alg: 'ES256', use: 'sig' };
});
afterAll(() => server?.close());

const PRIVATE_URIS = [
  'https://127.0.0.1/jwks',
  'https://127.1.2.3:8443/jwks',
  'https://localhost/jwks',
  'https://[::1]/jwks',
  'https://10.1.2.3/jwks',
  'https://172.16.0.1/jwks',
  'https://192.168.1.1/jwks',
  'https://169.254.169.254/latest/meta-data',
  'https://100.64.0.1/jwks',
  'https://[fd00::1]/jwks',
  'https://[fe80::1]/jwks',
  'https://[::ffff:127.0.0.1]/jwks',
  'https://0.0.0.0/jwks',
];

const keyApp = (jwksUri: string) => ({
  client_name: 'Appli à clés',
  redirect_uris: ['https://app.example.fr/callback'],
  scope: 'openid profile',
  token_endpoint_auth_method: 'private_key_jwt',
  jwks_uri: jwksUri,
});

const adminApi = (method: string, path: string, body: unknown) =>
  fetch(`${server.url}/admin/api${path}`, {
    method,
    headers: { ...HTTPS, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('registration refuses URLs the server would fetch on non-public addresses', () => {
  it.each(PRIVATE_URIS)('admin API: %s', async (uri) => {
    const res = await adminApi('POST', '/clients', keyApp(uri));
    expect(res.status).toBe(400);
    const json = await res.json();
    expect(json.error).toBe('invalid_client_metadata');
    expect(json.error_description).toMatch(/^jwks_uri: /);
  });

  it('admin API: refuses the change of an existing app’s jwks_uri too', async () => {
    const created = await adminApi('POST', '/clients', {
      ...keyApp('https://127.0.0.1/jwks'),
      jwks_uri: undefined,
      jwks: { keys: [key] },
    });
    expect(created.status).toBe(201);
    const { client_id } = await created.json();
    const patched = await adminApi('PATCH', `/clients/${client_id}`, {
      jwks: null,
      jwks_uri: 'https://localhost/keys',
    });
    expect(patched.status).toBe(400);
    expect((await patched.json()).error_description).toMatch(/^jwks_uri: /);
    expect((await server.app.services.clients.find(client_id))?.jwks_uri).toBeNull();
  });

  it('RFC 7591 /reg: refused before the initial access token is used up', async () => {
    const iat = await adminApi('POST', '/initial-access-tokens', {});
    const { initial_access_token } = await iat.json();
    const register = (body: unknown) =>
      fetch(`${server.url}/reg`, {
        method: 'POST',
        headers: {
          ...HTTPS,
          authorization: `Bearer ${initial_access_token}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      });
    const refused = await register(keyApp('https://169.254.169.254/latest/meta-data'));
    expect(refused.status).toBe(400);
    expect((await refused.json()).error).toBe('invalid_client_metadata');
    // The same token still registers a valid app: the refusal did not use it.
    const valid = await register({ ...keyApp(''), jwks_uri: undefined, jwks: { keys: [key] } });
    expect(valid.status).toBe(201);
  });

  it('the clients service (behind the console and the CLI) refuses it too', async () => {
    await expect(
      server.app.services.clients.create(
        {
          name: 'Appli console',
          redirect_uris: ['https://app.example.fr/cb'],
          scopes: ['openid'],
          token_endpoint_auth_method: 'private_key_jwt',
          jwks_uri: 'https://192.168.0.10/jwks',
        },
        { actor: 'test' },
      ),
    ).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/^jwks_uri: /) });
  });
});

describe('the fetch checks the address it connects to', () => {
  let listener: Server;
  let port: number;
  let connections = 0;
  beforeAll(async () => {
    listener = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    port = (listener.address() as { port: number }).port;
  });
  afterAll(() => new Promise((resolve) => listener.close(resolve)));

  it('refuses an IP literal on loopback before connecting', async () => {
    const guarded = createGuardedFetch({ production: true });
    await expect(guarded(`https://127.0.0.1:${port}/jwks`, {})).rejects.toThrow(/not a public address/);
    await expect(guarded(`https://[::ffff:127.0.0.1]:${port}/jwks`, {})).rejects.toThrow(
      /not a public address/,
    );
    expect(connections).toBe(0);
  });

  it('defeats DNS rebinding: public at registration, loopback at fetch time, refused without connecting', async () => {
    let calls = 0;
    // A name that answers a public address first, then this machine's loopback.
    const rebinding = async () => [{ address: calls++ === 0 ? '93.184.215.14' : '127.0.0.1', family: 4 }];
    expect(await fetchedUrlProblem(`https://rebind.example.test:${port}/jwks`, rebinding)).toBeUndefined();
    const guarded = createGuardedFetch({ production: true, resolve: rebinding });
    const error = await guarded(`https://rebind.example.test:${port}/jwks`, {}).catch((e: Error) => e);
    expect(String((error as Error & { cause?: unknown }).cause ?? error)).toMatch(/non-public address/);
    expect(connections).toBe(0);
  });

  it('oidc-provider fetches a jwks_uri through it: a stored one that leads to loopback is refused without connecting', async () => {
    // An app whose jwks_uri was valid when registered (or written before the rule), now leading here.
    const created = await server.app.services.clients.create(
      {
        name: 'Appli à clés distantes',
        redirect_uris: ['https://app.example.fr/callback'],
        scopes: ['openid'],
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [key] },
        free_for_jobseekers: true,
        policy_uri: 'https://app.example.fr/confidentialite',
        contact_email: 'dpo@app.example.fr',
        status: 'active',
      },
      { actor: 'test' },
    );
    await server.pool.query('UPDATE clients SET jwks = NULL, jwks_uri = $2 WHERE id = $1', [
      created.client_id,
      `https://localhost:${port}/jwks`,
    ]);
    const { privateKey } = await generateKeyPair('ES256');
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer(created.client_id)
      .setSubject(created.client_id)
      .setAudience(PRODUCTION.ISSUER)
      .setJti(crypto.randomUUID())
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(privateKey);
    const res = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { ...HTTPS, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: 'whatever',
        redirect_uri: 'https://app.example.fr/callback',
        code_verifier: 'v'.repeat(43),
        client_id: created.client_id,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
      }),
    });
    expect(res.status).toBe(401);
    expect((await res.json()).error).toBe('invalid_client');
    expect(connections).toBe(0);
  });

  it('lets a public address through the lookup, and refuses a mixed answer', async () => {
    const answer = (addresses: string[]) =>
      new Promise<{ err: Error | null; address: unknown }>((resolve) =>
        publicOnlyLookup(async () =>
          addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
        )('name.example', {}, (err, address) => resolve({ err, address })),
      );
    expect(await answer(['93.184.215.14'])).toEqual({ err: null, address: '93.184.215.14' });
    expect((await answer(['93.184.215.14', '10.0.0.7'])).err?.message).toMatch(/non-public/);
    expect(isPublicAddress('2606:4700:4700::1111')).toBe(true);
    expect(isPublicAddress('fc00::1')).toBe(false);
  });
});

// In production, a push stream's endpoint is an URL the server fetches: registration refuses one on a
// loopback, private, link-local or reserved address (or a name resolving to one), and the delivery
// worker checks the address again when it connects (the SSRF guard), so a stream whose endpoint
// leads to loopback records the refusal as its error without any connection being made. Also: an
// app that authenticates with private_key_jwt manages its stream with a client assertion, used once.
import { createServer, type Server } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, createJobseeker } from '../support/factories.ts';
import { PRODUCTION_SECRETS, startTestServer, type TestServer } from '../support/test-server.ts';

const PUSH = 'urn:ietf:rfc:8935';
const SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
const HTTPS = { 'x-forwarded-proto': 'https' };

let server: TestServer;
let listener: Server;
let port: number;
let connections = 0;
beforeAll(async () => {
  server = await startTestServer({
    NODE_ENV: 'production',
    ISSUER: 'https://connect.example.test',
    TRUST_PROXY: 'true',
    ...PRODUCTION_SECRETS,
    SSF_DELIVERY_INTERVAL_MS: '0',
  });
  listener = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  port = (listener.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((resolve) => listener.close(resolve));
  await server?.close();
});

const app = () =>
  createClient(server, {
    redirect_uris: ['https://app.example.fr/callback'],
    post_logout_redirect_uris: [],
    scopes: ['openid', 'competences'],
  });
const basic = (c: { client_id: string; client_secret: string }) =>
  `Basic ${Buffer.from(`${c.client_id}:${c.client_secret}`).toString('base64')}`;
const streams = (auth: Record<string, string>, body: unknown) =>
  fetch(`${server.url}/ssf/streams`, {
    method: 'POST',
    headers: { ...HTTPS, ...auth, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('push endpoints in production', () => {
  it.each([
    'https://127.0.0.1/events',
    'https://localhost/events',
    'https://10.1.2.3/events',
    'https://169.254.169.254/latest',
    'https://[::1]/events',
    'http://app.example.fr/events',
  ])('refuses %s at registration', async (endpoint) => {
    const client = await app();
    const response = await streams(
      { authorization: basic(client) },
      { delivery: { method: PUSH, endpoint_url: endpoint }, events_requested: [SESSION_REVOKED] },
    );
    expect(response.status).toBe(400);
    expect((await response.json()).error_description).toMatch(/^delivery\.endpoint_url /);
  });

  it('refuses, when connecting, an endpoint that leads to loopback: no connection, the error recorded', async () => {
    const client = await app();
    // As if registered while the name led elsewhere (the guard is what stands in the way now).
    await server.pool.query(
      `INSERT INTO ssf_streams (client_id, delivery_method, endpoint_url, events_delivered)
       VALUES ($1, $2, $3, $4)`,
      [client.client_id, PUSH, `https://127.0.0.1:${port}/events`, [SESSION_REVOKED]],
    );
    const jobseeker = await createJobseeker(server);
    // A live consent (its page is not the point here): the suspension then has someone to tell.
    await server.pool.query(
      `INSERT INTO consent_texts (hash, texts) VALUES ('ssrf-test', '{}') ON CONFLICT DO NOTHING`,
    );
    await server.pool.query(
      `INSERT INTO consents (jobseeker_id, client_id, status, fields, texts_hash, granted_at, expires_at)
       VALUES ($1, $2, 'active', '{openid.sub}', 'ssrf-test', now(), now() + interval '1 day')`,
      [jobseeker.id, client.client_id],
    );
    await server.app.services.clients.update(client.client_id, { status: 'suspended' }, { actor: 'test' });
    await server.app.services.delivery.runOnce();
    const [state] = await server.app.services.ssfStates(client.client_id);
    expect(state).toMatchObject({ pending: 1, delivered: 0, failures: 1 });
    expect(state?.last_error).toMatch(/not a public address/);
    expect(connections).toBe(0);
  });
});

describe('private_key_jwt', () => {
  it('authenticates the app with a client assertion signed by its key, each assertion used once', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), alg: 'ES256', use: 'sig', kid: 'k1' };
    const client = await createClient(server, {
      redirect_uris: ['https://app.example.fr/callback'],
      post_logout_redirect_uris: [],
      scopes: ['openid', 'competences'],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [jwk] },
    });
    const assertion = (jti: string, aud = 'https://connect.example.test') =>
      new SignJWT({ jti })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setIssuer(client.client_id)
        .setSubject(client.client_id)
        .setAudience(aud)
        .setIssuedAt()
        .setExpirationTime('2m')
        .sign(privateKey);
    const body = (a: string) => ({
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: a,
      delivery: { method: 'urn:ietf:rfc:8936' },
      events_requested: [SESSION_REVOKED],
    });
    const once = await assertion('a-1');
    expect((await streams({}, body(once))).status).toBe(201);
    // Replayed, for another audience, or with a secret instead: refused.
    expect((await streams({}, body(once))).status).toBe(401);
    expect((await streams({}, body(await assertion('a-2', 'https://elsewhere.example')))).status).toBe(401);
    const secret = await streams(
      { authorization: basic({ client_id: client.client_id, client_secret: 'x' }) },
      {},
    );
    expect(secret.status).toBe(401);
    expect((await secret.json()).error_description).toContain('private_key_jwt');
  });
});

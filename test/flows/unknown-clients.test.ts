// Pending and suspended apps do not exist for oidc-provider (src/oidc/provider-client-metadata.ts):
// an authorization request for one gets the unknown-client answer (invalid_client), as for an id
// that was never registered, and so does its use of the token and PAR endpoints.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { UserAgent } from '../support/user-agent.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

async function authorization(clientId: string, redirectUri: string) {
  const url = new URL('/auth', server.issuer);
  url.search = new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: 'openid',
    state: 'etat',
    code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
    code_challenge_method: 'S256',
  }).toString();
  const res = await new UserAgent().request(url, { headers: { accept: 'text/html' } });
  return { status: res.status, location: res.headers.get('location'), html: await res.text() };
}

async function pushed(clientId: string, secret: string, redirectUri: string) {
  const res = await fetch(new URL('/request', server.issuer), {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ response_type: 'code', redirect_uri: redirectUri, scope: 'openid' }),
  });
  return { status: res.status, json: (await res.json()) as { error?: string } };
}

// The page an invalid_client error at /auth renders (src/http/error-pages.ts).
const UNKNOWN_CLIENT = '<h1>Application inconnue</h1>';

describe('apps that are not active are unknown to oidc-provider', () => {
  it('answers a never-registered id with the unknown-client page (the reference)', async () => {
    const page = await authorization('jamais-enregistree', 'http://127.0.0.1:9/cb');
    expect(page.status).toBe(400);
    expect(page.location).toBeNull();
    expect(page.html).toContain(UNKNOWN_CLIENT);
  });

  for (const status of ['pending', 'suspended'] as const) {
    it(`answers a ${status} app the same: invalid_client, at /auth and at PAR`, async () => {
      const client = await createClient(server, { status: 'active' });
      await server.app.services.clients.update(client.client_id, { status }, { actor: 'system' });
      const page = await authorization(client.client_id, client.redirectUri);
      expect(page.status).toBe(400);
      expect(page.location).toBeNull();
      // The page names the app's state (src/oidc/provider-pages.ts); the error is oidc-provider's own.
      expect(page.html).toMatch(/n’est pas (reconnue|autorisée)/);
      expect(page.html).not.toContain('Se connecter');
      const par = await pushed(client.client_id, client.client_secret, client.redirectUri);
      expect(par.status).toBe(401);
      expect(par.json.error).toBe('invalid_client');

      // The same app once active is known: the request reaches the sign-in page.
      await server.app.services.clients.update(client.client_id, { status: 'active' }, { actor: 'system' });
      const known = await authorization(client.client_id, client.redirectUri);
      expect(known.status).toBe(303);
      expect(known.html).not.toContain(UNKNOWN_CLIENT);
    });
  }
});

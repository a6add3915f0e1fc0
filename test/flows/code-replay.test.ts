// Authorization code misuse over HTTP (RFC 9700 §2.1.1, §4.5): a code is redeemed once, by its own
// client, with its PKCE verifier and redirect URI; replaying it revokes what it gave. PKCE S256 is
// required, and a redirect URI must match a registered one exactly or no redirect happens at all.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedId } from '../../src/oidc/hashed-ids.ts';
import { authorize, discover } from '../support/authorize.ts';
import { createClient, createJobseeker } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
let jobseeker: Awaited<ReturnType<typeof createJobseeker>>;
beforeAll(async () => {
  server = await startTestServer();
  jobseeker = await createJobseeker(server);
});
afterAll(() => server?.close());

const SCOPE = 'openid competences';
type Client = Awaited<ReturnType<typeof createClient>>;

async function issueCode(client: Client) {
  const config = await discover(server.issuer, client.client_id, client.client_secret);
  const flow = await authorize({
    config,
    redirectUri: client.redirectUri,
    scope: SCOPE,
    login: jobseeker,
    fields: ['competences.code'],
  });
  const code = flow.callback.searchParams.get('code');
  if (!code) throw new Error(`no code in ${flow.callback.href}`);
  return { code, verifier: flow.verifier };
}

function redeem(
  client: Pick<Client, 'client_id' | 'client_secret'>,
  params: { code: string; redirect_uri: string; code_verifier: string },
) {
  const basic = Buffer.from(
    `${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret)}`,
  ).toString('base64');
  return fetch(`${server.issuer}/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      resource: `${server.issuer}/api`,
      ...params,
    }),
  });
}

const callApi = (token: string) =>
  fetch(`${server.issuer}/api/v1/competences`, { headers: { authorization: `Bearer ${token}` } });

describe('authorization code redemption', () => {
  it('honours one of 20 parallel redemptions and revokes what it issued', async () => {
    const client = await createClient(server);
    const { code, verifier } = await issueCode(client);
    const params = { code, redirect_uri: client.redirectUri, code_verifier: verifier };
    const responses = await Promise.all(Array.from({ length: 20 }, () => redeem(client, params)));
    const bodies = await Promise.all(responses.map((r) => r.json() as Promise<Record<string, string>>));

    const winners = bodies.filter((_, i) => responses[i]?.status === 200);
    expect(winners).toHaveLength(1);
    const losers = responses.filter((r) => r.status !== 200);
    expect(losers).toHaveLength(19);
    for (const [i, response] of responses.entries()) {
      if (response.status === 200) continue;
      expect(response.status).toBe(400);
      expect(bodies[i]?.error).toBe('invalid_grant');
    }

    const accessToken = winners[0]?.access_token as string;
    expect(accessToken).toBeTruthy();
    const api = await callApi(accessToken);
    expect(api.status).toBe(401);
    expect(api.headers.get('www-authenticate')).toContain('invalid_token');
  });

  it('revokes the first token when the code is replayed later', async () => {
    const client = await createClient(server);
    const { code, verifier } = await issueCode(client);
    const params = { code, redirect_uri: client.redirectUri, code_verifier: verifier };
    const first = await redeem(client, params);
    expect(first.status).toBe(200);
    const { access_token: accessToken } = await first.json();
    expect((await callApi(accessToken)).status).toBe(200);

    const replay = await redeem(client, params);
    expect(replay.status).toBe(400);
    expect((await replay.json()).error).toBe('invalid_grant');
    expect((await callApi(accessToken)).status).toBe(401);
  });

  // A losing redemption can delete the grant before the winner has saved its token; the token is then
  // left without a grant and must not be honoured.
  it('refuses a token whose grant is gone', async () => {
    const client = await createClient(server);
    const { code, verifier } = await issueCode(client);
    const response = await redeem(client, {
      code,
      redirect_uri: client.redirectUri,
      code_verifier: verifier,
    });
    const { access_token: accessToken } = await response.json();
    expect((await callApi(accessToken)).status).toBe(200);
    const deleted = await server.pool.query(
      `DELETE FROM oidc_models WHERE model = 'Grant'
          AND id = (SELECT grant_id FROM oidc_models WHERE model = 'AccessToken' AND id = $1)`,
      [storedId('AccessToken', accessToken)],
    );
    expect(deleted.rowCount).toBe(1);
    expect((await callApi(accessToken)).status).toBe(401);
  });

  it('refuses a wrong code_verifier', async () => {
    const client = await createClient(server);
    const { code } = await issueCode(client);
    const response = await redeem(client, {
      code,
      redirect_uri: client.redirectUri,
      code_verifier: oidc.randomPKCECodeVerifier(),
    });
    expect(response.status).toBe(400);
    expect((await response.json()).error).toBe('invalid_grant');
  });

  it("refuses a code presented with another client's credentials", async () => {
    const client = await createClient(server);
    const thief = await createClient(server, { redirect_uris: [client.redirectUri] });
    const { code, verifier } = await issueCode(client);
    const response = await redeem(thief, { code, redirect_uri: client.redirectUri, code_verifier: verifier });
    expect(response.status).toBe(400);
    expect((await response.json()).error).toBe('invalid_grant');
  });

  it('refuses a redirect_uri other than the one the code was issued for', async () => {
    const first = `http://127.0.0.1:9/cb-first-${Date.now()}`;
    const client = await createClient(server, { redirect_uris: [first, `${first}-other`] });
    const { code, verifier } = await issueCode(client);
    const response = await redeem(client, { code, redirect_uri: `${first}-other`, code_verifier: verifier });
    expect(response.status).toBe(400);
    expect((await response.json()).error).toBe('invalid_grant');
  });
});

describe('authorization request checks', () => {
  function authorizationUrl(client: Client, params: Record<string, string>) {
    const url = new URL(`${server.issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: client.client_id,
      response_type: 'code',
      scope: SCOPE,
      state: 'some-state',
      redirect_uri: client.redirectUri,
      ...params,
    }).toString();
    return url;
  }
  const challenge = oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier());

  async function errorRedirect(client: Client, params: Record<string, string>) {
    const response = await fetch(authorizationUrl(client, params), { redirect: 'manual' });
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get('location') as string);
    expect(location.href.startsWith(client.redirectUri)).toBe(true);
    expect(location.searchParams.get('code')).toBeNull();
    return location.searchParams;
  }

  it('refuses a request without code_challenge with an invalid_request redirect', async () => {
    const client = await createClient(server);
    const params = await errorRedirect(client, {});
    expect(params.get('error')).toBe('invalid_request');
    expect(params.get('state')).toBe('some-state');
  });

  it('refuses code_challenge_method=plain', async () => {
    const client = await createClient(server);
    const verifier = oidc.randomPKCECodeVerifier();
    const params = await errorRedirect(client, { code_challenge: verifier, code_challenge_method: 'plain' });
    expect(params.get('error')).toBe('invalid_request');
  });

  it('accepts the same request with S256 (the checks above are not refusing everything)', async () => {
    const client = await createClient(server);
    const response = await fetch(
      authorizationUrl(client, { code_challenge: await challenge, code_challenge_method: 'S256' }),
      { redirect: 'manual' },
    );
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toMatch(/^\/interaction\//);
  });

  it('shows an error page, without redirecting, for any redirect_uri not registered verbatim', async () => {
    const registered = `http://localhost:9/Callback-${Date.now()}`;
    const client = await createClient(server, { redirect_uris: [registered] });
    const path = new URL(registered).pathname;
    const variants = [
      `${registered}/`,
      registered.replace('localhost', 'LOCALHOST'),
      registered.replace(path, path.toLowerCase()),
      `${registered}?extra=1`,
      registered.replace('localhost', 'evil.example'),
    ];
    for (const redirectUri of variants) {
      const url = authorizationUrl(client, {
        redirect_uri: redirectUri,
        code_challenge: await challenge,
        code_challenge_method: 'S256',
      });
      const response = await fetch(url, { redirect: 'manual' });
      expect(response.status, redirectUri).toBe(400);
      expect(response.headers.get('location'), redirectUri).toBeNull();
      expect(await response.text()).toContain('invalid_redirect_uri');
    }
  });
});

// Revocation (RFC 7009), introspection (RFC 7662) and RP-initiated logout, as a client sees them.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discover } from '../support/authorize.ts';
import { createClient } from '../support/factories.ts';
import { apiGet, grantedApp } from '../support/grant.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const signedIn = (scope = 'openid profile offline_access competences') =>
  grantedApp(server, { scope, fields: ['profile.given_name', 'competences.code'] });

type SignedIn = Awaited<ReturnType<typeof signedIn>>;

// RP-initiated logout through the confirmation page, as the jobseeker's browser does it.
async function logOut({ config, tokens, flow }: Pick<SignedIn, 'config' | 'tokens' | 'flow'>) {
  const url = oidc.buildEndSessionUrl(config, {
    id_token_hint: tokens.id_token as string,
    post_logout_redirect_uri: 'http://127.0.0.1:9/after-logout',
    state: 'bye',
  });
  const page = await flow.agent.request(url);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain('Se déconnecter');
  const action =
    /<form[^>]*id="op.logoutForm"[^>]*action="([^"]+)"/.exec(html)?.[1] ??
    /action="([^"]+)"[^>]*id="op.logoutForm"/.exec(html)?.[1];
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
  expect(action && xsrf).toBeTruthy();
  return flow.agent.follow(
    new URL(action as string, server.issuer),
    {
      method: 'POST',
      body: new URLSearchParams({ xsrf: xsrf as string, logout: 'yes' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    },
    'http://127.0.0.1:9/',
  );
}

describe('token management', () => {
  it('introspects a live token as active, and not for another client', async () => {
    const { config, tokens } = await signedIn();
    const own = await oidc.tokenIntrospection(config, tokens.access_token);
    expect(own.active).toBe(true);
    // One token for userinfo and the API (src/oidc/one-token.ts): no audience, and its scope lists
    // the identity scopes and the data scopes it covers.
    expect(own.aud).toBeUndefined();
    expect(new Set((own.scope as string).split(' '))).toEqual(
      new Set(['openid', 'profile', 'offline_access', 'competences']),
    );
    expect(own.api_scope).toBeUndefined();

    const other = await createClient(server);
    const otherConfig = await discover(server.issuer, other.client_id, other.client_secret);
    expect((await oidc.tokenIntrospection(otherConfig, tokens.access_token)).active).toBe(false);
  });

  it('revokes a refresh token: it can no longer be used, and its access tokens stop working', async () => {
    const { config, tokens } = await signedIn();
    await oidc.tokenRevocation(config, tokens.refresh_token as string);
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token as string)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    const api = await fetch(`${server.issuer}/api/v1/competences`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(api.status).toBe(401);
  });

  it('refuses a refresh token presented by another client', async () => {
    const { tokens } = await signedIn();
    const other = await createClient(server);
    const otherConfig = await discover(server.issuer, other.client_id, other.client_secret);
    await expect(oidc.refreshTokenGrant(otherConfig, tokens.refresh_token as string)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('refuses a refresh asking for a wider scope than granted', async () => {
    const { config, tokens } = await signedIn();
    await expect(
      oidc.refreshTokenGrant(config, tokens.refresh_token as string, { scope: 'openid profile email' }),
    ).rejects.toMatchObject({ error: 'invalid_scope' });
  });

  it('logs out only after a confirmation POST, then returns to the registered URI', async () => {
    const { config, tokens, flow } = await signedIn();
    const done = await logOut({ config, tokens, flow });
    expect(done.url.href).toBe('http://127.0.0.1:9/after-logout?state=bye');
  });

  // oidc-provider's default: without offline_access, tokens end with the browser session. Logging out
  // also revokes such a grant, so the session's own end is what is tested here: its row expires.
  it('ends the API tokens of an app without offline access with the session; offline access outlives it', async () => {
    const online = await signedIn('openid profile competences');
    const offline = await signedIn('openid profile offline_access competences');
    for (const app of [online, offline]) {
      expect((await apiGet(server, app.tokens.access_token, 'competences')).status).toBe(200);
      const ended = await server.pool.query(
        `UPDATE oidc_models SET expires_at = now() - interval '1 second'
          WHERE model = 'Session' AND payload->>'accountId' = $1`,
        [app.jobseeker.id],
      );
      expect(ended.rowCount).toBe(1);
    }
    const refused = await apiGet(server, online.tokens.access_token, 'competences');
    expect(refused.status).toBe(401);
    expect((await refused.json()).error_description).toMatch(/session/);
    expect((await apiGet(server, offline.tokens.access_token, 'competences')).status).toBe(200);
  });

  it('does not redirect to an unregistered post_logout_redirect_uri', async () => {
    const { config, tokens, flow } = await signedIn();
    const url = oidc.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token as string,
      post_logout_redirect_uri: 'https://evil.example/',
    });
    const res = await flow.agent.request(url);
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });
});

// What a copy of the database is worth to whoever steals it: no bearer value oidc-provider issued
// (access and refresh tokens, authorization codes, initial access tokens, pushed request ids, the
// browser's session and interaction ids) appears in it, as a row id or anywhere in a payload; and
// every one of them still works when presented, through a real flow over HTTP.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchange, grantedApp } from '../support/grant.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const cookie = (header: string, name: string) =>
  header
    .split('; ')
    .find((c) => c.startsWith(`${name}=`))
    ?.slice(name.length + 1);

/** Every row of oidc_models as text: its id, its lookup columns and its payload. */
async function dump(): Promise<string[]> {
  const { rows } = await server.pool.query<{ row: string }>(
    'SELECT concat_ws(\' \', model, id, uid, grant_id, user_code, payload::text) AS "row" FROM oidc_models',
  );
  return rows.map((r) => r.row);
}

describe('tokens at rest', () => {
  it('stores no issued value in clear, and every value still works', async () => {
    const app = await grantedApp(server, {
      scope: 'openid profile offline_access competences',
      fields: ['profile.given_name', 'competences.code'],
    });
    const { tokens, flow, config } = app;
    const code = flow.callback.searchParams.get('code') as string;
    const session = cookie(flow.agent.cookieHeader(new URL(server.issuer)), '_session') as string;
    const interaction = /\/interaction\/([^/"]+)\/login/.exec(flow.pages[0] as string)?.[1] as string;
    const initialAccessToken = await new server.app.provider.InitialAccessToken({
      expiresIn: 600,
      policies: ['single-use'],
    }).save();
    const par = await oidc.buildAuthorizationUrlWithPAR(config, {
      redirect_uri: app.client.redirectUri,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const requestUri = (par.searchParams.get('request_uri') as string).split(':').at(-1) as string;

    const secrets = {
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token as string,
      code,
      session,
      interaction,
      initialAccessToken,
      requestUri,
    };
    for (const [name, value] of Object.entries(secrets)) expect(value, name).toMatch(/^[\w-]{16,}$/);
    const rows = await dump();
    const models = new Set(rows.map((r) => r.split(' ')[0]));
    for (const model of [
      'AccessToken',
      'RefreshToken',
      'AuthorizationCode',
      'Session',
      'InitialAccessToken',
      'PushedAuthorizationRequest',
    ]) {
      expect(models, model).toContain(model);
    }
    for (const [name, value] of Object.entries(secrets)) {
      expect(
        rows.filter((r) => r.includes(value)),
        `${name} is in the database`,
      ).toEqual([]);
    }

    // Each value still does its job when presented.
    const api = await fetch(`${server.issuer}/api/v1/competences`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(api.status).toBe(200);
    expect((await oidc.tokenIntrospection(config, tokens.access_token)).active).toBe(true);
    // The code was used once: presenting it again is refused (and revokes what it gave).
    await expect(exchange(server, config, flow)).rejects.toMatchObject({ error: 'invalid_grant' });
    const registered = await fetch(`${server.issuer}/reg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${initialAccessToken}` },
      body: JSON.stringify({
        client_name: 'Registered',
        redirect_uris: ['https://rp.example/cb'],
        scope: 'openid',
      }),
    });
    expect(registered.status, await registered.clone().text()).toBe(201);
  });

  it('keeps a refresh token and the browser session usable under their hashes', async () => {
    const app = await grantedApp(server, {
      scope: 'openid profile offline_access competences',
      fields: ['profile.given_name', 'competences.code'],
    });
    const refreshed = await oidc.refreshTokenGrant(app.config, app.tokens.refresh_token as string);
    expect(refreshed.access_token).toBeTruthy();
    const rows = await dump();
    expect(rows.filter((r) => r.includes(refreshed.refresh_token as string))).toEqual([]);
    expect(rows.filter((r) => r.includes(refreshed.access_token))).toEqual([]);
    // The provider session found by its cookie: a second authorization skips the login page.
    const again = await oidc.buildAuthorizationUrl(app.config, {
      redirect_uri: app.client.redirectUri,
      scope: 'openid profile competences',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      prompt: 'none',
    });
    const { url } = await app.flow.agent.follow(again, {}, app.client.redirectUri);
    expect(url.searchParams.get('code'), url.href).toBeTruthy();
  });
});

// Userinfo decides from what is true at the moment of the request: the token, its grant, the browser
// session it may be bound to, the app's status and the jobseeker's live consent. Since the token's
// lookup reads the grant, the session and the app in the same statement (src/oidc/request-prefetch.ts),
// each of them is changed here between two calls with the same token.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedId } from '../../src/oidc/hashed-ids.ts';
import { grantedApp } from '../support/grant.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const FIELDS = ['profile.given_name', 'email.email'];

// A sign-in whose code is redeemed for userinfo (no `resource`).
async function signedIn(scope: string) {
  const { jobseeker, client, config, tokens } = await grantedApp(server, {
    scope,
    fields: FIELDS,
    resource: false,
  });
  const sub = tokens.claims()?.sub as string;
  const userinfo = () =>
    fetch(`${server.issuer}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
  expect(await oidc.fetchUserInfo(config, tokens.access_token, sub)).toEqual({
    sub,
    given_name: (jobseeker.claims as Record<string, unknown>).given_name,
    email: (jobseeker.claims as Record<string, unknown>).email,
  });
  return { jobseeker, client, config, tokens, sub, userinfo };
}

describe('userinfo, call after call with the same token', () => {
  it('releases only the fields consented to at this moment', async () => {
    const { jobseeker, client, userinfo, sub } = await signedIn('openid profile email');
    await server.pool.query(
      `UPDATE consents SET fields = array_remove(fields, 'email.email')
        WHERE jobseeker_id = $1 AND client_id = $2`,
      [jobseeker.id, client.client_id],
    );
    const answer = await userinfo();
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({
      sub,
      given_name: (jobseeker.claims as Record<string, unknown>).given_name,
    });
  });

  it('refuses the token once the app is suspended, and again once it is active', async () => {
    const { client, userinfo } = await signedIn('openid profile email');
    await server.pool.query(`UPDATE clients SET status = 'suspended' WHERE id = $1`, [client.client_id]);
    expect((await userinfo()).status).toBe(401);
    await server.pool.query(`UPDATE clients SET status = 'active' WHERE id = $1`, [client.client_id]);
    expect((await userinfo()).status).toBe(200);
  });

  it('refuses the token once its grant is gone', async () => {
    const { tokens, userinfo } = await signedIn('openid profile email offline_access');
    const { rows } = await server.pool.query(
      `SELECT payload->>'grantId' AS grant_id FROM oidc_models WHERE model = 'AccessToken' AND id = $1`,
      [storedId('AccessToken', tokens.access_token)],
    );
    const deleted = await server.pool.query(`DELETE FROM oidc_models WHERE model = 'Grant' AND id = $1`, [
      rows[0].grant_id,
    ]);
    expect(deleted.rowCount).toBe(1);
    expect((await userinfo()).status).toBe(401);
  });

  it('refuses a token bound to the session once the session has ended; offline access outlives it', async () => {
    const online = await signedIn('openid profile email');
    const offline = await signedIn('openid profile email offline_access');
    for (const app of [online, offline]) {
      const ended = await server.pool.query(
        `UPDATE oidc_models SET expires_at = now() - interval '1 second'
          WHERE model = 'Session' AND payload->>'accountId' = $1`,
        [app.jobseeker.id],
      );
      expect(ended.rowCount).toBe(1);
    }
    expect((await online.userinfo()).status).toBe(401);
    expect((await offline.userinfo()).status).toBe(200);
  });
});

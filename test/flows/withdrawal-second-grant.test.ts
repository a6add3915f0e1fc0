// Two first authorizations of one (jobseeker, app) pair, racing: each consent page was shown before
// any consent existed, and both decisions read the consent before either linked its Grant, so each
// built a Grant of its own and only the last one ended up in consents.grant_id. A withdrawal must still
// stop every token of the pair, the stray Grant's included, and a later consent must not bring any of
// them back (consent-changes.ts deletes by the pair, not only by the linked Grant).
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize, discover } from '../support/authorize.ts';
import { createClient, createJobseeker } from '../support/factories.ts';
import { apiGet, exchange } from '../support/grant.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { formAction, UserAgent } from '../support/user-agent.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const SCOPE = 'openid offline_access competences';
const FIELDS = ['competences.libelle'];

/** Starts an authorization and signs in: the consent page, not answered yet. */
async function atConsentPage(
  config: oidc.Configuration,
  redirectUri: string,
  login: { login: string; password: string },
) {
  const agent = new UserAgent();
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: SCOPE,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const first = await agent.follow(url, {}, redirectUri);
  const loginHtml = await first.response.text();
  const page = await agent.submit(
    first.url,
    loginHtml,
    formAction(loginHtml, '/login'),
    [
      ['login', login.login],
      ['password', login.password],
    ],
    redirectUri,
  );
  const html = await page.response.text();
  expect(html).toContain('/consent');
  return {
    /** Answers the page: back at the app with a code, as authorize() returns it. */
    async answer() {
      const back = await agent.submit(
        page.url,
        html,
        formAction(html, '/consent'),
        FIELDS.map((f) => ['fields', f] as [string, string]),
        redirectUri,
      );
      return { callback: back.url, response: back.response, verifier, state, nonce, agent, pages: [html] };
    },
  };
}

async function revokeAllInAccount(jobseeker: { login: string; password: string }) {
  const agent = new UserAgent();
  const login = await agent.follow(`${server.issuer}/account/consents`);
  const loginHtml = await login.response.text();
  const consents = await agent.submit(login.url, loginHtml, formAction(loginHtml, '/account/login'), [
    ['login', jobseeker.login],
    ['password', jobseeker.password],
    ['retour', '/account/consents'],
  ]);
  const consentsHtml = await consents.response.text();
  const confirm = await agent.submit(consents.url, consentsHtml, '/account/consents/revoke-all', []);
  const done = await agent.submit(
    confirm.url,
    await confirm.response.text(),
    '/account/consents/revoke-all',
    [['confirm', 'yes']],
  );
  expect(done.url.searchParams.get('ok')).toBe('all-revoked');
}

describe('a withdrawal after two racing first authorizations', () => {
  it('stops the tokens of both Grants, and a later consent brings none of them back', async () => {
    const jobseeker = await createJobseeker(server);
    const client = await createClient(server);
    const config = await discover(server.issuer, client.client_id, client.client_secret);
    // Both pages are shown before any consent exists.
    const [a, b] = await Promise.all([
      atConsentPage(config, client.redirectUri, jobseeker),
      atConsentPage(config, client.redirectUri, jobseeker),
    ]);
    const tokensA = await exchange(server, config, await a.answer());
    // The race's interleaving, pinned: B's decision reads the consent before A's link was written
    // (write 3 of consent-grant.ts), so it builds a Grant of its own and links that one instead.
    await server.pool.query(
      'UPDATE consents SET grant_id = NULL WHERE jobseeker_id = $1 AND client_id = $2',
      [jobseeker.id, client.client_id],
    );
    const tokensB = await exchange(server, config, await b.answer());

    const grants = await server.pool.query<{ id: string }>(
      `SELECT id FROM oidc_models
        WHERE model = 'Grant' AND payload->>'accountId' = $1 AND payload->>'clientId' = $2`,
      [jobseeker.id, client.client_id],
    );
    expect(grants.rowCount).toBe(2);
    const linked = await server.pool.query('SELECT grant_id FROM consents WHERE jobseeker_id = $1', [
      jobseeker.id,
    ]);
    expect(grants.rows.map((g) => g.id)).toContain(linked.rows[0]?.grant_id);
    for (const tokens of [tokensA, tokensB]) {
      expect(tokens.refresh_token).toBeTruthy();
      expect((await apiGet(server, tokens.access_token, 'competences')).status).toBe(200);
    }

    await revokeAllInAccount(jobseeker);
    const stopped = async () => {
      for (const tokens of [tokensA, tokensB]) {
        expect((await apiGet(server, tokens.access_token, 'competences')).status).toBe(401);
        await expect(oidc.refreshTokenGrant(config, tokens.refresh_token as string)).rejects.toMatchObject({
          error: 'invalid_grant',
        });
      }
    };
    await stopped();
    const left = await server.pool.query(
      `SELECT model FROM oidc_models
        WHERE model IN ('Grant', 'AccessToken', 'RefreshToken')
          AND payload->>'accountId' = $1 AND payload->>'clientId' = $2`,
      [jobseeker.id, client.client_id],
    );
    expect(left.rows).toEqual([]);

    // The jobseeker agrees again: the new consent has its own tokens, and the old ones stay dead.
    const again = await authorize({
      config,
      redirectUri: client.redirectUri,
      scope: SCOPE,
      login: jobseeker,
      fields: FIELDS,
    });
    const fresh = await exchange(server, config, again);
    expect((await apiGet(server, fresh.access_token, 'competences')).status).toBe(200);
    await stopped();
  });
});

// The third-party app's view, through openid-client: discovery → authorize with PKCE → login →
// consent with a subset of fields → token → ID token, userinfo and each data scope return exactly
// the subset → refresh.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize, discover } from '../support/authorize.ts';
import { createClient, createJobseeker } from '../support/factories.ts';
import { authorizedApp } from '../support/grant.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const SCOPE = 'openid profile email offline_access statut competences langues';
const TICKED = [
  'profile.given_name',
  'email.email',
  'statut.libelleStatutIndividu',
  'competences.code',
  'competences.libelle',
];

describe('authorization code flow with a subset of fields', () => {
  it('releases exactly the ticked fields everywhere, and keeps doing so after a refresh', async () => {
    const jobseeker = await createJobseeker(server);
    const profile = jobseeker.claims as Record<string, unknown>;
    const client = await createClient(server);
    const config = await discover(server.issuer, client.client_id, client.client_secret);
    expect(config.serverMetadata().code_challenge_methods_supported).toEqual(['S256']);
    expect(config.serverMetadata().authorization_response_iss_parameter_supported).toBe(true);

    // prompt=consent as a careful app may send it (OIDC Core §11); it need not (grant-follows-consent.test.ts).
    const flow = await authorize({
      config,
      redirectUri: client.redirectUri,
      scope: SCOPE,
      login: jobseeker,
      fields: TICKED,
      extra: { prompt: 'consent' },
    });
    expect(flow.callback.searchParams.get('iss')).toBe(server.issuer);
    const consentPage = flow.pages[1] as string;
    expect(consentPage).toContain('name="fields"');
    expect(consentPage).not.toMatch(/<input[^>]*name="fields"[^>]*checked/);

    const api = `${server.issuer}/api`;
    const tokens = await oidc.authorizationCodeGrant(
      config,
      flow.callback,
      { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce },
      { resource: api },
    );
    // The token serves userinfo and the resource API alike (src/oidc/one-token.ts), so its scope lists
    // the identity scopes and the data scopes with at least one granted field; langues had none ticked.
    expect(new Set(tokens.scope?.split(' '))).toEqual(
      new Set(['openid', 'offline_access', 'profile', 'email', 'statut', 'competences']),
    );

    const claims = tokens.claims() as Record<string, unknown>;
    expect(claims.given_name).toBe(profile.given_name);
    expect(claims.email).toBe(profile.email);
    for (const absent of [
      'family_name',
      'gender',
      'birthdate',
      'email_verified',
      'phone_number',
      'address',
    ]) {
      expect(claims).not.toHaveProperty(absent);
    }
    expect(claims.sub).not.toBe(jobseeker.id);

    const get = (token: string, path: string) =>
      fetch(`${api}/v1/${path}`, { headers: { authorization: `Bearer ${token}` } });

    const competences = await (await get(tokens.access_token, 'competences')).json();
    const expected = (jobseeker.data.competences as { code: string; libelle: string }[]).map(
      ({ code, libelle }) => ({ code, libelle }),
    );
    expect(competences).toEqual(expected);
    // The code of the situation travels with its label (scopes/statut.yaml).
    const statut = jobseeker.data.statut as { codeStatutIndividu: string; libelleStatutIndividu: string };
    expect(await (await get(tokens.access_token, 'statut')).json()).toEqual({
      codeStatutIndividu: statut.codeStatutIndividu,
      libelleStatutIndividu: statut.libelleStatutIndividu,
    });
    const langues = await get(tokens.access_token, 'langues');
    expect(langues.status).toBe(403);
    expect(langues.headers.get('www-authenticate')).toContain('insufficient_scope');

    const grant = await (await get(tokens.access_token, 'consent')).json();
    expect(grant.client_id).toBe(client.client_id);
    expect(grant.fields).toEqual([...TICKED, 'statut.codeStatutIndividu', 'openid.sub'].sort());

    // A refresh without `resource` gives the same kind of token: the same subset at userinfo and at
    // the API.
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token as string);
    expect(new Set(refreshed.scope?.split(' '))).toEqual(
      new Set(['openid', 'profile', 'email', 'offline_access', 'statut', 'competences']),
    );
    const userinfo = await oidc.fetchUserInfo(config, refreshed.access_token, claims.sub as string);
    expect(userinfo).toEqual({ sub: claims.sub, given_name: profile.given_name, email: profile.email });
    expect(await (await get(refreshed.access_token, 'competences')).json()).toEqual(expected);

    // And a refresh with `resource` too.
    const again = await oidc.refreshTokenGrant(config, refreshed.refresh_token as string, {
      resource: api,
    });
    expect(await (await get(again.access_token, 'competences')).json()).toEqual(expected);
    expect((await oidc.fetchUserInfo(config, again.access_token, claims.sub as string)).email).toBe(
      profile.email,
    );
  });

  it('returns access_denied with iss and state when the jobseeker refuses', async () => {
    const jobseeker = await createJobseeker(server);
    const client = await createClient(server);
    const config = await discover(server.issuer, client.client_id, client.client_secret);
    const flow = await authorize({
      config,
      redirectUri: client.redirectUri,
      scope: SCOPE,
      login: jobseeker,
      refuse: true,
    });
    expect(flow.callback.searchParams.get('error')).toBe('access_denied');
    expect(flow.callback.searchParams.get('state')).toBe(flow.state);
    expect(flow.callback.searchParams.get('iss')).toBe(server.issuer);
  });

  it('does not ask again for the same fields, but does when new ones are requested', async () => {
    const {
      client,
      config,
      flow: first,
    } = await authorizedApp(server, { scope: 'openid profile competences', fields: ['competences.code'] });
    expect(first.callback.searchParams.get('code')).toBeTruthy();
    // The same browser asks again with prompt=none: a code only if no new consent is due.
    const silently = (scope: string) =>
      authorize({
        config,
        redirectUri: client.redirectUri,
        scope,
        agent: first.agent,
        extra: { prompt: 'none' },
      });

    const silent = await silently('openid profile competences');
    expect(silent.callback.searchParams.get('code')).toBeTruthy();

    const wider = await silently('openid profile competences langues');
    expect(wider.callback.searchParams.get('error')).toBe('consent_required');
  });

  it('asks again when the recorded consent is withdrawn, expired or was given on other texts', async () => {
    // Each change touches only our record (or the app's texts), never oidc-provider's grant: only
    // our interaction check can see it.
    const changes: Record<string, (jobseekerId: string, clientId: string) => Promise<unknown>> = {
      withdrawn: (jobseekerId, clientId) =>
        server.pool.query(
          "UPDATE consents SET status = 'revoked', revoked_at = now() WHERE jobseeker_id = $1 AND client_id = $2",
          [jobseekerId, clientId],
        ),
      expired: (jobseekerId, clientId) =>
        server.pool.query(
          "UPDATE consents SET expires_at = now() - interval '1 second' WHERE jobseeker_id = $1 AND client_id = $2",
          [jobseekerId, clientId],
        ),
      'other texts': (_, clientId) =>
        server.pool.query(
          `UPDATE clients SET purposes = jsonb_set(purposes, '{competences}', '"Un tout autre usage."')
            WHERE id = $1`,
          [clientId],
        ),
    };
    for (const [name, change] of Object.entries(changes)) {
      const jobseeker = await createJobseeker(server);
      const client = await createClient(server);
      const config = await discover(server.issuer, client.client_id, client.client_secret);
      const request = { config, redirectUri: client.redirectUri, scope: 'openid competences' };
      const first = await authorize({ ...request, login: jobseeker, fields: ['competences.code'] });
      expect(first.callback.searchParams.get('code'), name).toBeTruthy();
      const silent = await authorize({ ...request, agent: first.agent, extra: { prompt: 'none' } });
      expect(silent.callback.searchParams.get('code'), name).toBeTruthy();

      await change(jobseeker.id, client.client_id);
      const after = await authorize({ ...request, agent: first.agent, extra: { prompt: 'none' } });
      expect(after.callback.searchParams.get('error'), name).toBe('consent_required');
    }
  });

  it('shows the consent page when the app asks for it, even with an up-to-date consent', async () => {
    const jobseeker = await createJobseeker(server);
    const client = await createClient(server);
    const config = await discover(server.issuer, client.client_id, client.client_secret);
    const request = { config, redirectUri: client.redirectUri, scope: 'openid competences' };
    const first = await authorize({ ...request, login: jobseeker, fields: ['competences.code'] });
    const asked = await authorize({
      ...request,
      agent: first.agent,
      extra: { prompt: 'consent' },
      fields: ['competences.code', 'competences.libelle'],
    });
    // The consent page, with what was granted before ticked and the rest not.
    expect(asked.pages).toHaveLength(1);
    const boxes = [
      ...(asked.pages[0] as string).matchAll(/<input type="checkbox" name="fields" value="([^"]+)"[^>]*>/g),
    ];
    const ticked = boxes.filter((m) => / checked>$/.test(m[0])).map((m) => m[1]);
    expect(boxes.length).toBeGreaterThan(1);
    expect(ticked).toEqual(['competences.code']);
    expect(asked.pages[0]).toContain('Vous avez déjà donné votre accord');
    expect(asked.callback.searchParams.get('code')).toBeTruthy();
    const { rows } = await server.pool.query('SELECT fields FROM consents WHERE jobseeker_id = $1', [
      jobseeker.id,
    ]);
    expect(rows[0].fields).toEqual(['competences.code', 'competences.libelle', 'openid.sub']);
  });

  it('refuses a scope the client is not registered for with invalid_scope', async () => {
    const client = await createClient(server, { scopes: ['openid', 'profile'] });
    const config = await discover(server.issuer, client.client_id, client.client_secret);
    const flow = await authorize({ config, redirectUri: client.redirectUri, scope: 'openid competences' });
    expect(flow.callback.searchParams.get('error')).toBe('invalid_scope');
    const alsoOidc = await authorize({ config, redirectUri: client.redirectUri, scope: 'openid email' });
    expect(alsoOidc.callback.searchParams.get('error')).toBe('invalid_scope');
  });
});

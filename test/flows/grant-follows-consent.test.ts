// oidc-provider's Grant follows the consent record (issue 10): a later "yes" releases what an earlier
// "no" held back, a later "no" (on the consent page or in /account) leaves the tokens' scope, their
// refreshes and introspection, a Grant that drifted from the record is rebuilt from it, and the Grant
// lives as long as the consent. And the consent is asked once (issue 12): a second sign-in with
// nothing changed, in any browser, shows no page and still gives an app allowed offline access its
// refresh token, without prompt=consent.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postAccountForm, signInToAccount } from '../support/account.ts';
import { authorize, discover } from '../support/authorize.ts';
import { createClient, createJobseeker } from '../support/factories.ts';
import { apiGet } from '../support/grant.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import type { UserAgent } from '../support/user-agent.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const words = (scope: string | undefined) => new Set((scope ?? '').split(' ').filter(Boolean));

async function newApp() {
  const jobseeker = await createJobseeker(server);
  const client = await createClient(server);
  const config = await discover(server.issuer, client.client_id, client.client_secret);
  const profile = jobseeker.claims as Record<string, string>;
  const data = jobseeker.data as { competences: { code: string }[] };

  /** One authorization; `fields` are ticked if a consent page shows (undefined: none expected). */
  async function signIn(scope: string, o: { fields?: string[]; agent?: UserAgent; prompt?: string } = {}) {
    const flow = await authorize({
      config,
      redirectUri: client.redirectUri,
      scope,
      // A browser that signed in before is not asked to log in again.
      login: o.agent ? undefined : jobseeker,
      fields: o.fields,
      agent: o.agent,
      extra: o.prompt ? { prompt: o.prompt } : {},
    });
    // authorize() stops at a consent page when it has no boxes to tick.
    const consentPage =
      flow.callback.pathname.startsWith('/interaction/') ||
      flow.pages.some((html) => /\/consent"/.test(html));
    if (!flow.callback.href.startsWith(client.redirectUri))
      return { ...flow, consentPage, tokens: undefined };
    const tokens = await oidc.authorizationCodeGrant(
      config,
      flow.callback,
      { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce },
      { resource: `${server.issuer}/api` },
    );
    return { ...flow, consentPage, tokens };
  }

  const introspect = async (token: string) => (await oidc.tokenIntrospection(config, token)).scope;
  const refresh = (token: string, resource?: boolean) =>
    oidc.refreshTokenGrant(config, token, resource ? { resource: `${server.issuer}/api` } : undefined);
  const consent = async () =>
    (
      await server.pool.query(
        'SELECT id, fields, grant_id, expires_at FROM consents WHERE jobseeker_id = $1',
        [jobseeker.id],
      )
    ).rows[0];
  /** A first consent to a profile field and two data scopes, with prompt=consent. */
  const grantedThree = () =>
    signIn('openid profile offline_access competences statut', {
      prompt: 'consent',
      fields: ['profile.given_name', 'competences.code', 'statut.libelleStatutIndividu'],
    });
  return { jobseeker, client, config, profile, data, signIn, introspect, refresh, consent, grantedThree };
}

describe('the Grant follows the consent record', () => {
  it('releases a field refused once when a later consent page ticks it', async () => {
    const app = await newApp();
    const scope = 'openid profile offline_access competences';
    const first = await app.signIn(scope, { fields: ['profile.given_name'], prompt: 'consent' });
    expect(first.tokens?.claims()?.family_name).toBeUndefined();
    expect((await apiGet(server, first.tokens?.access_token as string, 'competences')).status).toBe(403);

    const again = await app.signIn(scope, {
      agent: first.agent,
      prompt: 'consent',
      fields: ['profile.given_name', 'profile.family_name', 'competences.code'],
    });
    const tokens = again.tokens as oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
    expect(tokens.claims()?.family_name).toBe(app.profile.family_name);
    // One token for userinfo and the API (src/oidc/one-token.ts): identity and data scopes alike.
    expect(words(tokens.scope)).toEqual(new Set(['openid', 'profile', 'offline_access', 'competences']));
    const competences = await apiGet(server, tokens.access_token, 'competences');
    expect(competences.status).toBe(200);
    expect(await competences.json()).toEqual(app.data.competences.map(({ code }) => ({ code })));

    const forUserinfo = await app.refresh(tokens.refresh_token as string);
    expect(words(forUserinfo.scope)).toEqual(new Set(['openid', 'profile', 'offline_access', 'competences']));
    const sub = tokens.claims()?.sub as string;
    expect(await oidc.fetchUserInfo(app.config, forUserinfo.access_token, sub)).toEqual({
      sub,
      given_name: app.profile.given_name,
      family_name: app.profile.family_name,
      name: `${app.profile.given_name} ${app.profile.family_name}`,
    });
  });

  it('takes a scope left unticked on a later consent page out of the earlier tokens’ introspection', async () => {
    const app = await newApp();
    const first = await app.grantedThree();
    const tokens = first.tokens as oidc.TokenEndpointResponse;
    const identity = ['openid', 'profile', 'offline_access'];
    expect(words(await app.introspect(tokens.access_token))).toEqual(
      new Set([...identity, 'competences', 'statut']),
    );

    await app.signIn('openid profile offline_access competences statut', {
      agent: first.agent,
      prompt: 'consent',
      fields: ['profile.given_name', 'statut.libelleStatutIndividu'],
    });
    expect(words(await app.introspect(tokens.access_token))).toEqual(new Set([...identity, 'statut']));
    const refreshed = await app.refresh(tokens.refresh_token as string, true);
    expect(words(refreshed.scope)).toEqual(new Set([...identity, 'statut']));
    expect((await apiGet(server, refreshed.access_token, 'competences')).status).toBe(403);
  });

  it('takes what /account narrows out of the token scope, refreshes and introspection at once', async () => {
    const app = await newApp();
    const tokens = (await app.grantedThree()).tokens as oidc.TokenEndpointResponse;
    const forUserinfo = await app.refresh(tokens.refresh_token as string);
    expect(words(forUserinfo.scope)).toEqual(
      new Set(['openid', 'profile', 'offline_access', 'competences', 'statut']),
    );

    const agent = await signInToAccount(server, app.jobseeker);
    const { id } = await app.consent();
    const saved = await postAccountForm(server, agent, `/account/consents/${id}/fields`, [
      ['fields', 'statut.libelleStatutIndividu'],
    ]);
    expect(saved.url.searchParams.get('ok')).toBe('narrowed');

    // RFC 7662 §2.2: the scopes the token is good for now.
    const narrowed = new Set(['openid', 'offline_access', 'statut']);
    expect(words(await app.introspect(tokens.access_token))).toEqual(narrowed);
    expect(words(await app.introspect(forUserinfo.access_token))).toEqual(narrowed);
    const forApi = await app.refresh(forUserinfo.refresh_token as string, true);
    expect(words(forApi.scope)).toEqual(narrowed);
    const again = await app.refresh(forApi.refresh_token as string);
    expect(words(again.scope)).toEqual(narrowed);
    expect(again.claims()?.given_name).toBeUndefined();
  });

  it('rebuilds at the next sign-in a Grant that no longer says what the record says', async () => {
    const app = await newApp();
    const scope = 'openid profile competences';
    const first = await app.signIn(scope, { fields: ['profile.given_name', 'competences.code'] });
    expect(first.tokens?.claims()?.family_name).toBeUndefined();
    // The record as a Grant written before this rule leaves it: a field it grants that the Grant
    // still refuses, and a scope it no longer holds that the Grant still grants.
    await server.pool.query(
      `UPDATE consents SET fields = ARRAY['openid.sub', 'profile.family_name', 'profile.given_name']
        WHERE jobseeker_id = $1`,
      [app.jobseeker.id],
    );
    const next = await app.signIn(scope, { agent: first.agent });
    expect(next.consentPage).toBe(false);
    expect(next.tokens?.claims()?.family_name).toBe(app.profile.family_name);
    // competences is no longer in the record: the token does not cover it.
    expect(words(next.tokens?.scope)).toEqual(new Set(['openid', 'profile']));
  });

  it('keeps the Grant as long as the consent, renewals included', async () => {
    const app = await newApp();
    const first = await app.signIn('openid competences', { fields: ['competences.code'] });
    expect(first.tokens).toBeDefined();
    const grantExpiry = async () => {
      const { grant_id, expires_at } = await app.consent();
      const { rows } = await server.pool.query(
        `SELECT (payload->>'exp')::bigint AS exp FROM oidc_models WHERE model = 'Grant' AND payload->>'jti' = $1`,
        [grant_id],
      );
      return { grant: Number(rows[0]?.exp), consent: Math.floor((expires_at as Date).getTime() / 1000) };
    };
    const granted = await grantExpiry();
    expect(granted.grant).toBe(granted.consent);

    await server.pool.query(
      "UPDATE consents SET expires_at = now() + interval '10 days' WHERE jobseeker_id = $1",
      [app.jobseeker.id],
    );
    const agent = await signInToAccount(server, app.jobseeker);
    const renewed = await postAccountForm(
      server,
      agent,
      `/account/consents/${(await app.consent()).id}/renew`,
      [],
    );
    expect(renewed.url.searchParams.get('ok')).toBe('renewed');
    const after = await grantExpiry();
    expect(after.consent).toBeGreaterThan(granted.consent - 60);
    expect(after.grant).toBe(after.consent);
  });
});

describe('asking once', () => {
  const SCOPE = 'openid profile offline_access competences';

  it('signs in again, in another browser, without a page and with a refresh token, no prompt=consent', async () => {
    const app = await newApp();
    const first = await app.signIn(SCOPE, { fields: ['profile.given_name', 'competences.code'] });
    expect(first.consentPage).toBe(true);
    expect(first.tokens?.refresh_token).toBeTruthy();

    const elsewhere = await app.signIn(SCOPE);
    expect(elsewhere.pages).toHaveLength(1); // the login page only
    expect(elsewhere.consentPage).toBe(false);
    const tokens = elsewhere.tokens as oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
    expect(tokens.refresh_token).toBeTruthy();
    expect(words(tokens.scope)).toEqual(new Set(['openid', 'profile', 'offline_access', 'competences']));
    expect(tokens.claims()?.given_name).toBe(app.profile.given_name);
    const refreshed = await app.refresh(tokens.refresh_token as string, true);
    expect((await apiGet(server, refreshed.access_token, 'competences')).status).toBe(200);

    const sameBrowser = await app.signIn(SCOPE, { agent: first.agent });
    expect(sameBrowser.pages).toHaveLength(0);
    expect(sameBrowser.tokens?.refresh_token).toBeTruthy();
  });

  it('asks for fewer scopes without a page, for more with one, and whenever the app sends prompt=consent', async () => {
    const app = await newApp();
    const first = await app.signIn(SCOPE, { fields: ['profile.given_name', 'competences.code'] });

    const fewer = await app.signIn('openid profile', { agent: first.agent });
    expect(fewer.consentPage).toBe(false);
    expect(fewer.tokens?.claims()?.given_name).toBe(app.profile.given_name);
    expect(fewer.tokens?.refresh_token).toBeUndefined();

    const more = await app.signIn(`${SCOPE} statut`, { agent: first.agent });
    expect(more.consentPage).toBe(true);

    const asked = await app.signIn(SCOPE, { agent: first.agent, prompt: 'consent' });
    expect(asked.consentPage).toBe(true);
  });

  it('asks again about offline access a consent was given without', async () => {
    const app = await newApp();
    const first = await app.signIn('openid profile competences', { fields: ['competences.code'] });
    expect(first.tokens?.refresh_token).toBeUndefined();
    const offline = await app.signIn(SCOPE, { agent: first.agent });
    expect(offline.consentPage).toBe(true);
    const agreed = await app.signIn(SCOPE, { agent: first.agent, fields: ['competences.code'] });
    expect(agreed.tokens?.refresh_token).toBeTruthy();
    const again = await app.signIn(SCOPE, { agent: first.agent });
    expect(again.consentPage).toBe(false);
    expect(again.tokens?.refresh_token).toBeTruthy();
  });
});

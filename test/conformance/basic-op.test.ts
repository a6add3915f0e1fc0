// The OpenID Foundation "Basic OP" certification plan (oidcc-basic-certification-test-plan,
// client_secret_basic, response_type=code), one test per module, against a running server: through
// openid-client where it behaves, raw HTTP where it would refuse to misbehave.
// Our deliberate differences from a default OP, and how each check is adapted to them:
// - PKCE S256 is required of every client: every request carries a challenge.
// - Subjects are pairwise (per client): `sub` is compared between flows of one client only.
// - Identity claims are released per field of consent: the consent page shows checkboxes, and the
//   browser ticks every field of the requested scopes to emulate a default OP's full grant.
// - Access tokens for the resource API are audience-bound (RFC 8707); userinfo tokens come from a code
//   exchange without `resource`, as here.
// - offline_access is honoured with prompt=consent, or from a recorded consent that covers it (OIDC
//   Core §11's other conditions); the tests send prompt=consent.
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  basicAuth,
  newRp,
  type Rp,
  rawAuthorizationUrl,
  redeem,
  signIn,
  tokenRequest,
} from '../support/relying-party.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
let jwks: ReturnType<typeof jose.createRemoteJWKSet>;
beforeAll(async () => {
  server = await startTestServer();
  jwks = jose.createRemoteJWKSet(new URL(`${server.issuer}/jwks`));
});
afterAll(() => server?.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A full sign-in and its code redeemed for userinfo (no `resource`). */
async function signedIn(scope = 'openid', extra: Record<string, string> = {}, rp?: Rp) {
  const party = rp ?? (await newRp(server));
  const flow = await signIn(party, { scope, extra });
  const tokens = await redeem(party, flow);
  return { rp: party, flow, tokens, claims: tokens.claims() as oidc.IDToken };
}

/** What a default OP would give for a scope: the jobseeker's values of the claims it names. */
function claimsOf(rp: Rp, scopes: string[]) {
  const catalog = server.app.catalog;
  const claims = rp.jobseeker.claims as Record<string, unknown>;
  const names = scopes.flatMap((s) => catalog.byId.get(s)?.fields.map((f) => f.id) ?? []);
  const values = Object.fromEntries(
    names.filter((n) => n in claims && n !== 'sub').map((n) => [n, claims[n]]),
  );
  // OIDC Core §5.1 name, derived from the two names (scopes/profile.yaml).
  if (values.given_name && values.family_name) values.name = `${values.given_name} ${values.family_name}`;
  return values;
}

/** The authorization endpoint's refusal: our error page without a redirect, or an error redirect. */
async function authorizationError(url: URL, rp: Rp) {
  const response = await fetch(url, { redirect: 'manual' });
  const location = response.headers.get('location');
  if (!location) {
    expect(response.status).toBe(400);
    const html = await response.text();
    return { page: html, redirect: undefined };
  }
  expect(response.status).toBe(303);
  const redirect = new URL(location);
  expect(redirect.href.startsWith(rp.client.redirectUri)).toBe(true);
  expect(redirect.searchParams.get('code')).toBeNull();
  expect(redirect.searchParams.get('iss')).toBe(server.issuer);
  return { page: undefined, redirect: redirect.searchParams };
}

describe('Basic OP: the code flow', () => {
  it('oidcc-server (and oidcc-ensure-request-with-valid-pkce-succeeds): code → tokens → a valid ID token', async () => {
    const { rp, flow, tokens, claims } = await signedIn();
    expect(flow.callback.searchParams.get('state')).toBe(flow.state);
    expect(flow.callback.searchParams.get('iss')).toBe(server.issuer);
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.expires_in).toBeGreaterThan(0);
    // openid-client checked iss, aud, exp, iat, nonce and azp; the rest of OIDC Core §2 and §3.1.3.7:
    expect(claims.iss).toBe(server.issuer);
    // OIDC Core 1.0 §2 allows both: aud is "an array of case sensitive strings", or "a single case
    // sensitive string" when there is one audience.
    expect(claims.aud === rp.client.client_id || (claims.aud as string[]).includes(rp.client.client_id)).toBe(
      true,
    );
    expect(claims.nonce).toBe(flow.nonce);
    expect(claims.exp).toBeGreaterThan(claims.iat);
    expect(Math.abs(claims.iat - Date.now() / 1000)).toBeLessThan(60);
    // Adapted: subjects are pairwise, never the account id.
    expect(claims.sub).toMatch(/^[\w-]{20,}$/);
    expect(claims.sub).not.toBe(rp.jobseeker.id);
    const userinfo = await oidc.fetchUserInfo(rp.config, tokens.access_token, claims.sub);
    expect(userinfo.sub).toBe(claims.sub);
  });

  it('oidcc-server-client-secret-post: the same flow with client_secret_post', async () => {
    // The plan re-runs oidcc-server with client_secret_post: an app registered with the defaults
    // accepts it (openid-client's default when given a secret), with nothing to configure.
    const rp = await newRp(server);
    expect(rp.config.serverMetadata().token_endpoint_auth_methods_supported).toContain('client_secret_post');
    const post = await oidc.discovery(
      new URL(server.issuer),
      rp.client.client_id,
      undefined,
      oidc.ClientSecretPost(rp.client.client_secret),
      { execute: [oidc.allowInsecureRequests] },
    );
    const flow = await signIn({ ...rp, config: post }, { scope: 'openid email' });
    const tokens = await redeem({ ...rp, config: post }, flow);
    const claims = tokens.claims() as oidc.IDToken;
    expect(claims.nonce).toBe(flow.nonce);
    expect((await oidc.fetchUserInfo(post, tokens.access_token, claims.sub)).sub).toBe(claims.sub);
  });

  it('oidcc-response-type-missing: an error, never a code', async () => {
    const rp = await newRp(server);
    const { url } = await rawAuthorizationUrl(rp, { response_type: null });
    const { page, redirect } = await authorizationError(url, rp);
    expect(page, 'an error page').toBeUndefined();
    expect(redirect?.get('error')).toBe('invalid_request');
  });

  it('oidcc-ensure-request-without-nonce-succeeds-for-code-flow', async () => {
    const rp = await newRp(server);
    const flow = await signIn(rp, { scope: 'openid', extra: { nonce: null } });
    expect(flow.nonce).toBeUndefined();
    const tokens = await redeem(rp, flow);
    expect(tokens.claims()).not.toHaveProperty('nonce');
  });

  it('oidcc-ensure-request-with-unknown-parameter-succeeds', async () => {
    const { flow } = await signedIn('openid', { extra: 'foobar', 'ext-param': 'x' });
    expect(flow.callback.searchParams.get('code')).toBeTruthy();
  });

  it('oidcc-ensure-post-request-succeeds: refused cleanly, by design', async () => {
    // Adapted, and a known failure of the real module: oidc-provider serves POST /auth only with
    // enableHttpPostMethods, which requires SameSite=None session cookies (a cross-site POST must carry
    // them); SECURITY.md keeps them SameSite=Lax. The check is that the refusal is clean: a 4xx, no
    // redirect, no code, no session started.
    const rp = await newRp(server);
    const { url } = await rawAuthorizationUrl(rp);
    const response = await fetch(`${server.issuer}/auth`, {
      method: 'POST',
      body: url.searchParams,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      redirect: 'manual',
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(response.headers.get('location')).toBeNull();
    expect(response.headers.getSetCookie()).toEqual([]);
    // The same request by GET is served, so the refusal is about the method only.
    expect((await fetch(url, { redirect: 'manual' })).status).toBe(303);
  });
});

describe('Basic OP: ID token', () => {
  it('oidcc-idtoken-signature and oidcc-idtoken-rs256: signed with RS256 by a key of the JWKS, named by kid', async () => {
    const { rp, tokens } = await signedIn();
    const idToken = tokens.id_token as string;
    const header = jose.decodeProtectedHeader(idToken);
    expect(header.alg).toBe('RS256');
    expect(header.kid).toBeTruthy();
    const { payload } = await jose.jwtVerify(idToken, jwks, {
      issuer: server.issuer,
      audience: rp.client.client_id,
      algorithms: ['RS256'],
    });
    expect(payload.sub).toBe(tokens.claims()?.sub);
    // The verification above is not vacuous: one flipped signature byte fails it.
    const [h, p, s] = idToken.split('.') as [string, string, string];
    const flipped = `${h}.${p}.${s.slice(0, 10)}${s[10] === 'A' ? 'B' : 'A'}${s.slice(11)}`;
    await expect(jose.jwtVerify(flipped, jwks)).rejects.toThrow();
  });

  it('oidcc-idtoken-unsigned: alg none is neither offered nor accepted at registration', async () => {
    // Adapted: the suite skips this module when discovery does not offer `none`; we also check that a
    // client cannot register for unsigned ID tokens (RFC 7591, with a valid initial access token).
    const rp = await newRp(server);
    expect(rp.config.serverMetadata().id_token_signing_alg_values_supported).not.toContain('none');
    const iat = new server.app.provider.InitialAccessToken({});
    const token = await iat.save();
    const response = await fetch(`${server.issuer}/reg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        client_name: 'Unsigned',
        redirect_uris: ['http://127.0.0.1:9/cb-unsigned'],
        scope: 'openid',
        id_token_signed_response_alg: 'none',
      }),
    });
    expect(response.status).toBe(400);
    expect((await response.json()).error).toBe('invalid_client_metadata');
  });
});

describe('Basic OP: userinfo', () => {
  it('oidcc-userinfo-get', async () => {
    const { rp, tokens, claims } = await signedIn('openid email');
    const userinfo = await oidc.fetchUserInfo(rp.config, tokens.access_token, claims.sub);
    expect(userinfo).toEqual({ sub: claims.sub, ...claimsOf(rp, ['email']) });
  });

  it('oidcc-userinfo-post-header', async () => {
    const { rp, tokens, claims } = await signedIn('openid email');
    const response = await fetch(`${server.issuer}/me`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ sub: claims.sub, ...claimsOf(rp, ['email']) });
  });

  it('oidcc-userinfo-post-body: answered as the suite allows (data or a refusal, never a 5xx)', async () => {
    // The suite accepts either outcome (a refusal is a warning); RFC 9700 §2.2 discourages the body.
    const { rp, tokens, claims } = await signedIn('openid email');
    const response = await fetch(`${server.issuer}/me`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ access_token: tokens.access_token }),
    });
    if (response.status === 200) {
      expect(await response.json()).toEqual({ sub: claims.sub, ...claimsOf(rp, ['email']) });
    } else {
      expect(response.status).toBe(400);
      expect(response.headers.get('www-authenticate')).toBeTruthy();
    }
  });
});

describe('Basic OP: scopes (a full grant: every box ticked)', () => {
  for (const scopes of [
    ['profile'],
    ['email'],
    ['address'],
    ['phone'],
    ['profile', 'email', 'address', 'phone'],
  ]) {
    const name = scopes.length > 1 ? 'all' : scopes[0];
    it(`oidcc-scope-${name}`, async () => {
      const { rp, tokens, claims } = await signedIn(`openid ${scopes.join(' ')}`);
      const expected = claimsOf(rp, scopes);
      expect(Object.keys(expected).length).toBeGreaterThan(0);
      expect(await oidc.fetchUserInfo(rp.config, tokens.access_token, claims.sub)).toEqual({
        sub: claims.sub,
        ...expected,
      });
    });
  }

  it('oidcc-ensure-other-scope-order-succeeds', async () => {
    const { rp, tokens, claims } = await signedIn('email openid');
    expect(await oidc.fetchUserInfo(rp.config, tokens.access_token, claims.sub)).toEqual({
      sub: claims.sub,
      ...claimsOf(rp, ['email']),
    });
  });

  it('oidcc-claims-essential: an essential claim never bypasses consent', async () => {
    // Adapted: the claims parameter is not supported (claims_parameter_supported: false), so the request
    // succeeds and only consented claims are released; the suite only warns when the claim is absent.
    expect((await newRp(server)).config.serverMetadata().claims_parameter_supported).toBe(false);
    const claimsParam = JSON.stringify({ userinfo: { email: { essential: true } } });
    const { rp, tokens, claims } = await signedIn('openid', { claims: claimsParam });
    expect(await oidc.fetchUserInfo(rp.config, tokens.access_token, claims.sub)).toEqual({ sub: claims.sub });
  });
});

describe('Basic OP: request parameters', () => {
  for (const display of ['page', 'popup']) {
    it(`oidcc-display-${display}`, async () => {
      const { flow } = await signedIn('openid', { display });
      expect(flow.shown).toEqual(['login', 'consent']);
    });
  }

  for (const [name, extra] of [
    ['oidcc-login-hint', { login_hint: 'someone@example.fr' }],
    ['oidcc-ui-locales', { ui_locales: 'fr-FR en' }],
    ['oidcc-claims-locales', { claims_locales: 'fr-FR en' }],
    ['oidcc-ensure-request-with-acr-values-succeeds', { acr_values: '1 2' }],
  ] as const) {
    it(name, async () => {
      const { flow, tokens } = await signedIn('openid', extra);
      expect(flow.callback.searchParams.get('code')).toBeTruthy();
      expect(tokens.id_token).toBeTruthy();
    });
  }

  it('oidcc-prompt-login: the jobseeker logs in again, and auth_time moves', async () => {
    const first = await signedIn();
    await sleep(1100); // auth_time has a one-second resolution
    const again = await signIn(first.rp, {
      scope: 'openid',
      agent: first.flow.agent,
      extra: { prompt: 'login' },
    });
    expect(again.shown).toEqual(['login']);
    const tokens = await redeem(first.rp, again);
    const authTime = tokens.claims()?.auth_time as number;
    expect(authTime).toBeGreaterThan(first.claims.auth_time ?? 0);
    expect(Math.abs(authTime - Date.now() / 1000)).toBeLessThan(10);
    expect(tokens.claims()?.sub).toBe(first.claims.sub);
  });

  it('oidcc-prompt-none-not-logged-in: login_required, with state and iss', async () => {
    const rp = await newRp(server);
    const flow = await signIn(rp, { scope: 'openid', extra: { prompt: 'none' } });
    expect(flow.shown).toEqual([]);
    expect(flow.callback.searchParams.get('error')).toBe('login_required');
    expect(flow.callback.searchParams.get('state')).toBe(flow.state);
    expect(flow.callback.searchParams.get('iss')).toBe(server.issuer);
  });

  it('oidcc-prompt-none-logged-in: a code without any page, for the same subject', async () => {
    const first = await signedIn();
    const again = await signIn(first.rp, {
      scope: 'openid',
      agent: first.flow.agent,
      extra: { prompt: 'none' },
    });
    expect(again.shown).toEqual([]);
    expect((await redeem(first.rp, again)).claims()?.sub).toBe(first.claims.sub);
  });

  it('oidcc-max-age-1: a login older than max_age is asked again; auth_time is present and later', async () => {
    const first = await signedIn();
    await sleep(2000); // as the suite does
    const again = await signIn(first.rp, {
      scope: 'openid',
      agent: first.flow.agent,
      extra: { max_age: '1' },
    });
    expect(again.shown).toEqual(['login']);
    const authTime = (await redeem(first.rp, again)).claims()?.auth_time as number;
    expect(authTime).toBeGreaterThan(first.claims.auth_time ?? 0);
  });

  it('oidcc-max-age-10000: no new login; auth_time is present and unchanged', async () => {
    const first = await signedIn('openid', { max_age: '10000' });
    expect(first.claims.auth_time).toBeTypeOf('number');
    const again = await signIn(first.rp, {
      scope: 'openid',
      agent: first.flow.agent,
      extra: { max_age: '10000' },
    });
    expect(again.shown).toEqual([]);
    expect((await redeem(first.rp, again)).claims()?.auth_time).toBe(first.claims.auth_time);
  });

  it('oidcc-id-token-hint: prompt=none with the previous ID token as hint', async () => {
    const first = await signedIn();
    const again = await signIn(first.rp, {
      scope: 'openid',
      agent: first.flow.agent,
      extra: { prompt: 'none', id_token_hint: first.tokens.id_token as string },
    });
    expect(again.shown).toEqual([]);
    expect((await redeem(first.rp, again)).claims()?.sub).toBe(first.claims.sub);
  });
});

describe('Basic OP: request objects (not supported: rejected as such)', () => {
  const unsigned = (claims: Record<string, unknown>) =>
    `${jose.base64url.encode(JSON.stringify({ alg: 'none' }))}.${jose.base64url.encode(JSON.stringify(claims))}.`;

  it('oidcc-unsigned-request-object-supported-correctly-or-rejected-as-unsupported', async () => {
    const rp = await newRp(server);
    expect(rp.config.serverMetadata().request_parameter_supported).not.toBe(true);
    const { url } = await rawAuthorizationUrl(rp);
    const request = unsigned({ ...Object.fromEntries(url.searchParams), iss: rp.client.client_id });
    url.searchParams.set('request', request);
    const { page, redirect } = await authorizationError(url, rp);
    if (page) expect(page).toContain('request_not_supported');
    else {
      expect(redirect?.get('error')).toBe('request_not_supported');
      expect(redirect?.get('state')).toBe('conformance-state');
    }
  });

  it('oidcc-ensure-request-object-with-redirect-uri: no redirect to the outer, unregistered redirect_uri', async () => {
    const rp = await newRp(server);
    const { url } = await rawAuthorizationUrl(rp);
    url.searchParams.set('request', unsigned(Object.fromEntries(url.searchParams)));
    url.searchParams.set('redirect_uri', 'https://evil.example/cb');
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
  });

  it('oidcc-request-uri-unsigned-supported-correctly-or-rejected-as-unsupported: never fetched', async () => {
    const rp = await newRp(server);
    expect(rp.config.serverMetadata().request_uri_parameter_supported).toBe(false);
    const { url } = await rawAuthorizationUrl(rp, { request_uri: 'https://evil.example/request.jwt' });
    const { page, redirect } = await authorizationError(url, rp);
    expect(page, 'an error page').toBeUndefined();
    expect(redirect?.get('error')).toBe('request_uri_not_supported');
  });
});

describe('Basic OP: redirect URIs', () => {
  it('oidcc-ensure-registered-redirect-uri: an error page, no redirect', async () => {
    const rp = await newRp(server);
    const { url } = await rawAuthorizationUrl(rp, { redirect_uri: 'https://evil.example/cb' });
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain('invalid_redirect_uri');
  });

  it('oidcc-ensure-redirect-uri-in-authorization-request: required even of a one-URI client', async () => {
    const rp = await newRp(server);
    const { url } = await rawAuthorizationUrl(rp, { redirect_uri: null });
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain('redirect_uri');
  });
});

describe('Basic OP: authorization codes and refresh tokens', () => {
  async function redeemRaw(rp: Rp, flow: Awaited<ReturnType<typeof signIn>>) {
    return tokenRequest(server, rp.client, {
      grant_type: 'authorization_code',
      code: flow.callback.searchParams.get('code') as string,
      redirect_uri: rp.client.redirectUri,
      code_verifier: flow.verifier,
    });
  }

  it('oidcc-codereuse: the second redemption is invalid_grant', async () => {
    const rp = await newRp(server);
    const flow = await signIn(rp, { scope: 'openid' });
    expect((await redeemRaw(rp, flow)).response.status).toBe(200);
    const again = await redeemRaw(rp, flow);
    expect(again.response.status).toBe(400);
    expect(again.json.error).toBe('invalid_grant');
  });

  it('oidcc-codereuse-30seconds: the reuse also revokes the tokens of the first redemption', async () => {
    // Adapted: the suite waits 30 s between the two redemptions; the revocation does not depend on
    // the delay, so the test does not wait.
    const rp = await newRp(server);
    const flow = await signIn(rp, { scope: 'openid' });
    const first = await redeemRaw(rp, flow);
    const userinfo = () =>
      fetch(`${server.issuer}/me`, { headers: { authorization: `Bearer ${first.json.access_token}` } });
    expect((await userinfo()).status).toBe(200);
    expect((await redeemRaw(rp, flow)).json.error).toBe('invalid_grant');
    const after = await userinfo();
    expect(after.status).toBe(401);
    expect(after.headers.get('www-authenticate')).toContain('invalid_token');
  });

  it('oidcc-refresh-token: refreshed once, rotated, and not usable by another client', async () => {
    // Adapted: offline_access with prompt=consent (a recorded consent would do too).
    const rp = await newRp(server);
    const flow = await signIn(rp, { scope: 'openid email offline_access', extra: { prompt: 'consent' } });
    const tokens = await redeem(rp, flow);
    const refreshToken = tokens.refresh_token as string;
    expect(refreshToken).toBeTruthy();

    const other = await newRp(server);
    const stolen = await tokenRequest(server, other.client, {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    });
    expect(stolen.response.status).toBe(400);
    expect(stolen.json.error).toBe('invalid_grant');

    const refreshed = await oidc.refreshTokenGrant(rp.config, refreshToken);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(refreshToken);
    // OIDC Core §12.2: an ID token from a refresh keeps iss, sub and aud.
    const claims = refreshed.claims();
    if (claims) {
      expect(claims.sub).toBe(tokens.claims()?.sub);
      expect(claims.iss).toBe(server.issuer);
    }
    const userinfo = await oidc.fetchUserInfo(
      rp.config,
      refreshed.access_token,
      tokens.claims()?.sub as string,
    );
    expect(userinfo.email).toBe((rp.jobseeker.claims as { email: string }).email);
    // The rotated-out refresh token is spent.
    const replay = await tokenRequest(server, rp.client, {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    });
    expect(replay.json.error).toBe('invalid_grant');
  });

  it('the token endpoint authenticates by Basic header (the variant the plan runs under)', async () => {
    const rp = await newRp(server);
    const flow = await signIn(rp, { scope: 'openid' });
    const wrong = await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basicAuth({ client_id: rp.client.client_id, client_secret: 'not-the-secret' }),
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: flow.callback.searchParams.get('code') as string,
        redirect_uri: rp.client.redirectUri,
        code_verifier: flow.verifier,
      }),
    });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error).toBe('invalid_client');
  });
});

// RFC 9700 (OAuth 2.0 Security Best Current Practice) as SECURITY.md's "Protocol" and "Resource API"
// items put it, black-box against a running server: openid-client for the app's honest side, raw HTTP
// for the attacks it would refuse to send. Each test names the section it reproduces. (The
// high-assurance items, FAPI 2.0, are tested in test/flows/high-assurance.test.ts.)
// Adapted to our rules: PKCE S256 for every client; tokens for the resource API are audience-bound
// (RFC 8707) and opaque; identity claims and data are released per field of consent (the browser
// ticks every box unless a test says otherwise); offline_access with prompt=consent or a recorded
// consent that covers it.
// Two attacks need the database to stage them, never to check them: a code past its 60 s lifetime
// (its expires_at is set in the past rather than waiting), and a code stripped of its challenge.
import { createHash } from 'node:crypto';
import http from 'node:http';
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedId } from '../../src/oidc/hashed-ids.ts';
import {
  basicAuth,
  type Client,
  type Jobseeker,
  newRp,
  postForm,
  type Rp,
  rawAuthorizationUrl,
  redeem,
  signIn,
  tokenRequest,
} from '../support/relying-party.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { formAction, UserAgent } from '../support/user-agent.ts';

let server: TestServer;
let api: string;
beforeAll(async () => {
  server = await startTestServer();
  api = `${server.issuer}/api`;
});
afterAll(() => server?.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const apiGet = (token: string, path = 'competences', headers: Record<string, string> = {}) =>
  fetch(`${api}/v1/${path}`, { headers: { authorization: `Bearer ${token}`, ...headers } });

/** A code issued through the real pages, not yet redeemed. */
async function issueCode(rp: Rp, scope = 'openid competences') {
  const flow = await signIn(rp, { scope });
  const code = flow.callback.searchParams.get('code');
  if (!code) throw new Error(`no code in ${flow.callback.href}`);
  return { code, verifier: flow.verifier, flow };
}

const redeemCode = (
  client: Pick<Client, 'client_id' | 'client_secret'>,
  params: { code: string; redirect_uri?: string; code_verifier?: string },
) =>
  tokenRequest(server, client, {
    grant_type: 'authorization_code',
    resource: api,
    ...(params as Record<string, string>),
  });

/** The app's view of an authorization error: a 303 to its redirect URI with error, state and iss. */
async function errorRedirect(url: URL, rp: Rp) {
  const response = await fetch(url, { redirect: 'manual' });
  expect(response.status).toBe(303);
  const location = new URL(response.headers.get('location') as string);
  expect(`${location.origin}${location.pathname}`).toBe(rp.client.redirectUri);
  const params = new URLSearchParams(location.hash ? location.hash.slice(1) : location.search);
  expect(params.get('iss')).toBe(server.issuer);
  expect(params.get('state')).toBe('conformance-state');
  for (const leaked of ['code', 'access_token', 'id_token']) expect(params.get(leaked)).toBeNull();
  return params;
}

/** Logs in and stops at the consent page. */
async function untilConsentPage(rp: Rp, scope: string) {
  const agent = new UserAgent();
  const url = oidc.buildAuthorizationUrl(rp.config, {
    redirect_uri: rp.client.redirectUri,
    scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
    code_challenge_method: 'S256',
    state: 'conformance-state',
  });
  const login = await agent.follow(url);
  const loginHtml = await login.response.text();
  const loggedIn = await postForm(agent, login.url, loginHtml, formAction(loginHtml, '/login'), [
    ['login', rp.jobseeker.login],
    ['password', rp.jobseeker.password],
  ]);
  expect(loggedIn.status).toBe(303);
  const consent = await agent.follow(new URL(loggedIn.headers.get('location') as string, login.url));
  return { agent, at: consent.url, html: await consent.response.text() };
}

/** Withdraws the jobseeker's consent to the app in their dashboard; answers each POST's status. */
async function withdrawInDashboard(jobseeker: Jobseeker) {
  const agent = new UserAgent();
  const login = await agent.follow(`${server.issuer}/account`);
  const loginHtml = await login.response.text();
  const signedIn = await postForm(agent, login.url, loginHtml, formAction(loginHtml, '/account/login'), [
    ['login', jobseeker.login],
    ['password', jobseeker.password],
    ['retour', '/account/consents'],
  ]);
  const list = await agent.follow(`${server.issuer}/account/consents`);
  const listHtml = await list.response.text();
  const revoke = /action="(\/account\/consents\/[^"]+\/revoke)"/.exec(listHtml)?.[1] as string;
  const asked = await postForm(agent, list.url, listHtml, revoke, []);
  const confirmHtml = await asked.text();
  const confirmed = await postForm(agent, list.url, confirmHtml, revoke, [['confirm', 'yes']]);
  expect(new URL(confirmed.headers.get('location') as string, server.issuer).searchParams.get('ok')).toBe(
    'revoked',
  );
  return [signedIn.status, confirmed.status];
}

describe('Protocol: redirect URIs (RFC 9700 §4.1.3, §2.1: exact matching)', () => {
  it('answers every variant of the registered URI with an error page and no redirect', async () => {
    const registered = `http://localhost:9/Callback-${Date.now()}`;
    const rp = await newRp(server, { redirect_uris: [registered] });
    const path = new URL(registered).pathname;
    const variants = [
      registered.replace('localhost', 'LOCALHOST'),
      registered.replace(path, path.toLowerCase()),
      `${registered}/`,
      `${registered}?extra=1`,
      `${registered}#fragment`,
      registered.replace('localhost:9', 'localhost:10'),
      registered.replace('localhost', 'evil.example'),
      registered.replace('localhost', 'localhost.evil.example'),
      registered.replace('http://', 'https://'),
      `${registered}/../../evil`,
    ];
    for (const redirectUri of variants) {
      const { url } = await rawAuthorizationUrl(rp, { redirect_uri: redirectUri });
      const response = await fetch(url, { redirect: 'manual' });
      expect(response.status, redirectUri).toBe(400);
      expect(response.headers.get('location'), redirectUri).toBeNull();
      expect(await response.text(), redirectUri).toContain('invalid_redirect_uri');
    }
    // The registered URI itself is served (the refusals are not refusing everything).
    const { url } = await rawAuthorizationUrl(rp, { redirect_uri: registered });
    expect((await fetch(url, { redirect: 'manual' })).status).toBe(303);
  });
});

describe('Protocol: PKCE (RFC 9700 §2.1.1, §4.8)', () => {
  it('refuses an authorization request without S256 PKCE, by an error redirect without a code', async () => {
    const rp = await newRp(server);
    const verifier = oidc.randomPKCECodeVerifier();
    const cases: Record<string, string | null>[] = [
      { code_challenge: null, code_challenge_method: null },
      { code_challenge: verifier, code_challenge_method: 'plain' },
      { code_challenge_method: null },
      { code_challenge: null },
      { code_challenge: 'too-short' },
    ];
    for (const params of cases) {
      const { url } = await rawAuthorizationUrl(rp, params);
      expect((await errorRedirect(url, rp)).get('error'), JSON.stringify(params)).toBe('invalid_request');
    }
  });

  it('refuses a redemption with a wrong verifier or none', async () => {
    const rp = await newRp(server);
    const { code, verifier } = await issueCode(rp);
    for (const codeVerifier of [oidc.randomPKCECodeVerifier(), undefined, `${verifier.slice(0, -1)}x`]) {
      const response = await redeemCode(rp.client, {
        code,
        redirect_uri: rp.client.redirectUri,
        ...(codeVerifier ? { code_verifier: codeVerifier } : {}),
      });
      expect(response.response.status).toBe(400);
      expect(response.json.error).toBe('invalid_grant');
    }
  });

  it('§4.8.2 downgrade: a verifier for a code without a challenge is refused', async () => {
    // Staged in the database (a challenge cannot be omitted at the authorization endpoint, above).
    const rp = await newRp(server);
    const { code, verifier } = await issueCode(rp);
    const stripped = await server.pool.query(
      `UPDATE oidc_models SET payload = payload - 'codeChallenge' - 'codeChallengeMethod'
        WHERE model = 'AuthorizationCode' AND id = $1`,
      [storedId('AuthorizationCode', code)],
    );
    expect(stripped.rowCount).toBe(1);
    const response = await redeemCode(rp.client, {
      code,
      redirect_uri: rp.client.redirectUri,
      code_verifier: verifier,
    });
    expect(response.json.error).toBe('invalid_grant');
  });
});

describe('Protocol: authorization code misuse (RFC 9700 §4.5, §2.1.1; RFC 6749 §4.1.3)', () => {
  it('a code used twice: invalid_grant, and what the first use gave is revoked', async () => {
    const rp = await newRp(server);
    const { code, verifier } = await issueCode(rp);
    const params = { code, redirect_uri: rp.client.redirectUri, code_verifier: verifier };
    const first = await redeemCode(rp.client, params);
    expect(first.response.status).toBe(200);
    expect((await apiGet(first.json.access_token as string)).status).toBe(200);
    const second = await redeemCode(rp.client, params);
    expect(second.json.error).toBe('invalid_grant');
    expect((await apiGet(first.json.access_token as string)).status).toBe(401);
  });

  it('a code used by another client (even one sharing the redirect URI): invalid_grant', async () => {
    const rp = await newRp(server);
    const thief = await newRp(server, { redirect_uris: [rp.client.redirectUri] });
    const { code, verifier } = await issueCode(rp);
    const stolen = await redeemCode(thief.client, {
      code,
      redirect_uri: rp.client.redirectUri,
      code_verifier: verifier,
    });
    expect(stolen.json.error).toBe('invalid_grant');
  });

  it('a code presented with another or no redirect_uri: refused', async () => {
    const first = `http://127.0.0.1:9/cb-first-${Date.now()}`;
    const rp = await newRp(server, { redirect_uris: [first, `${first}-other`] });
    const { code, verifier } = await issueCode(rp);
    const other = await redeemCode(rp.client, {
      code,
      redirect_uri: `${first}-other`,
      code_verifier: verifier,
    });
    expect(other.json.error).toBe('invalid_grant');
    const { code: code2, verifier: verifier2 } = await issueCode(rp);
    const none = await redeemCode(rp.client, { code: code2, code_verifier: verifier2 });
    expect(none.response.status).toBe(400);
    expect(none.json.error).toBe('invalid_request');
  });

  it('a code after its 60 s lifetime: invalid_grant', async () => {
    const rp = await newRp(server);
    const { code, verifier } = await issueCode(rp);
    const lifetime = await server.pool.query(
      `SELECT extract(epoch FROM expires_at - now()) AS left FROM oidc_models
        WHERE model = 'AuthorizationCode' AND id = $1`,
      [storedId('AuthorizationCode', code)],
    );
    expect(Number(lifetime.rows[0].left)).toBeLessThanOrEqual(60);
    await server.pool.query(
      `UPDATE oidc_models SET expires_at = now() - interval '1 second'
        WHERE model = 'AuthorizationCode' AND id = $1`,
      [storedId('AuthorizationCode', code)],
    );
    const late = await redeemCode(rp.client, {
      code,
      redirect_uri: rp.client.redirectUri,
      code_verifier: verifier,
    });
    expect(late.json.error).toBe('invalid_grant');
  });
});

describe('Protocol: grants on offer (RFC 9700 §2.1.2, §2.4)', () => {
  it('only response_type=code: every other response type is refused, with no token anywhere', async () => {
    const rp = await newRp(server);
    for (const responseType of [
      'token',
      'id_token',
      'code id_token',
      'code token',
      'id_token token',
      'none',
    ]) {
      const { url } = await rawAuthorizationUrl(rp, { response_type: responseType, nonce: 'n' });
      expect((await errorRedirect(url, rp)).get('error'), responseType).toBe('unsupported_response_type');
    }
  });

  it('no resource owner password grant, no client credentials, no other grant', async () => {
    const rp = await newRp(server);
    for (const grantType of [
      'password',
      'client_credentials',
      'implicit',
      'urn:ietf:params:oauth:grant-type:device_code',
      'urn:ietf:params:oauth:grant-type:token-exchange',
      'urn:ietf:params:oauth:grant-type:jwt-bearer',
      'urn:openid:params:grant-type:ciba',
    ]) {
      const response = await tokenRequest(server, rp.client, {
        grant_type: grantType,
        username: rp.jobseeker.login,
        password: rp.jobseeker.password,
        scope: 'openid competences',
        resource: api,
      });
      expect(response.response.status, grantType).toBe(400);
      expect(response.json.error, grantType).toBe('unsupported_grant_type');
      expect(response.json).not.toHaveProperty('access_token');
    }
  });
});

describe('Protocol: iss in every authorization response (RFC 9207, RFC 9700 §4.4.2)', () => {
  it('on success, in the query and in the fragment', async () => {
    const rp = await newRp(server);
    const query = await signIn(rp, { scope: 'openid' });
    expect(query.callback.searchParams.get('iss')).toBe(server.issuer);
    const fragment = await signIn(rp, {
      scope: 'openid',
      agent: query.agent,
      extra: { response_mode: 'fragment' },
    });
    const params = new URLSearchParams(fragment.callback.hash.slice(1));
    expect(params.get('code')).toBeTruthy();
    expect(params.get('iss')).toBe(server.issuer);
  });

  it('on success with response_mode=form_post, whose self-submitting form the CSP allows', async () => {
    const rp = await newRp(server);
    const first = await signIn(rp, { scope: 'openid' });
    const url = oidc.buildAuthorizationUrl(rp.config, {
      redirect_uri: rp.client.redirectUri,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      state: 'form-post-state',
      response_mode: 'form_post',
    });
    const { response } = await first.agent.follow(url);
    expect(response.status).toBe(200);
    const html = await response.text();
    const input = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];
    expect(input('code')).toBeTruthy();
    expect(input('state')).toBe('form-post-state');
    expect(input('iss')).toBe(server.issuer);
    // The form submits itself by an inline script: the page's CSP must name its hash, or the browser
    // would block it and leave the jobseeker on a blank page.
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] as string;
    const hash = createHash('sha256').update(script).digest('base64');
    const scriptSrc = /script-src([^;]*)/.exec(response.headers.get('content-security-policy') ?? '')?.[1];
    expect(scriptSrc).toContain(`'sha256-${hash}'`);
    expect(scriptSrc).not.toContain('unsafe-inline');
  });

  it('on every error: invalid_request, unsupported_response_type, login_required, access_denied', async () => {
    const rp = await newRp(server);
    const noPkce = await rawAuthorizationUrl(rp, { code_challenge: null, code_challenge_method: null });
    expect((await errorRedirect(noPkce.url, rp)).get('error')).toBe('invalid_request');
    const implicit = await rawAuthorizationUrl(rp, { response_type: 'token' });
    expect((await errorRedirect(implicit.url, rp)).get('error')).toBe('unsupported_response_type');
    const silent = await rawAuthorizationUrl(rp, { prompt: 'none' });
    expect((await errorRedirect(silent.url, rp)).get('error')).toBe('login_required');

    const { agent, at, html } = await untilConsentPage(rp, 'openid competences');
    const abort = formAction(html, '/consent').replace(/\/consent$/, '/abort');
    const refused = await postForm(agent, at, html, abort, []);
    expect(refused.status).toBe(303);
    const back = await agent.follow(
      new URL(refused.headers.get('location') as string, at),
      {},
      rp.client.redirectUri,
    );
    expect(back.url.searchParams.get('error')).toBe('access_denied');
    expect(back.url.searchParams.get('state')).toBe('conformance-state');
    expect(back.url.searchParams.get('iss')).toBe(server.issuer);
  });
});

describe('Protocol: prompts and consent (OIDC Core §3.1.2.1; SECURITY.md)', () => {
  it('prompt=none without a session: login_required', async () => {
    const rp = await newRp(server);
    const flow = await signIn(rp, { scope: 'openid competences', extra: { prompt: 'none' } });
    expect(flow.shown).toEqual([]);
    expect(flow.callback.searchParams.get('error')).toBe('login_required');
    expect(flow.callback.searchParams.get('iss')).toBe(server.issuer);
  });

  it('prompt=none asking for new fields: consent_required, never a silent grant', async () => {
    const rp = await newRp(server);
    const first = await signIn(rp, { scope: 'openid competences' });
    const wider = await signIn(rp, {
      scope: 'openid competences langues',
      agent: first.agent,
      extra: { prompt: 'none' },
    });
    expect(wider.callback.searchParams.get('error')).toBe('consent_required');
    expect(wider.callback.searchParams.get('iss')).toBe(server.issuer);
    expect(wider.callback.searchParams.get('code')).toBeNull();
  });

  it('one more field than was consented: the consent page again, showing it unticked', async () => {
    const rp = await newRp(server);
    const first = await signIn(rp, { scope: 'openid email' });
    expect(first.shown).toEqual(['login', 'consent']);
    let page = '';
    const again = await signIn(rp, {
      scope: 'openid email phone',
      agent: first.agent,
      fields: (shown) => {
        page = shown.join(' ');
        return shown.filter((f) => !f.startsWith('phone.'));
      },
    });
    expect(again.shown).toEqual(['consent']);
    expect(page).toContain('phone.phone_number');
    // Left unticked, it is not released.
    const tokens = await redeem(rp, again);
    const userinfo = await oidc.fetchUserInfo(rp.config, tokens.access_token, tokens.claims()?.sub as string);
    expect(userinfo).not.toHaveProperty('phone_number');
    expect(userinfo).toHaveProperty('email');
  });

  it('prompt=login and max_age really re-authenticate, and auth_time moves each time', async () => {
    const rp = await newRp(server);
    const first = await signIn(rp, { scope: 'openid', extra: { max_age: '3600' } });
    const t1 = (await redeem(rp, first)).claims()?.auth_time as number;
    await sleep(2100); // auth_time has a one-second resolution: max_age=1 is passed after 2 s
    const maxAge = await signIn(rp, { scope: 'openid', agent: first.agent, extra: { max_age: '1' } });
    expect(maxAge.shown).toEqual(['login']);
    const t2 = (await redeem(rp, maxAge)).claims()?.auth_time as number;
    expect(t2).toBeGreaterThan(t1);
    await sleep(1100);
    const login = await signIn(rp, { scope: 'openid', agent: first.agent, extra: { prompt: 'login' } });
    expect(login.shown).toEqual(['login']);
    const t3 = (await redeem(rp, login)).claims()?.auth_time as number;
    expect(t3).toBeGreaterThan(t2);
  });
});

describe('Protocol: refresh tokens (RFC 9700 §4.14)', () => {
  async function withRefreshToken() {
    const rp = await newRp(server);
    const flow = await signIn(rp, {
      scope: 'openid profile offline_access competences',
      extra: { prompt: 'consent' },
    });
    const tokens = await redeem(rp, flow, api);
    return { rp, tokens, refreshToken: tokens.refresh_token as string };
  }
  const refresh = (client: Pick<Client, 'client_id' | 'client_secret'>, token: string, extra = {}) =>
    tokenRequest(server, client, { grant_type: 'refresh_token', refresh_token: token, ...extra });

  it("§4.14.2: client A's refresh token presented by client B is refused", async () => {
    const { refreshToken } = await withRefreshToken();
    const other = await newRp(server);
    expect((await refresh(other.client, refreshToken)).json.error).toBe('invalid_grant');
  });

  it('§4.14: a refresh asking for a wider scope is refused', async () => {
    const { rp, refreshToken } = await withRefreshToken();
    for (const scope of ['openid profile email', 'openid competences langues']) {
      const response = await refresh(rp.client, refreshToken, { scope });
      expect(response.response.status).toBe(400);
      expect(response.json.error, scope).toBe('invalid_scope');
    }
  });

  it('§4.14.2 rotation: a rotated-out refresh token, replayed, revokes the whole grant', async () => {
    const { rp, refreshToken } = await withRefreshToken();
    const rotated = await refresh(rp.client, refreshToken, { resource: api });
    expect(rotated.response.status).toBe(200);
    expect((await apiGet(rotated.json.access_token as string)).status).toBe(200);
    expect((await refresh(rp.client, refreshToken)).json.error).toBe('invalid_grant');
    expect((await refresh(rp.client, rotated.json.refresh_token as string)).json.error).toBe('invalid_grant');
    expect((await apiGet(rotated.json.access_token as string)).status).toBe(401);
  });

  it('after the consent is withdrawn: the refresh token and the access token fail on the next call', async () => {
    const { rp, tokens, refreshToken } = await withRefreshToken();
    expect((await apiGet(tokens.access_token)).status).toBe(200);
    await withdrawInDashboard(rp.jobseeker);
    const api401 = await apiGet(tokens.access_token);
    expect(api401.status).toBe(401);
    expect(api401.headers.get('www-authenticate')).toContain('invalid_token');
    expect((await refresh(rp.client, refreshToken)).json.error).toBe('invalid_grant');
  });
});

describe('Protocol: every redirect after a POST is a 303 (RFC 9700 §4.12)', () => {
  it('login, consent, refusal, logout confirmation and the dashboard', async () => {
    const rp = await newRp(server);
    const flow = await signIn(rp, { scope: 'openid competences' });
    expect(flow.shown).toEqual(['login', 'consent']);
    expect(flow.postStatuses).toEqual([303, 303]);

    const other = await newRp(server);
    const { agent, at, html } = await untilConsentPage(other, 'openid competences');
    const abort = formAction(html, '/consent').replace(/\/consent$/, '/abort');
    expect((await postForm(agent, at, html, abort, [])).status).toBe(303);

    const tokens = await redeem(rp, flow);
    const end = new URL(`${server.issuer}/session/end`);
    end.searchParams.set('id_token_hint', tokens.id_token as string);
    const logoutHtml = await (await flow.agent.request(end)).text();
    const action = /<form id="op.logoutForm" method="post" action="([^"]+)"/.exec(logoutHtml)?.[1] as string;
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(logoutHtml)?.[1] as string;
    const logout = await flow.agent.request(new URL(action, server.issuer), {
      method: 'POST',
      body: new URLSearchParams({ xsrf, logout: 'yes' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.issuer },
    });
    expect(logout.status).toBe(303);

    expect(await withdrawInDashboard(rp.jobseeker)).toEqual([303, 303]);
  });
});

describe('Protocol: logout (OIDC RP-Initiated Logout §2, §3)', () => {
  // The conformance variants are in rp-initiated-logout.test.ts; these are SECURITY.md's three.
  it('no redirect for an unregistered URI, a foreign hint or a forged hint; no logout on a GET', async () => {
    const rp = await newRp(server, { post_logout_redirect_uris: ['http://127.0.0.1:9/rp-logout'] });
    const flow = await signIn(rp, { scope: 'openid' });
    const idToken = (await redeem(rp, flow)).id_token as string;
    const foreign = await newRp(server);
    const foreignToken = (await redeem(foreign, await signIn(foreign, { scope: 'openid' })))
      .id_token as string;
    const { privateKey } = await jose.generateKeyPair('RS256');
    const forged = await new jose.SignJWT(jose.decodeJwt(idToken))
      .setProtectedHeader({ alg: 'RS256', kid: jose.decodeProtectedHeader(idToken).kid })
      .sign(privateKey);

    const attempts: Record<string, string>[] = [
      { id_token_hint: idToken, post_logout_redirect_uri: 'https://evil.example/logout' },
      { id_token_hint: foreignToken, post_logout_redirect_uri: 'http://127.0.0.1:9/rp-logout' },
      { id_token_hint: forged, post_logout_redirect_uri: 'http://127.0.0.1:9/rp-logout' },
      { id_token_hint: foreignToken, client_id: rp.client.client_id },
    ];
    for (const params of attempts) {
      const url = new URL(`${server.issuer}/session/end`);
      url.search = new URLSearchParams(params).toString();
      const response = await flow.agent.request(url);
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
    }
    // The GETs above ended nothing: the session still authorizes silently.
    const silent = await signIn(rp, { scope: 'openid', agent: flow.agent, extra: { prompt: 'none' } });
    expect(silent.callback.searchParams.get('code')).toBeTruthy();
  });
});

describe('Resource API: authentication (RFC 6750, RFC 9700 §2.2, §4.10)', () => {
  let rp: Rp;
  let tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
  beforeAll(async () => {
    rp = await newRp(server);
    tokens = await redeem(rp, await signIn(rp, { scope: 'openid competences statut' }), api);
  });

  it('serves the valid token (the refusals below are not refusing everything)', async () => {
    const response = await apiGet(tokens.access_token);
    expect(response.status).toBe(200);
  });

  it('missing, invalid or expired token: 401 with WWW-Authenticate', async () => {
    const missing = await fetch(`${api}/v1/competences`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(
      /^Bearer realm="[^"]+", resource_metadata="[^"]+"$/,
    );
    const invalid = await apiGet('A'.repeat(43));
    expect(invalid.status).toBe(401);
    expect(invalid.headers.get('www-authenticate')).toContain('error="invalid_token"');

    const { access_token: expiring } = await redeem(
      rp,
      await signIn(rp, { scope: 'openid competences' }),
      api,
    );
    expect((await apiGet(expiring)).status).toBe(200);
    await server.pool.query(
      `UPDATE oidc_models SET expires_at = now() - interval '1 second' WHERE model = 'AccessToken' AND id = $1`,
      [storedId('AccessToken', expiring)],
    );
    const expired = await apiGet(expiring);
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('a scope not consented to: 403 insufficient_scope; an unticked field: absent', async () => {
    const narrow = await newRp(server);
    const flow = await signIn(narrow, {
      scope: 'openid competences statut',
      fields: (shown) => shown.filter((f) => f === 'competences.niveau'),
    });
    const token = (await redeem(narrow, flow, api)).access_token;
    const statut = await apiGet(token, 'statut');
    expect(statut.status).toBe(403);
    expect(statut.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    const competences = (await (await apiGet(token)).json()) as Record<string, unknown>[];
    expect(competences.length).toBeGreaterThan(0);
    for (const item of competences) expect(Object.keys(item)).toEqual(['niveau']);
  });

  it('a token in the query string or in the body is refused', async () => {
    const query = await fetch(`${api}/v1/competences?access_token=${tokens.access_token}`);
    expect(query.status).toBe(400);
    const form = await fetch(`${api}/v1/competences`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ access_token: tokens.access_token }),
    });
    expect(form.status).toBeGreaterThanOrEqual(400);
    expect(form.status).toBeLessThan(500);
    expect(await form.text()).not.toContain('"code"');
    // A GET carrying a body (fetch cannot send one).
    const status = await new Promise<number>((resolve, reject) => {
      const body = `access_token=${tokens.access_token}`;
      const req = http.request(
        `${api}/v1/competences`,
        {
          method: 'GET',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': body.length },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode as number);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(status).toBe(401);
  });

  it('an ID token, a token for another audience, or a client-credentials token: 401', async () => {
    expect((await apiGet(tokens.id_token as string)).status).toBe(401);
    // A token for another resource server (RFC 9700 §2.3), minted through oidc-provider's own model
    // since `resource` accepts no other value here: refused, naming the audience. (A token exchanged
    // without `resource` serves userinfo and the API alike: src/oidc/one-token.ts.)
    const provider = server.app.provider;
    const client = await provider.Client.find(rp.client.client_id);
    const elsewhere = 'https://autre-api.example.fr';
    const foreign = await new provider.AccessToken({
      client,
      accountId: rp.jobseeker.id,
      grantId: 'x',
      scope: 'competences',
      resourceServer: { audience: elsewhere, scope: 'competences', accessTokenFormat: 'opaque' },
    } as ConstructorParameters<typeof provider.AccessToken>[0]).save();
    const refused = await apiGet(foreign);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error_description: string }).error_description).toContain(elsewhere);
    // The client credentials grant is off (above), so the token is minted through oidc-provider's own
    // model, as a misconfiguration would issue it: it names no jobseeker and must read nothing.
    const cc = await new provider.ClientCredentials({
      client,
      scope: 'competences',
      resourceServer: { audience: api, scope: 'competences', accessTokenFormat: 'opaque' },
    } as ConstructorParameters<typeof provider.ClientCredentials>[0]).save();
    const response = await apiGet(cc);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('§4.10 JWT-shaped bearers (the API takes opaque tokens only): none, HS256 with the public key, bad signature, wrong iss, unknown kid, wrong typ', async () => {
    const { keys } = (await (await fetch(`${server.issuer}/jwks`)).json()) as { keys: jose.JWK[] };
    const rs256 = keys.find((k) => k.alg === 'RS256') as jose.JWK;
    const claims = {
      iss: server.issuer,
      aud: api,
      sub: rp.jobseeker.id,
      client_id: rp.client.client_id,
      scope: 'competences',
      jti: 'x',
    };
    const sign = async (
      header: jose.JWTHeaderParameters,
      key: Parameters<jose.SignJWT['sign']>[0],
      payload: Record<string, unknown> = claims,
    ) => new jose.SignJWT(payload).setProtectedHeader(header).setIssuedAt().setExpirationTime('5m').sign(key);
    const attacker = (await jose.generateKeyPair('RS256')).privateKey;
    const publicPem = await jose.exportSPKI(
      (await jose.importJWK(rs256, 'RS256', { extractable: true })) as CryptoKey,
    );
    const now = Math.floor(Date.now() / 1000);
    const jwts: Record<string, string> = {
      'alg none': `${jose.base64url.encode(JSON.stringify({ alg: 'none', typ: 'at+jwt' }))}.${jose.base64url.encode(JSON.stringify({ ...claims, iat: now, exp: now + 300 }))}.`,
      'HS256 with the public key': await sign(
        { alg: 'HS256', typ: 'at+jwt', kid: rs256.kid },
        new TextEncoder().encode(publicPem),
      ),
      'bad signature': await sign({ alg: 'RS256', typ: 'at+jwt', kid: rs256.kid }, attacker),
      'wrong iss': await sign({ alg: 'RS256', typ: 'at+jwt', kid: rs256.kid }, attacker, {
        ...claims,
        iss: 'https://evil.example',
      }),
      'unknown kid': await sign({ alg: 'RS256', typ: 'at+jwt', kid: 'unknown-kid' }, attacker),
      'wrong typ': await sign({ alg: 'RS256', typ: 'JWT', kid: rs256.kid }, attacker),
    };
    for (const [name, jwt] of Object.entries(jwts)) {
      const response = await apiGet(jwt);
      expect(response.status, name).toBe(401);
      expect(response.headers.get('www-authenticate'), name).toMatch(/^Bearer /);
      expect(await response.text(), name).not.toContain('"code"');
    }
  });
});

describe('Resource API: whose data (RFC 9700 §4.15: the subject comes only from the token)', () => {
  it("jobseeker A's token never reads B's data, whatever the request names", async () => {
    const a = await newRp(server);
    const b: Rp = { ...a, jobseeker: (await newRp(server)).jobseeker };
    const bCompetences = [
      { code: '999999', libelle: 'Conduire un chariot', type: 'savoir_faire', niveau: null },
    ];
    await server.pool.query(
      "UPDATE jobseeker_data SET value = $2 WHERE jobseeker_id = $1 AND scope = 'competences'",
      [b.jobseeker.id, JSON.stringify(bCompetences)],
    );
    const tokenA = (await redeem(a, await signIn(a, { scope: 'openid competences' }), api)).access_token;
    const bFlow = await signIn(b, { scope: 'openid competences' });
    const bTokens = await redeem(b, bFlow, api);
    const subB = bTokens.claims()?.sub as string;
    expect(await (await apiGet(bTokens.access_token)).json()).toEqual(bCompetences);

    const attempts = [
      apiGet(tokenA),
      apiGet(tokenA, `competences?sub=${subB}`),
      apiGet(tokenA, `competences?jobseeker_id=${b.jobseeker.id}`),
      apiGet(tokenA, 'competences', { 'x-subject': subB, 'x-jobseeker-id': b.jobseeker.id }),
    ];
    for (const response of await Promise.all(attempts)) {
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual(a.jobseeker.data.competences);
    }
    expect((await apiGet(tokenA, `competences/${b.jobseeker.id}`)).status).toBe(404);
  });

  it("an app's token never reads what the jobseeker granted to another app", async () => {
    const one = await newRp(server);
    const two: Rp = { ...(await newRp(server)), jobseeker: one.jobseeker };
    const agent = (await signIn(one, { scope: 'openid competences' })).agent;
    const flow = await signIn(two, {
      scope: 'openid competences statut',
      agent,
      fields: (s) => s.filter((f) => f.startsWith('statut.')),
    });
    const token = (await redeem(two, flow, api)).access_token;
    expect((await apiGet(token, 'statut')).status).toBe(200);
    expect((await apiGet(token, 'competences')).status).toBe(403);
  });
});

describe('Resource API: personal-data responses (RFC 9700 §4.16; SECURITY.md "Headers")', () => {
  // A browser sends Origin on every cross-origin request, so "no CORS" means: no request that carries
  // an Origin gets an Access-Control-Allow-Origin back. (oidc-provider answers `*` to server-side
  // requests without one, which no browser can make cross-origin.)
  it('no-store and no CORS, on the API, userinfo and the token endpoint', async () => {
    const rp = await newRp(server);
    const origin = { origin: 'https://evil.example' };
    const flow = await signIn(rp, { scope: 'openid email competences' });
    const params = {
      grant_type: 'authorization_code',
      code: flow.callback.searchParams.get('code') as string,
      redirect_uri: rp.client.redirectUri,
      code_verifier: flow.verifier,
    };
    const fromBrowser = await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: {
        authorization: basicAuth(rp.client),
        'content-type': 'application/x-www-form-urlencoded',
        ...origin,
      },
      body: new URLSearchParams(params),
    });
    expect(fromBrowser.status).toBe(400);
    expect(fromBrowser.headers.get('access-control-allow-origin')).toBeNull();
    const token = await tokenRequest(server, rp.client, params);
    expect(token.response.status).toBe(200);
    expect(token.response.headers.get('cache-control')).toBe('no-store');

    const forApi = (
      await redeem(rp, await signIn(rp, { scope: 'openid email competences', agent: flow.agent }), api)
    ).access_token;
    const userinfo = (init: RequestInit = {}) =>
      fetch(`${server.issuer}/me`, {
        ...init,
        headers: { authorization: `Bearer ${token.json.access_token}`, ...origin },
      });
    for (const response of [
      await apiGet(forApi, 'competences', origin),
      await apiGet('A'.repeat(43), 'competences', origin),
      await userinfo(),
      await userinfo({ method: 'POST' }),
    ]) {
      expect(response.status, response.url).toBeLessThan(500);
      expect(response.headers.get('cache-control'), response.url).toBe('no-store');
      expect(response.headers.get('access-control-allow-origin'), response.url).toBeNull();
    }
    // Preflights: the API answers none; oidc-provider answers its own generically (it cannot know the
    // client before the request), and the requests themselves get no CORS header (above).
    const preflight = await fetch(`${api}/v1/competences`, {
      method: 'OPTIONS',
      headers: {
        ...origin,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });
});

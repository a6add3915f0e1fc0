// The OpenID Foundation "RP-Initiated Logout OP" certification plan
// (oidcc-rp-initiated-logout-certification-test-plan), one test per module, against a running server,
// plus SECURITY.md's logout items: no redirect for an unregistered post_logout_redirect_uri or a
// foreign or forged id_token_hint, and a logout only after a confirmation POST.
// Every module starts with a normal sign-in (a full grant: every consent box ticked), then sends the
// browser to the end_session_endpoint. Where a module accepts "an error page or a confirmation", ours
// shows the one named in the test; a confirmation is always required before anything is ended.
import { createHash } from 'node:crypto';
import * as jose from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRp, type Rp, redeem, signIn } from '../support/relying-party.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { UserAgent } from '../support/user-agent.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const POST_LOGOUT = 'http://127.0.0.1:9/after-logout';
// The suite uses a 128-character state to check that the OP does not corrupt it.
const STATE = 'S'.repeat(64) + '-_.~'.repeat(16);

/** A signed-in browser and the ID token its app received. */
async function signedIn(rp?: Rp) {
  const party = rp ?? (await newRp(server));
  const flow = await signIn(party, { scope: 'openid' });
  const tokens = await redeem(party, flow);
  return { rp: party, agent: flow.agent, idToken: tokens.id_token as string };
}

/** The browser is sent to the end_session_endpoint; redirects are not followed. */
function endSession(agent: UserAgent, params: Record<string, string>) {
  const url = new URL(`${server.issuer}/session/end`);
  url.search = new URLSearchParams(params).toString();
  return agent.request(url);
}

/** The confirmation page: oidc-provider's form (with its xsrf token) under our buttons. */
async function confirmationPage(response: Response) {
  expect(response.status).toBe(200);
  expect(response.headers.get('location')).toBeNull();
  const html = await response.text();
  expect(html).toContain('Oui, me déconnecter');
  const action = /<form id="op.logoutForm" method="post" action="([^"]+)"/.exec(html)?.[1];
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
  if (!action || !xsrf) throw new Error('no logout form');
  return { action, xsrf };
}

/** The jobseeker presses « Oui, me déconnecter »; answers the redirect's target. */
async function confirm(agent: UserAgent, form: { action: string; xsrf: string }) {
  const response = await agent.request(new URL(form.action, server.issuer), {
    method: 'POST',
    body: new URLSearchParams({ xsrf: form.xsrf, logout: 'yes' }),
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.issuer },
  });
  // SECURITY.md: every redirect after a POST is a 303.
  expect(response.status).toBe(303);
  return new URL(response.headers.get('location') as string, server.issuer);
}

/** Our own "you are logged out" page, where the OP lands when it must not return to the app. */
async function expectLoggedOutPage(agent: UserAgent, location: URL) {
  expect(location.origin).toBe(server.issuer);
  expect(location.pathname).toBe('/session/end/success');
  const page = await agent.request(location);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('Vous êtes déconnecté');
}

/** An error page, no redirect, and no logout form to submit. */
async function expectErrorPage(response: Response, text?: string) {
  expect(response.status).toBe(400);
  expect(response.headers.get('location')).toBeNull();
  const html = await response.text();
  expect(html).not.toContain('op.logoutForm');
  if (text) expect(html).toContain(text);
}

/** The module's final step: a prompt=none authorization tells whether the session survived. */
async function silentAuthorization(rp: Rp, agent: UserAgent) {
  const flow = await signIn(rp, { scope: 'openid', agent, extra: { prompt: 'none' } });
  expect(flow.shown).toEqual([]);
  return flow.callback.searchParams;
}

const expectLoggedOut = async (rp: Rp, agent: UserAgent) =>
  expect((await silentAuthorization(rp, agent)).get('error')).toBe('login_required');
const expectStillSignedIn = async (rp: Rp, agent: UserAgent) =>
  expect((await silentAuthorization(rp, agent)).get('code')).toBeTruthy();

describe('RP-Initiated Logout OP', () => {
  it('oidcc-rp-initiated-logout-discovery-endpoint-verification', async () => {
    const metadata = (await newRp(server)).config.serverMetadata();
    expect(metadata.end_session_endpoint).toBe(`${server.issuer}/session/end`);
  });

  it('oidcc-rp-initiated-logout: confirmed, back to the app with its state, and the session is gone', async () => {
    const { rp, agent, idToken } = await signedIn();
    const page = await endSession(agent, {
      id_token_hint: idToken,
      post_logout_redirect_uri: POST_LOGOUT,
      state: STATE,
    });
    const back = await confirm(agent, await confirmationPage(page));
    // CheckPostLogoutState and CheckForUnexpectedParametersInPostLogoutRedirect.
    expect(`${back.origin}${back.pathname}`).toBe(POST_LOGOUT);
    expect([...back.searchParams.keys()]).toEqual(['state']);
    expect(back.searchParams.get('state')).toBe(STATE);
    // CheckErrorFromAuthorizationEndpointIsOneThatRequiredAUserInterface.
    await expectLoggedOut(rp, agent);
  });

  it('oidcc-rp-initiated-logout-bad-post-logout-redirect-uri: an error page, no redirect', async () => {
    const { rp, agent, idToken } = await signedIn();
    const response = await endSession(agent, {
      id_token_hint: idToken,
      post_logout_redirect_uri: 'https://evil.example/after-logout',
      state: STATE,
    });
    await expectErrorPage(response, 'post_logout_redirect_uri');
    await expectStillSignedIn(rp, agent);
  });

  it('oidcc-rp-initiated-logout-query-added-to-post-logout-redirect-uri: an error page, no redirect', async () => {
    const { rp, agent, idToken } = await signedIn();
    const response = await endSession(agent, {
      id_token_hint: idToken,
      post_logout_redirect_uri: `${POST_LOGOUT}?foo=bar`,
      state: STATE,
    });
    await expectErrorPage(response, 'post_logout_redirect_uri');
    await expectStillSignedIn(rp, agent);
  });

  it('oidcc-rp-initiated-logout-modified-id-token-hint: alg none → an error page, no redirect', async () => {
    const { rp, agent, idToken } = await signedIn();
    const [, payload] = idToken.split('.');
    const none = `${jose.base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${payload}.`;
    const response = await endSession(agent, {
      id_token_hint: none,
      post_logout_redirect_uri: POST_LOGOUT,
      state: STATE,
    });
    await expectErrorPage(response, 'id_token_hint');
    await expectStillSignedIn(rp, agent);
  });

  it('oidcc-rp-initiated-logout-bad-id-token-hint: signed by someone else → an error page', async () => {
    const { rp, agent, idToken } = await signedIn();
    // The real token's claims, re-signed with a key of the attacker's under our key's kid.
    const { kid } = jose.decodeProtectedHeader(idToken);
    const { privateKey } = await jose.generateKeyPair('RS256');
    const forged = await new jose.SignJWT(jose.decodeJwt(idToken))
      .setProtectedHeader({ alg: 'RS256', kid })
      .sign(privateKey);
    const response = await endSession(agent, {
      id_token_hint: forged,
      post_logout_redirect_uri: POST_LOGOUT,
      state: STATE,
    });
    await expectErrorPage(response, 'id_token_hint');
    await expectStillSignedIn(rp, agent);
  });

  it('oidcc-rp-initiated-logout-no-id-token-hint: confirmed, but never sent back to the given URI', async () => {
    const { rp, agent } = await signedIn();
    const page = await endSession(agent, { post_logout_redirect_uri: POST_LOGOUT, state: STATE });
    const location = await confirm(agent, await confirmationPage(page));
    await expectLoggedOutPage(agent, location);
    await expectLoggedOut(rp, agent);
  });

  it('oidcc-rp-initiated-logout-no-params: confirmed, then our logged-out page', async () => {
    const { rp, agent } = await signedIn();
    const page = await endSession(agent, {});
    const location = await confirm(agent, await confirmationPage(page));
    await expectLoggedOutPage(agent, location);
    await expectLoggedOut(rp, agent);
  });

  it('oidcc-rp-initiated-logout-no-post-logout-redirect-uri: confirmed, then our logged-out page', async () => {
    const { rp, agent, idToken } = await signedIn();
    const page = await endSession(agent, { id_token_hint: idToken, state: STATE });
    const location = await confirm(agent, await confirmationPage(page));
    await expectLoggedOutPage(agent, location);
    expect(location.searchParams.get('state')).toBeNull();
    await expectLoggedOut(rp, agent);
  });

  it('oidcc-rp-initiated-logout-no-state: back to the app without a state', async () => {
    const { rp, agent, idToken } = await signedIn();
    const page = await endSession(agent, { id_token_hint: idToken, post_logout_redirect_uri: POST_LOGOUT });
    const back = await confirm(agent, await confirmationPage(page));
    expect(back.href).toBe(POST_LOGOUT);
    await expectLoggedOut(rp, agent);
  });

  it('oidcc-rp-initiated-logout-only-state: confirmed, then our logged-out page', async () => {
    const { rp, agent } = await signedIn();
    const page = await endSession(agent, { state: STATE });
    const location = await confirm(agent, await confirmationPage(page));
    await expectLoggedOutPage(agent, location);
    expect(location.searchParams.get('state')).toBeNull();
    await expectLoggedOut(rp, agent);
  });
  it('oidcc-rp-initiated-logout-no-params, from a browser without a session: the self-submitting form runs', async () => {
    // No session, so oidc-provider answers with a form that submits itself by an inline script; the
    // page's CSP must name that script's hash, or the browser would stop on a blank page.
    const fresh = new UserAgent();
    const response = await endSession(fresh, { state: STATE });
    expect(response.status).toBe(200);
    const html = await response.text();
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] as string;
    const hash = createHash('sha256').update(script).digest('base64');
    expect(response.headers.get('content-security-policy')).toContain(`'sha256-${hash}'`);
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1] as string;
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1] as string;
    const location = await confirm(fresh, { action, xsrf });
    await expectLoggedOutPage(fresh, location);
  });
});

describe('logout under attack (SECURITY.md, "Protocol")', () => {
  it("refuses another app's ID token used to reach this app's post_logout_redirect_uri", async () => {
    const target = await newRp(server, { post_logout_redirect_uris: ['http://127.0.0.1:9/target-logout'] });
    const { agent, idToken } = await signedIn();
    // The hint is valid, but for another app: its URI is not registered for the hint's app.
    const viaHint = await endSession(agent, {
      id_token_hint: idToken,
      post_logout_redirect_uri: 'http://127.0.0.1:9/target-logout',
    });
    await expectErrorPage(viaHint, 'post_logout_redirect_uri');
    // Naming the target app as client_id does not help: it contradicts the hint.
    const viaClientId = await endSession(agent, {
      id_token_hint: idToken,
      client_id: target.client.client_id,
      post_logout_redirect_uri: 'http://127.0.0.1:9/target-logout',
    });
    await expectErrorPage(viaClientId, 'client_id');
  });

  it('ends nothing on a GET: only the confirmation POST logs out', async () => {
    const { rp, agent, idToken } = await signedIn();
    const page = await endSession(agent, { id_token_hint: idToken, post_logout_redirect_uri: POST_LOGOUT });
    const form = await confirmationPage(page);
    await expectStillSignedIn(rp, agent);
    // And the confirmation still works afterwards.
    expect((await confirm(agent, form)).href).toBe(POST_LOGOUT);
    await expectLoggedOut(rp, agent);
  });

  // The xsrf token is the CSRF defence of oidc-provider's confirmation (a cross-site page cannot read
  // it), and the session cookie is SameSite=Lax, so a browser would not even send it cross-site.
  it('refuses a confirmation without its xsrf token, or with a guessed one', async () => {
    const { rp, agent, idToken } = await signedIn();
    const form = await confirmationPage(
      await endSession(agent, { id_token_hint: idToken, post_logout_redirect_uri: POST_LOGOUT }),
    );
    const post = (body: Record<string, string>, headers: Record<string, string>) =>
      agent.request(new URL(form.action, server.issuer), {
        method: 'POST',
        body: new URLSearchParams(body),
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      });
    for (const [body, headers] of [
      [{ logout: 'yes' }, { origin: server.issuer }],
      [
        { xsrf: 'guessed', logout: 'yes' },
        { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      ],
    ] as const) {
      const response = await post(body, headers);
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
    }
    await expectStillSignedIn(rp, agent);
  });
});

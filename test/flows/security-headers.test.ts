// Headers and cookies on every kind of page and answer (../SECURITY.md, "Headers" and "Sessions"):
// a strict CSP (frame-ancestors, object-src and base-uri 'none', no inline script), frame denial and
// nosniff everywhere; no-referrer on the interaction pages; no-store on tokens, personal data and our
// pages; no CORS on the authorization endpoint, the token endpoints and the API; every cookie HttpOnly
// and SameSite=Lax; and in production, every cookie Secure and HSTS on every answer.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize, discover } from '../support/authorize.ts';
import { createClient, createJobseeker } from '../support/factories.ts';
import { exchange, grantedApp } from '../support/grant.ts';
import { PRODUCTION_SECRETS, startTestServer, type TestServer } from '../support/test-server.ts';
import { formAction, UserAgent } from '../support/user-agent.ts';

/**
 * A browser that keeps every Set-Cookie it receives, to check their attributes. Behind a proxy, it
 * adds the proxy's headers to every request and reaches the public issuer's URLs at the test server
 * (as a hosts entry would).
 */
class RecordingAgent extends UserAgent {
  readonly cookies: { url: string; line: string }[] = [];
  private readonly headers: Record<string, string>;
  private readonly hosts: { public: string; local: string } | undefined;
  constructor(headers: Record<string, string> = {}, hosts?: { public: string; local: string }) {
    super();
    this.headers = headers;
    this.hosts = hosts;
  }
  override async request(input: string | URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    for (const [k, v] of Object.entries(this.headers)) headers.set(k, v);
    let url = String(input);
    if (this.hosts && url.startsWith(this.hosts.public))
      url = this.hosts.local + url.slice(this.hosts.public.length);
    const response = await super.request(url, { ...init, headers });
    for (const line of response.headers.getSetCookie()) this.cookies.push({ url, line });
    return response;
  }
}

interface Seen {
  name: string;
  status: number;
  headers: Headers;
  body: string;
}

async function seen(name: string, response: Response | Promise<Response>): Promise<Seen> {
  const r = await response;
  return { name, status: r.status, headers: r.headers, body: await r.text() };
}

const PASSWORD = 'un mot de passe assez long';

/** Walks through every kind of page and answer once, with one browser; returns what it saw. */
async function tour(server: TestServer, agent: RecordingAgent, redirectUri?: string) {
  const url = (path: string) => new URL(path, server.url);
  const client = await createClient(
    server,
    redirectUri
      ? {
          redirect_uris: [redirectUri],
          post_logout_redirect_uris: [redirectUri.replace(/cb$/, 'after-logout')],
        }
      : {},
  );
  const jobseeker = await createJobseeker(server);
  const config = await discover(server.issuer, client.client_id, client.client_secret).catch(() => undefined);
  const html: Seen[] = [];
  const json: Seen[] = [];

  json.push(await seen('discovery', agent.request(url('/.well-known/openid-configuration'))));
  json.push(await seen('JWKS', agent.request(url('/jwks'))));

  // /auth with an unknown client: the provider's error page.
  html.push(
    await seen(
      '/auth error page',
      agent.request(url('/auth?client_id=unknown&response_type=code&scope=openid')),
    ),
  );
  // Our own error pages: an unknown page, an interaction that does not exist.
  html.push(await seen('404 page', agent.request(url('/nothing-here'))));
  html.push(await seen('interaction error page', agent.request(url('/interaction/unknown-uid'))));

  // The login page, then the consent page.
  const authUrl = url('/auth');
  for (const [k, v] of Object.entries({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: client.redirectUri,
    scope: 'openid profile competences',
    code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
    code_challenge_method: 'S256',
    state: 'st',
    nonce: 'nn',
  }))
    authUrl.searchParams.set(k, v);
  const first = await agent.request(authUrl);
  json.push({ name: '/auth redirect', status: first.status, headers: first.headers, body: '' });
  const loginUrl = url(first.headers.get('location') as string);
  const login = await seen('login page', agent.request(loginUrl));
  html.push(login);
  const afterLogin = await agent.submit(
    loginUrl,
    login.body,
    formAction(login.body, '/login'),
    [
      ['login', jobseeker.login],
      ['password', jobseeker.password],
    ],
    client.redirectUri,
  );
  const consent = await seen('consent page', afterLogin.response);
  html.push(consent);
  const back = await agent.submit(
    afterLogin.url,
    consent.body,
    formAction(consent.body, '/consent'),
    [
      ['fields', 'competences.code'],
      ['fields', 'profile.given_name'],
    ],
    client.redirectUri,
  );
  const code = back.url.searchParams.get('code');

  // The logout confirmation (with the session), without following it.
  html.push(await seen('logout confirmation', agent.request(url('/session/end'))));

  // The jobseeker's space: login page, then the consents page.
  const accountLogin = await seen('/account login page', agent.request(url('/account/login')));
  html.push(accountLogin);
  const signedIn = await agent.submit(
    url('/account/login'),
    accountLogin.body,
    formAction(accountLogin.body, '/account/login'),
    [
      ['login', jobseeker.login],
      ['password', jobseeker.password],
    ],
  );
  html.push(await seen('/account consents page', signedIn.response));
  const { rows } = await server.pool.query<{ id: string }>(
    'SELECT id FROM consents WHERE jobseeker_id = $1',
    [jobseeker.id],
  );
  html.push(
    await seen('/account history page', agent.request(url(`/account/consents/${rows[0]?.id}/history`))),
  );
  html.push(await seen('/account access log page', agent.request(url('/account/access-log'))));
  html.push(await seen('/developpeurs page', agent.request(url('/developpeurs'))));
  json.push(await seen('/account export', agent.request(url('/account/export'))));

  // The admin console: login page, then the apps list.
  const email = `headers-${Date.now()}@pole-emploi.example`;
  await server.app.services.admins.create(email, PASSWORD, { actor: 'test' });
  const adminLogin = await seen('/admin login page', agent.request(url('/admin/login')));
  html.push(adminLogin);
  const adminIn = await agent.submit(
    url('/admin/login'),
    adminLogin.body,
    formAction(adminLogin.body, '/admin/login'),
    [
      ['email', email],
      ['password', PASSWORD],
    ],
  );
  if (adminIn.url.pathname === '/admin') html.push(await seen('/admin apps list', adminIn.response));

  // Static files and health.
  const other: Seen[] = [];
  other.push(await seen('stylesheet', agent.request(url('/assets/style.css'))));
  other.push(await seen('liveness', agent.request(url('/healthz'))));
  other.push(await seen('readiness', agent.request(url('/readyz'))));

  return { client, jobseeker, config, code, html, json, other };
}

const CSP_DIRECTIVES = ["frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"];

function expectHtmlHeaders(page: Seen) {
  const what = `${page.name} (${page.status})`;
  expect.soft(page.headers.get('content-type') ?? '', what).toMatch(/^text\/html/);
  const csp = page.headers.get('content-security-policy') ?? '';
  for (const directive of CSP_DIRECTIVES) expect.soft(csp, `${what}: CSP`).toContain(directive);
  const scriptSrc =
    /(?:^|;)\s*script-src ([^;]*)/.exec(csp)?.[1] ?? /(?:^|;)\s*default-src ([^;]*)/.exec(csp)?.[1];
  expect.soft(scriptSrc, `${what}: script-src or default-src`).toBeDefined();
  expect.soft(scriptSrc ?? '', `${what}: script-src`).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  expect.soft(page.headers.get('x-frame-options'), `${what}: X-Frame-Options`).toBe('DENY');
  expect.soft(page.headers.get('x-content-type-options'), `${what}: nosniff`).toBe('nosniff');
  // (A 404 for a path that is no page of ours carries nothing worth keeping out of caches.)
  if (page.name !== '404 page')
    expect.soft(page.headers.get('cache-control') ?? '', `${what}: Cache-Control`).toMatch(/no-store/);
  // No inline script: no <script> without src, no event handler attribute, no javascript: URL.
  expect.soft(page.body, `${what}: inline <script>`).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/i);
  expect.soft(page.body, `${what}: event handler attribute`).not.toMatch(/<[^>]+\son[a-z]+\s*=/i);
  expect
    .soft(page.body, `${what}: javascript: URL`)
    .not.toMatch(/(?:href|src|action)\s*=\s*["']?\s*javascript:/i);
}

function expectCookies(cookies: { url: string; line: string }[], production: boolean) {
  expect(cookies.length).toBeGreaterThan(0);
  const names = new Set<string>();
  for (const { url, line } of cookies) {
    const name = line.split('=')[0] as string;
    names.add(name);
    const attributes = line
      .split(';')
      .slice(1)
      .map((a) => a.trim().toLowerCase());
    const what = `${name} (from ${url.slice(0, 80)}): ${line.replace(/=[^;]*/, '=…')}`;
    expect.soft(attributes, `${what}: HttpOnly`).toContain('httponly');
    expect.soft(attributes, `${what}: SameSite=Lax`).toContain('samesite=lax');
    if (production) expect.soft(attributes, `${what}: Secure`).toContain('secure');
  }
  // Ours and oidc-provider's are all there.
  expect([...names]).toEqual(expect.arrayContaining(['pec.sid', '_interaction', '_session']));
}

describe('security headers and cookies (development)', () => {
  let server: TestServer;
  let agent: RecordingAgent;
  let t: Awaited<ReturnType<typeof tour>>;
  beforeAll(async () => {
    server = await startTestServer({ ADMIN_TOTP_REQUIRED: 'false' });
    agent = new RecordingAgent();
    t = await tour(server, agent);
  });
  afterAll(() => server?.close());

  it('every HTML page: strict CSP without inline script, DENY framing, nosniff, no-store', () => {
    expect(t.html.map((p) => p.name)).toEqual(
      expect.arrayContaining([
        'login page',
        'consent page',
        '/account consents page',
        '/admin apps list',
        'logout confirmation',
      ]),
    );
    for (const page of t.html) expectHtmlHeaders(page);
  });

  it('the interaction pages (login, consent) and our other pages send no Referer', () => {
    for (const page of t.html) {
      expect.soft(page.headers.get('referrer-policy'), `${page.name}: Referrer-Policy`).toBe('no-referrer');
    }
  });

  it('nosniff on every answer: JSON, redirects, static files, health', () => {
    for (const answer of [...t.json, ...t.other]) {
      expect.soft(answer.headers.get('x-content-type-options'), `${answer.name}: nosniff`).toBe('nosniff');
    }
    const css = t.other.find((a) => a.name === 'stylesheet') as Seen;
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
  });

  it('no-store on the token response, userinfo, the API and the export', async () => {
    const exported = t.json.find((a) => a.name === '/account export') as Seen;
    expect(exported.status).toBe(200);
    expect(exported.headers.get('cache-control')).toMatch(/no-store/);

    // A fresh grant: the token response (for the API), then one for userinfo.
    const app = await grantedApp(server, {
      scope: 'openid profile offline_access competences',
      fields: ['profile.given_name', 'competences.code'],
    });
    const tokenResponse = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${app.client.client_id}:${app.client.client_secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: app.tokens.refresh_token as string,
      }),
    });
    expect(tokenResponse.status).toBe(200);
    expect(tokenResponse.headers.get('cache-control')).toMatch(/no-store/);
    expect(tokenResponse.headers.get('x-content-type-options')).toBe('nosniff');

    const api200 = await fetch(`${server.url}/api/v1/competences`, {
      headers: { authorization: `Bearer ${app.tokens.access_token}` },
    });
    expect(api200.status).toBe(200);
    const api401 = await fetch(`${server.url}/api/v1/competences`, {
      headers: { authorization: 'Bearer nope-nope-nope-nope-nope' },
    });
    expect(api401.status).toBe(401);
    const api403 = await fetch(`${server.url}/api/v1/langues`, {
      headers: { authorization: `Bearer ${app.tokens.access_token}` },
    });
    expect(api403.status).toBe(403);
    for (const [name, r] of [
      ['API 200', api200],
      ['API 401', api401],
      ['API 403', api403],
    ] as const) {
      expect.soft(r.headers.get('cache-control') ?? '', `${name}: Cache-Control`).toMatch(/no-store/);
      expect.soft(r.headers.get('x-content-type-options'), `${name}: nosniff`).toBe('nosniff');
      expect.soft(r.headers.get('content-type') ?? '', `${name}: JSON`).toMatch(/^application\/json/);
    }

    const flow = await authorize({
      config: app.config,
      redirectUri: app.client.redirectUri,
      scope: 'openid profile',
      // Signed in, the consent recorded: straight back to the app.
      agent: app.flow.agent,
    });
    const userinfoTokens = await exchange(server, app.config, flow, false);
    const me = await fetch(`${server.url}/me`, {
      headers: { authorization: `Bearer ${userinfoTokens.access_token}` },
    });
    expect(me.status).toBe(200);
    expect(me.headers.get('cache-control')).toMatch(/no-store/);
    expect(me.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('no CORS on /auth, the API and our pages, even for a foreign Origin (requests and preflights)', async () => {
    const app = await grantedApp(server, { scope: 'openid competences', fields: ['competences.code'] });
    const bearer = { authorization: `Bearer ${app.tokens.access_token}` };
    const requests: [string, string, RequestInit][] = [
      ['/auth', `/auth?client_id=${app.client.client_id}&response_type=code&scope=openid`, {}],
      [
        '/auth (POST)',
        '/auth',
        {
          method: 'POST',
          body: `client_id=${app.client.client_id}`,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        },
      ],
      ['/api/v1/competences', '/api/v1/competences', { headers: bearer }],
      ['/api/v1/consent', '/api/v1/consent', { headers: bearer }],
      ['/api/v1 401', '/api/v1/competences', {}],
      ['/api/v1 403', '/api/v1/langues', { headers: bearer }],
      ['/account/login', '/account/login', {}],
      ['/account/consents', '/account/consents', {}],
      ['/admin/login', '/admin/login', {}],
      ['/admin/api/clients', '/admin/api/clients', {}],
      ['/interaction', '/interaction/x', {}],
    ];
    for (const [name, path, init] of requests) {
      for (const method of [init.method ?? 'GET', 'OPTIONS']) {
        const headers = new Headers(init.headers);
        headers.set('origin', 'https://evil.example');
        if (method === 'OPTIONS') {
          headers.set('access-control-request-method', init.method ?? 'GET');
          headers.set('access-control-request-headers', 'authorization, dpop');
        }
        const r = await fetch(`${server.url}${path}`, {
          ...init,
          method,
          headers,
          body: method === 'OPTIONS' ? undefined : init.body,
          redirect: 'manual',
        });
        await r.arrayBuffer();
        expect.soft(r.headers.get('access-control-allow-origin'), `${method} ${name}`).toBeNull();
        expect.soft(r.headers.get('access-control-allow-credentials'), `${method} ${name}`).toBeNull();
      }
    }
  });

  it('tokens and userinfo are never answered to a foreign Origin (clientBasedCORS refuses them)', async () => {
    const app = await grantedApp(server, {
      scope: 'openid profile offline_access competences',
      fields: ['profile.given_name', 'competences.code'],
    });
    const flow = await authorize({
      config: app.config,
      redirectUri: app.client.redirectUri,
      scope: 'openid profile',
      // Signed in, the consent recorded: straight back to the app.
      agent: app.flow.agent,
    });
    const userinfo = await exchange(server, app.config, flow, false);
    const basic = `Basic ${Buffer.from(`${app.client.client_id}:${app.client.client_secret}`).toString('base64')}`;
    const form = { 'content-type': 'application/x-www-form-urlencoded', authorization: basic };
    const requests: [string, string, RequestInit][] = [
      [
        'refresh',
        '/token',
        {
          method: 'POST',
          headers: form,
          body: `grant_type=refresh_token&refresh_token=${app.tokens.refresh_token}`,
        },
      ],
      [
        'introspection',
        '/token/introspection',
        { method: 'POST', headers: form, body: `token=${app.tokens.access_token}` },
      ],
      ['userinfo', '/me', { headers: { authorization: `Bearer ${userinfo.access_token}` } }],
    ];
    for (const [name, path, init] of requests) {
      const headers = new Headers(init.headers);
      headers.set('origin', 'https://evil.example');
      const r = await fetch(`${server.url}${path}`, { ...init, headers });
      const body = await r.text();
      expect.soft(r.status, `${name}: refused`).toBe(400);
      expect
        .soft(body, `${name}: nothing handed out`)
        .not.toMatch(/access_token|refresh_token|"active":true|given_name/);
      expect.soft(r.headers.get('access-control-allow-origin'), `${name}: ACAO`).toBeNull();
    }
  });

  it('every cookie, ours and oidc-provider’s, is HttpOnly and SameSite=Lax', () => {
    expectCookies(agent.cookies, false);
  });
});

describe('security headers and cookies (production)', () => {
  const ISSUER = 'https://connect.pole-emploi.example';
  let server: TestServer;
  let agent: RecordingAgent;
  let t: Awaited<ReturnType<typeof tour>>;
  beforeAll(async () => {
    server = await startTestServer({
      NODE_ENV: 'production',
      ISSUER,
      TRUST_PROXY: 'true',
      // Production refuses to start without these (src/config.ts, requireProduction); the test
      // server always passes DATABASE_URL, and production wants three distinct random secrets.
      ADMIN_TOTP_REQUIRED: 'true',
      SEED_DEMO_DATA: 'false',
      ...PRODUCTION_SECRETS,
    });
    // Behind a TLS-terminating proxy, for the public issuer; a browser's posts come from that origin.
    agent = new RecordingAgent(
      {
        'x-forwarded-proto': 'https',
        'x-forwarded-host': new URL(ISSUER).host,
        'sec-fetch-site': 'same-origin',
        origin: ISSUER,
      },
      { public: ISSUER, local: server.url },
    );
    t = await tour(server, agent, 'https://app.example.fr/cb');
  });
  afterAll(() => server?.close());

  it('went through the pages (production rules: https redirect URIs, TOTP before the console)', () => {
    expect(t.html.map((p) => p.name)).toEqual(
      expect.arrayContaining(['login page', 'consent page', '/account consents page', '/admin login page']),
    );
    for (const page of t.html) expect.soft(page.status, page.name).toBeLessThan(500);
  });

  it('every cookie is also Secure', () => {
    expectCookies(agent.cookies, true);
  });

  it('HSTS on every answer, for at least a year', () => {
    for (const answer of [...t.html, ...t.json, ...t.other]) {
      const hsts = answer.headers.get('strict-transport-security') ?? '';
      expect.soft(hsts, `${answer.name}: HSTS`).toMatch(/max-age=\d+/);
      expect
        .soft(Number(/max-age=(\d+)/.exec(hsts)?.[1] ?? 0), `${answer.name}: HSTS max-age`)
        .toBeGreaterThanOrEqual(31_536_000);
    }
  });

  it('the same strict headers on every HTML page', () => {
    for (const page of t.html) expectHtmlHeaders(page);
  });
});

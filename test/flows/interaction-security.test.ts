// The login and consent pages under hostile use: forged posts, other browsers, bad input, escaping.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize, discover } from '../support/authorize.ts';
import { createClient, createJobseeker } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { formAction, UserAgent } from '../support/user-agent.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

async function loginPage(clientOverrides = {}) {
  const client = await createClient(server, clientOverrides);
  const config = await discover(server.issuer, client.client_id, client.client_secret);
  const flow = await authorize({
    config,
    redirectUri: client.redirectUri,
    scope: 'openid profile competences',
  });
  const html = await flow.response.text();
  return { client, config, flow, html, url: flow.callback, agent: flow.agent };
}

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  body: new URLSearchParams(fields),
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
});

describe('login and consent pages', () => {
  it('serves the login page with no-store, no-referrer and a strict CSP', async () => {
    const { flow } = await loginPage();
    expect(flow.response.status).toBe(200);
    expect(flow.response.headers.get('cache-control')).toBe('no-store');
    expect(flow.response.headers.get('referrer-policy')).toBe('no-referrer');
    const csp = flow.response.headers.get('content-security-policy') ?? '';
    for (const directive of ["frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"])
      expect(csp).toContain(directive);
    expect(csp).not.toContain('unsafe-inline');
  });

  it('refuses a login post without the CSRF token (403)', async () => {
    const { agent, url, html } = await loginPage();
    const jobseeker = await createJobseeker(server);
    const res = await agent.request(
      new URL(formAction(html, '/login'), url),
      form({ login: jobseeker.login, password: jobseeker.password }),
    );
    expect(res.status).toBe(403);
  });

  it('refuses a cross-site post even with a valid token (403)', async () => {
    const { agent, url, html } = await loginPage();
    const jobseeker = await createJobseeker(server);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] as string;
    const res = await agent.request(new URL(formAction(html, '/login'), url), {
      ...form({ _csrf: csrf, login: jobseeker.login, password: jobseeker.password }),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'https://evil.example',
        'sec-fetch-site': 'cross-site',
      },
    });
    expect(res.status).toBe(403);
  });

  it('answers an unknown login and a wrong password the same way', async () => {
    const jobseeker = await createJobseeker(server);
    const attempt = async (login: string, password: string) => {
      const { agent, url, html } = await loginPage();
      const res = await agent.submit(url, html, formAction(html, '/login'), [
        ['login', login],
        ['password', password],
      ]);
      return {
        status: res.response.status,
        text: (await res.response.text())
          .replace(/name="_csrf" value="[^"]+"/g, '')
          .replace(/\/interaction\/[\w-]+/g, '')
          .replace(/App [0-9a-f]{8}/g, 'App'),
      };
    };
    const wrong = await attempt(jobseeker.login, 'not-the-password');
    const unknown = await attempt(`${jobseeker.login}-nobody`, 'not-the-password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.text).toContain('Identifiant ou mot de passe incorrect');
    expect(unknown.text.replace(`${jobseeker.login}-nobody`, jobseeker.login)).toBe(wrong.text);
  });

  it('treats an interaction opened in another browser as a session error, not a consent', async () => {
    const { url } = await loginPage();
    const stranger = new UserAgent();
    const res = await stranger.request(url);
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('ouverte dans un autre navigateur');
    expect(html).not.toContain('name="fields"');
  });

  it('grants nothing beyond what was requested, even from a forged form', async () => {
    const jobseeker = await createJobseeker(server);
    const client = await createClient(server);
    const config = await discover(server.issuer, client.client_id, client.client_secret);
    await authorize({
      config,
      redirectUri: client.redirectUri,
      scope: 'openid competences',
      login: jobseeker,
      fields: [
        'competences.code',
        'indemnisation.beneficiaireAssuranceChomage',
        'profile.family_name',
        'nope.nothing',
      ],
    });
    const { rows } = await server.pool.query(
      'SELECT fields FROM consents WHERE jobseeker_id = $1 AND client_id = $2',
      [jobseeker.id, client.client_id],
    );
    expect(rows[0].fields).toEqual(['competences.code', 'openid.sub']);
  });

  it('escapes the client name on every page', async () => {
    const { html } = await loginPage({ name: '<script>alert("x")</script>' });
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&lt;script&gt;');
  });

  it('answers malformed form input with a 4xx page, never a 500', async () => {
    const { agent, url, html } = await loginPage();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] as string;
    const action = new URL(formAction(html, '/login'), url);
    for (const body of [
      `_csrf=${csrf}&login[]=a&password=b`,
      `_csrf=${csrf}&login=${'x'.repeat(5000)}&password=b`,
      `_csrf=${csrf}&%ZZ=1`,
    ]) {
      const res = await agent.request(action, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
  });
});

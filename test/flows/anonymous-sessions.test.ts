// A visitor without a session costs no database row: our pages keep a server-side session only once
// it holds something worth keeping (a sign-in), and the CSRF protection of every form holds without
// one (its secret is in a signed cookie of the browser's own). A forged post is still refused.
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

const sessionRows = async () =>
  (await server.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM web_sessions')).rows[0]?.n;
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] as string;

async function loginPage(agent = new UserAgent()) {
  const { response, url } = await agent.follow(`${server.issuer}/account/login`);
  const html = await response.text();
  return { agent, url, html, csrf: csrfOf(html) };
}

function postLogin(agent: UserAgent, fields: Record<string, string>) {
  return agent.request(`${server.issuer}/account/login`, {
    method: 'POST',
    body: new URLSearchParams(fields),
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.issuer },
  });
}

describe('anonymous visitors', () => {
  it('200 anonymous GETs of /account, /admin and /interaction pages store no session row', async () => {
    await server.pool.query('DELETE FROM web_sessions');
    const client = await createClient(server);
    const config = await discover(server.issuer, client.client_id, client.client_secret);
    const paths = [
      '/account',
      '/account/login',
      '/account/consents',
      '/account/login?retour=/account/export',
      '/admin',
      '/admin/login',
      '/interaction/no-such-interaction',
    ];
    const kept = new UserAgent();
    for (let i = 0; i < 200; i++) {
      if (i % 20 === 0) {
        // A real flow's login page, in a browser of its own.
        const flow = await authorize({ config, redirectUri: client.redirectUri, scope: 'openid' });
        expect(await flow.response.text()).toContain('name="_csrf"');
        continue;
      }
      // Half the visitors keep their cookies, half come back without any.
      const agent = i % 2 ? kept : new UserAgent();
      const { response } = await agent.follow(`${server.issuer}${paths[i % paths.length]}`);
      expect(response.status).toBeLessThan(500);
      await response.arrayBuffer();
    }
    expect(await sessionRows()).toBe(0);
  });

  it('keeps a session once someone signs in, and drops it at sign-out', async () => {
    await server.pool.query('DELETE FROM web_sessions');
    const jobseeker = await createJobseeker(server);
    const page = await loginPage();
    const signedIn = await page.agent.submit(page.url, page.html, formAction(page.html, '/account/login'), [
      ['login', jobseeker.login],
      ['password', jobseeker.password],
      ['retour', '/account/consents'],
    ]);
    expect(signedIn.url.pathname).toBe('/account/consents');
    expect(await sessionRows()).toBe(1);
    const html = await signedIn.response.text();
    const out = await page.agent.submit(signedIn.url, html, '/account/logout', []);
    expect(out.url.pathname).toBe('/account/login');
    expect(await sessionRows()).toBe(0);
  });
});

describe('CSRF without a server-side session', () => {
  it('refuses a post without a token, with a made-up one, or with another browser’s', async () => {
    const jobseeker = await createJobseeker(server);
    const credentials = { login: jobseeker.login, password: jobseeker.password };
    const victim = await loginPage();
    const attacker = await loginPage();
    expect(attacker.csrf).not.toBe(victim.csrf);
    for (const token of [undefined, '', 'x', `${victim.csrf.slice(0, -4)}AAAA`, attacker.csrf]) {
      const answer = await postLogin(victim.agent, {
        ...credentials,
        ...(token === undefined ? {} : { _csrf: token }),
      });
      expect(answer.status, String(token)).toBe(403);
    }
    // Nor is a token accepted without the cookie it goes with.
    const bare = await postLogin(new UserAgent(), { ...credentials, _csrf: victim.csrf });
    expect(bare.status).toBe(403);
    expect(await sessionRows()).toBe(0);
    // The browser's own token passes (the refusals above were about the token).
    const accepted = await postLogin(victim.agent, { ...credentials, _csrf: victim.csrf });
    expect(accepted.status).toBe(303);
    expect(accepted.headers.get('location')).toBe('/account/consents');
  });
});

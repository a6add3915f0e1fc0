// A login typed with other case, fullwidth letters or surrounding spaces is the same login, on both
// login pages (the consent flow's and /account's); one with an invisible character is nobody's, and
// gets the same answer as a wrong password (issue 10, item 7).
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

const fullwidth = (s: string) =>
  [...s]
    .map((c) => (/[a-z0-9.]/.test(c) ? String.fromCodePoint((c.codePointAt(0) as number) + 0xfee0) : c))
    .join('');

async function accountLogin(login: string, password: string) {
  const agent = new UserAgent();
  const page = await agent.follow(`${server.issuer}/account/login`);
  const html = await page.response.text();
  return agent.submit(page.url, html, formAction(html, '/account/login'), [
    ['login', login],
    ['password', password],
  ]);
}

describe('logins as typed', () => {
  it('signs in to /account with look-alike spellings of the login, and not with an invisible character', async () => {
    const jobseeker = await createJobseeker(server, { login: 'claire.martin' });
    for (const typed of ['  Claire.Martin  ', 'CLAIRE.MARTIN', fullwidth('claire.martin')]) {
      const { url } = await accountLogin(typed, jobseeker.password);
      expect(url.pathname, typed).toBe('/account/consents');
    }
    const { response } = await accountLogin('claire\u200b.martin', jobseeker.password);
    expect(response.status).toBe(401);
    expect(await response.text()).toContain('Identifiant ou mot de passe incorrect.');
  });

  it('signs in through the consent flow with another spelling of the login', async () => {
    const jobseeker = await createJobseeker(server, { login: 'paul.durand' });
    const client = await createClient(server, { scopes: ['openid', 'profile'] });
    const config = await discover(server.issuer, client.client_id, client.client_secret);
    const flow = await authorize({
      config,
      redirectUri: client.redirectUri,
      scope: 'openid profile',
      login: { login: ' PAUL.Durand\u3000', password: jobseeker.password },
      fields: ['profile.given_name'],
    });
    expect(flow.callback.searchParams.get('code')).toBeTruthy();
  });
});

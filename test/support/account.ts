// The jobseeker's side of a flow test: a browser signed in to /account that posts its forms.
import type { TestServer } from './test-server.ts';
import { formAction, UserAgent } from './user-agent.ts';

export async function signInToAccount(server: TestServer, jobseeker: { login: string; password: string }) {
  const agent = new UserAgent();
  const login = await agent.follow(`${server.issuer}/account`);
  const html = await login.response.text();
  await agent.submit(login.url, html, formAction(html, '/account/login'), [
    ['login', jobseeker.login],
    ['password', jobseeker.password],
    ['retour', '/account/consents'],
  ]);
  return agent;
}

/** Posts one of /account's forms with the CSRF token of the consents page; answers the page it lands on. */
export async function postAccountForm(
  server: TestServer,
  agent: UserAgent,
  path: string,
  fields: [string, string][],
) {
  const page = await agent.follow(`${server.issuer}/account/consents`);
  return agent.submit(page.url, await page.response.text(), path, fields);
}

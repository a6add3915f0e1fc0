// The demo app (CV Express) as a jobseeker uses it twice: the second sign-in shows neither the login
// nor the consent page, and the app still holds a refresh token — it no longer sends prompt=consent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registeredDemo } from '../support/demo-app.ts';
import { createJobseeker } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { formAction, UserAgent } from '../support/user-agent.ts';

let server: TestServer;
let demo: Awaited<ReturnType<typeof registeredDemo>> | undefined;
let demoUrl: string;

beforeAll(async () => {
  server = await startTestServer();
  demo = await registeredDemo(server);
  demoUrl = demo.url;
});
afterAll(async () => {
  await demo?.close();
  await server?.close();
});

describe('the demo app', () => {
  it('asks for consent once: a second sign-in goes straight back to the app, refresh token included', async () => {
    const jobseeker = await createJobseeker(server);
    const agent = new UserAgent();
    const start = await agent.request(`${demoUrl}/login`);
    const authorization = new URL(start.headers.get('location') as string);
    expect(authorization.searchParams.get('scope')?.split(' ')).toContain('offline_access');
    expect(authorization.searchParams.has('prompt')).toBe(false);

    const login = await agent.follow(authorization);
    const loginHtml = await login.response.text();
    const consent = await agent.submit(login.url, loginHtml, formAction(loginHtml, '/login'), [
      ['login', jobseeker.login],
      ['password', jobseeker.password],
    ]);
    const consentHtml = await consent.response.text();
    const first = await agent.submit(consent.url, consentHtml, formAction(consentHtml, '/consent'), [
      ['fields', 'profile.given_name'],
      ['fields', 'competences.libelle'],
    ]);
    expect(first.url.origin).toBe(demoUrl);
    expect(await first.response.text()).toContain('Rafraîchir le jeton');

    const second = await agent.follow(`${demoUrl}/login`);
    expect(second.url.origin).toBe(demoUrl);
    expect(second.url.pathname).toBe('/callback');
    const page = await second.response.text();
    expect(page).toContain('Rafraîchir le jeton');
    expect(page).toContain((jobseeker.claims as { given_name: string }).given_name);
  });
});

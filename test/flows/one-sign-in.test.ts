// One sign-in for the jobseeker (issue 12, point 7): logging in during an app's flow also signs them
// into /account; logging in at /account lets a following flow skip the login page (unless the app
// asks for a fresh login); and any logout, the flow's end-session page or /account's, ends both the
// provider's session and the /account one. The /account idle timeout still holds.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discover } from '../support/authorize.ts';
import { createClient, createJobseeker } from '../support/factories.ts';
import { redeem, signIn } from '../support/relying-party.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { formAction, UserAgent } from '../support/user-agent.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

type Jobseeker = Awaited<ReturnType<typeof createJobseeker>>;
type App = Awaited<ReturnType<typeof app>>;

async function app() {
  const client = await createClient(server);
  const config = await discover(server.issuer, client.client_id, client.client_secret);
  return { client, config };
}

/** A flow through the real pages in `agent`'s browser; `shown` says which of ours were shown. */
async function flow(agent: UserAgent, jobseeker: Jobseeker, extra: Record<string, string> = {}, rp?: App) {
  const { client, config } = rp ?? (await app());
  const done = await signIn({ server, client, config, jobseeker }, { scope: 'openid profile', agent, extra });
  expect(done.callback.searchParams.get('code'), done.callback.href).toBeTruthy();
  const tokens = await redeem({ server, client, config, jobseeker }, done);
  return { shown: done.shown, config, tokens };
}

/** Whether /account shows the jobseeker's space (true) or sends to its login page (false). */
async function accountSignedIn(agent: UserAgent): Promise<boolean> {
  const response = await agent.request(`${server.issuer}/account/consents`);
  await response.arrayBuffer();
  if (response.status === 200) return true;
  expect(response.headers.get('location')).toMatch(/^\/account\/login/);
  return false;
}

async function accountLogin(agent: UserAgent, jobseeker: Jobseeker) {
  const page = await agent.follow(`${server.issuer}/account/login`);
  const html = await page.response.text();
  const done = await agent.submit(page.url, html, formAction(html, '/account/login'), [
    ['login', jobseeker.login],
    ['password', jobseeker.password],
    ['retour', '/account/consents'],
  ]);
  expect(done.url.pathname).toBe('/account/consents');
  return done;
}

/** The app sends the browser to the end-session page; the jobseeker answers yes (logout) or no. */
async function endSession(agent: UserAgent, config: oidc.Configuration, idToken: string, logout: boolean) {
  const page = await agent.request(oidc.buildEndSessionUrl(config, { id_token_hint: idToken }));
  const html = await page.text();
  const action = /<form id="op.logoutForm" method="post" action="([^"]+)"/.exec(html)?.[1] as string;
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1] as string;
  const answer = await agent.request(new URL(action, server.issuer), {
    method: 'POST',
    body: new URLSearchParams({ xsrf, ...(logout ? { logout: 'yes' } : {}) }),
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.issuer },
  });
  expect(answer.status).toBe(303);
}

describe('one sign-in', () => {
  it('a login during a flow signs the jobseeker into /account too', async () => {
    const jobseeker = await createJobseeker(server);
    const agent = new UserAgent();
    expect(await accountSignedIn(agent)).toBe(false);
    const { shown } = await flow(agent, jobseeker);
    expect(shown).toEqual(['login', 'consent']);
    expect(await accountSignedIn(agent)).toBe(true);
    const page = await (await agent.request(`${server.issuer}/account/consents`)).text();
    expect(page).toContain('name="fields" value="profile.given_name"');
  });

  it('the end-session page’s « Oui, me déconnecter » signs /account out too; « Non » keeps both', async () => {
    const jobseeker = await createJobseeker(server);
    const agent = new UserAgent();
    const rp = await app();
    const first = await flow(agent, jobseeker, {}, rp);
    await endSession(agent, first.config, first.tokens.id_token as string, false);
    expect(await accountSignedIn(agent)).toBe(true);

    // Still signed in: no login page (the app's own authorization was ended, so it may ask again).
    const second = await flow(agent, jobseeker, {}, rp);
    expect(second.shown).not.toContain('login');
    await endSession(agent, second.config, second.tokens.id_token as string, true);
    expect(await accountSignedIn(agent)).toBe(false);
    const { rows } = await server.pool.query("SELECT 1 FROM web_sessions WHERE data->>'jobseekerId' = $1", [
      jobseeker.id,
    ]);
    expect(rows).toEqual([]);
    // (The consent page may follow: another helper's "ask once" decides that, not the sign-in.)
    expect((await flow(agent, jobseeker, {}, rp)).shown[0]).toBe('login');
  });

  it('/account’s logout ends the provider session too: the next authorization shows the login page', async () => {
    const jobseeker = await createJobseeker(server);
    const agent = new UserAgent();
    const rp = await app();
    await flow(agent, jobseeker, {}, rp);
    const { shown, tokens } = await flow(agent, jobseeker, {}, rp);
    expect(shown).toEqual([]);
    const userinfo = () =>
      fetch(`${server.issuer}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect((await userinfo()).status).toBe(200);
    const page = await agent.follow(`${server.issuer}/account/consents`);
    await agent.submit(page.url, await page.response.text(), '/account/logout', []);
    expect(await accountSignedIn(agent)).toBe(false);
    // The app's token ended with the session (it has no offline access), as at the end-session page.
    expect((await userinfo()).status).toBe(401);
    const { rows } = await server.pool.query(
      "SELECT 1 FROM oidc_models WHERE model = 'Session' AND payload->>'accountId' = $1",
      [jobseeker.id],
    );
    expect(rows).toEqual([]);
    // (The consent page may follow: another helper's "ask once" decides that, not the sign-in.)
    expect((await flow(agent, jobseeker, {}, rp)).shown[0]).toBe('login');
  });

  it('a login at /account lets a following flow skip the login page, unless the app asks for one', async () => {
    const jobseeker = await createJobseeker(server);
    const agent = new UserAgent();
    await accountLogin(agent, jobseeker);
    const before = Math.floor(Date.now() / 1000);
    const { shown } = await flow(agent, jobseeker);
    expect(shown).toEqual(['consent']);
    // The provider's login time (auth_time) is when the password was typed, at /account.
    const { rows } = await server.pool.query<{ login_ts: string }>(
      "SELECT payload->>'loginTs' AS login_ts FROM oidc_models WHERE model = 'Session' AND payload->>'accountId' = $1",
      [jobseeker.id],
    );
    expect(rows).toHaveLength(1);
    expect(Number(rows[0]?.login_ts)).toBeLessThanOrEqual(before);

    const other = new UserAgent();
    await accountLogin(other, jobseeker);
    expect((await flow(other, jobseeker, { prompt: 'login' })).shown[0]).toBe('login');
    // An app that wants a login less than a minute old, after an /account login two minutes ago.
    const third = new UserAgent();
    await accountLogin(third, jobseeker);
    await server.pool.query(
      `UPDATE web_sessions SET data = jsonb_set(data, '{authenticatedAt}', to_jsonb($2::bigint))
        WHERE data->>'jobseekerId' = $1 AND (data->>'authenticatedAt')::bigint >= $3`,
      [jobseeker.id, Date.now() - 120_000, before * 1000],
    );
    expect((await flow(third, jobseeker, { max_age: '60' })).shown[0]).toBe('login');
  });

  it('a login at /account as someone else replaces the provider session of the previous person', async () => {
    const [first, second] = await Promise.all([createJobseeker(server), createJobseeker(server)]);
    const agent = new UserAgent();
    const rp = await app();
    await flow(agent, first, {}, rp);
    await accountLogin(agent, second);
    // The next flow is the second jobseeker's: they see their own consent page, not the first's SSO.
    const next = await flow(agent, second, {}, rp);
    expect(next.shown).toEqual(['consent']);
    const claims = next.tokens.claims() as { sub: string };
    const firstSub = (await flow(new UserAgent(), first, {}, rp)).tokens.claims()?.sub;
    expect(claims.sub).not.toBe(firstSub);
  });

  it('an /account sign-in past its idle timeout neither opens /account nor skips the login page', async () => {
    const jobseeker = await createJobseeker(server);
    const agent = new UserAgent();
    await accountLogin(agent, jobseeker);
    await server.pool.query(
      `UPDATE web_sessions SET data = jsonb_set(data, '{lastSeenAt}', to_jsonb($2::bigint))
        WHERE data->>'jobseekerId' = $1`,
      [jobseeker.id, Date.now() - 31 * 60_000],
    );
    expect((await flow(agent, jobseeker)).shown).toEqual(['login', 'consent']);
    // That login was a fresh one: /account is open again.
    expect(await accountSignedIn(agent)).toBe(true);
  });
});

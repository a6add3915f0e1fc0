// Three provider instances on one PostgreSQL database, behind a round-robin balancer without sticky
// sessions (test/support/balancer.ts): the balancer's address is the one issuer all three are
// configured with, as behind a real load balancer, and consecutive requests go to different instances.
// A whole code flow alternates instances; a consent revoked through one instance is refused by all
// three on the very next call; of 20 parallel redemptions of one code spread over the three, exactly
// one succeeds; a consent form submitted twice at once to two instances is recorded once.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize, discover } from '../support/authorize.ts';
import { type Balancer, startBalancer } from '../support/balancer.ts';
import { createClient, createJobseeker } from '../support/factories.ts';
import { exchange } from '../support/grant.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { formAction, UserAgent } from '../support/user-agent.ts';

let db: TestDatabase;
let balancer: Balancer;
let instances: TestServer[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  balancer = await startBalancer();
  instances = await Promise.all(
    [0, 1, 2].map(() => startTestServer({ ISSUER: balancer.url }, undefined, db)),
  );
  balancer.targets = instances.map((s) => Number(new URL(s.url).port));
});
afterAll(async () => {
  await Promise.all(instances.map((s) => s.close()));
  await balancer?.close();
  await db?.drop();
});

const SCOPE = 'openid profile offline_access competences';
const FIELDS = ['profile.given_name', 'competences.code', 'competences.libelle'];
const CLIENT = { scopes: ['openid', 'profile', 'offline_access', 'competences'] };

const first = () => instances[0] as TestServer;
const apiOn = (instance: TestServer, token: string) =>
  fetch(`${instance.url}/api/v1/competences`, { headers: { authorization: `Bearer ${token}` } });
const basic = (c: { client_id: string; client_secret: string }) =>
  `Basic ${Buffer.from(`${c.client_id}:${c.client_secret}`).toString('base64')}`;

async function grantThroughBalancer() {
  const jobseeker = await createJobseeker(first());
  const client = await createClient(first(), CLIENT);
  const config = await discover(balancer.url, client.client_id, client.client_secret);
  const flow = await authorize({
    config,
    redirectUri: client.redirectUri,
    scope: SCOPE,
    login: jobseeker,
    fields: FIELDS,
    extra: { prompt: 'consent' },
  });
  return { jobseeker, client, config, flow };
}

describe('three instances on one database, no sticky sessions', () => {
  it('completes a code flow whose every request goes to a different instance than the one before', async () => {
    balancer.served.length = 0;
    const { jobseeker, config, flow } = await grantThroughBalancer();
    const tokens = await exchange(first(), config, flow);
    const served = [...balancer.served];

    // The flow's own steps: authorization request, login page, login POST, resume, consent page,
    // consent POST, resume, token request (plus discovery), each on the next instance in turn.
    expect(served.length).toBeGreaterThanOrEqual(8);
    expect(new Set(served.map((s) => s.instance))).toEqual(new Set([0, 1, 2]));
    for (let i = 1; i < served.length; i++) {
      expect(served[i]?.instance).not.toBe(served[i - 1]?.instance);
    }
    const loginPost = served.find((s) => s.method === 'POST' && s.path.endsWith('/login'));
    const consentPost = served.find((s) => s.method === 'POST' && s.path.endsWith('/consent'));
    const pages = served.filter((s) => s.method === 'GET' && s.path.startsWith('/interaction/'));
    expect(loginPost && consentPost && pages.length === 2).toBe(true);
    expect(loginPost?.instance).not.toBe(pages[0]?.instance);
    expect(consentPost?.instance).not.toBe(pages[1]?.instance);

    const claims = tokens.claims() as Record<string, unknown>;
    expect(claims.iss).toBe(balancer.url);
    expect(claims.given_name).toBe((jobseeker.claims as Record<string, unknown>).given_name);
    for (const instance of instances) {
      const response = await apiOn(instance, tokens.access_token);
      expect(response.status).toBe(200);
      expect(Object.keys((await response.json())[0]).sort()).toEqual(['code', 'libelle']);
    }
    // The refresh token, issued by one instance, is honoured by the next.
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token as string, {
      resource: `${balancer.url}/api`,
    });
    expect((await apiOn(instances[2] as TestServer, refreshed.access_token)).status).toBe(200);
  });

  it('enforces a revocation made through one instance on all three at the next request', async () => {
    const { jobseeker, client, config, flow } = await grantThroughBalancer();
    const tokens = await exchange(first(), config, flow);
    for (const instance of instances) expect((await apiOn(instance, tokens.access_token)).status).toBe(200);

    // The jobseeker revokes on their dashboard, every request of it on instance 1.
    balancer.pin = 1;
    try {
      const agent = new UserAgent();
      const login = await agent.follow(`${balancer.url}/account`);
      const loginHtml = await login.response.text();
      await agent.submit(login.url, loginHtml, formAction(loginHtml, '/account/login'), [
        ['login', jobseeker.login],
        ['password', jobseeker.password],
        ['retour', '/account/consents'],
      ]);
      const { rows } = await db.pool.query('SELECT id FROM consents WHERE jobseeker_id = $1', [jobseeker.id]);
      const path = `/account/consents/${rows[0].id}/revoke`;
      const list = await agent.follow(`${balancer.url}/account/consents`);
      const confirm = await agent.submit(list.url, await list.response.text(), path, []);
      const done = await agent.submit(confirm.url, await confirm.response.text(), path, [['confirm', 'yes']]);
      expect(done.url.searchParams.get('ok')).toBe('revoked');
    } finally {
      balancer.pin = undefined;
    }
    expect(balancer.served.slice(-6).every((s) => s.instance === 1)).toBe(true);

    // Each instance refuses the access token and the refresh token on its very next request.
    for (const instance of instances) {
      const api = await apiOn(instance, tokens.access_token);
      expect(api.status).toBe(401);
      expect(api.headers.get('www-authenticate')).toContain('invalid_token');
      const refresh = await fetch(`${instance.url}/token`, {
        method: 'POST',
        headers: { authorization: basic(client), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: tokens.refresh_token as string,
        }),
      });
      expect(refresh.status).toBe(400);
      expect((await refresh.json()).error).toBe('invalid_grant');
    }
  });

  it('honours exactly one of 20 parallel redemptions of a code spread over the three instances', async () => {
    const { client, flow } = await grantThroughBalancer();
    const code = flow.callback.searchParams.get('code') as string;
    balancer.served.length = 0;
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        fetch(`${balancer.url}/token`, {
          method: 'POST',
          headers: { authorization: basic(client), 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            code,
            redirect_uri: client.redirectUri,
            code_verifier: flow.verifier,
            resource: `${balancer.url}/api`,
          }),
        }),
      ),
    );
    const counts = [0, 1, 2].map((i) => balancer.served.filter((s) => s.instance === i).length);
    expect(counts.every((n) => n >= 6)).toBe(true);
    const bodies = await Promise.all(responses.map((r) => r.json() as Promise<Record<string, string>>));
    const winners = bodies.filter((_, i) => responses[i]?.status === 200);
    expect(winners).toHaveLength(1);
    for (const [i, response] of responses.entries()) {
      if (response.status === 200) continue;
      expect(response.status).toBe(400);
      expect(bodies[i]?.error).toBe('invalid_grant');
    }
    // The replays revoked what the winner got, on every instance.
    for (const instance of instances) {
      expect((await apiOn(instance, winners[0]?.access_token as string)).status).toBe(401);
    }
  });

  it('records one consent when the same consent form reaches two instances at once', async () => {
    const jobseeker = await createJobseeker(first());
    const client = await createClient(first(), CLIENT);
    const config = await discover(balancer.url, client.client_id, client.client_secret);
    const agent = new UserAgent();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: client.redirectUri,
      scope: 'openid competences',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      state: 'double',
    });
    const start = await agent.follow(url);
    const loginHtml = await start.response.text();
    const consent = await agent.submit(start.url, loginHtml, formAction(loginHtml, '/login'), [
      ['login', jobseeker.login],
      ['password', jobseeker.password],
    ]);
    const html = await consent.response.text();
    balancer.served.length = 0;
    const submit = () =>
      agent.submit(
        consent.url,
        html,
        formAction(html, '/consent'),
        [['fields', 'competences.code']],
        client.redirectUri,
      );
    const both = await Promise.all([submit(), submit()]);
    const posts = balancer.served.filter((s) => s.method === 'POST');
    expect(posts).toHaveLength(2);
    expect(posts[0]?.instance).not.toBe(posts[1]?.instance);
    expect(both.some((r) => r.url.href.startsWith(client.redirectUri))).toBe(true);
    const consents = await db.pool.query('SELECT id FROM consents WHERE jobseeker_id = $1', [jobseeker.id]);
    expect(consents.rowCount).toBe(1);
    const events = await db.pool.query('SELECT kind FROM consent_events WHERE jobseeker_id = $1', [
      jobseeker.id,
    ]);
    expect(events.rows).toEqual([{ kind: 'granted' }]);
  });
});

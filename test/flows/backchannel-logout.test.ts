// OpenID Connect Back-Channel Logout 1.0 for apps that register a backchannel_logout_uri: the
// registration rules (vetted like a redirect URI, on the app's own host), a Logout Token — verified by
// the app's own endpoint (test/support/set-receiver.ts) against the JWKS — when the jobseeker withdraws
// the consent or the app is suspended (naming the pairwise sub of its ID tokens), and oidc-provider's
// own Logout Token when the session ends at the provider.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, getPage, newEmail, PASSWORD, passwordStep, post } from '../support/admin-console.ts';
import { eventually } from '../support/eventually.ts';
import { createClient } from '../support/factories.ts';
import { consentTo } from '../support/grant.ts';
import { type LogoutReceiver, startLogoutReceiver } from '../support/set-receiver.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import type { UserAgent } from '../support/user-agent.ts';

let server: TestServer;
const receivers: LogoutReceiver[] = [];
beforeAll(async () => {
  server = await startTestServer({
    SSF_DELIVERY_INTERVAL_MS: '100',
    SSF_MAX_BACKOFF_SECONDS: '1',
    ADMIN_TOTP_REQUIRED: 'false',
  });
});
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await server?.close();
});

const SCOPE = 'openid profile competences';
const FIELDS = ['profile.given_name', 'competences.code'];

async function appWithLogoutUri() {
  // The receiver is made for the app's client_id, so it is created after the app, on the same host.
  const client = await createClient(server, {
    scopes: ['openid', 'profile', 'competences'],
    backchannel_logout_uri: 'http://127.0.0.1:9/placeholder',
  });
  const receiver = await startLogoutReceiver({ issuer: server.issuer, audience: client.client_id });
  receivers.push(receiver);
  await server.app.services.clients.update(
    client.client_id,
    { backchannel_logout_uri: receiver.url },
    { actor: 'test' },
  );
  return { client, receiver };
}

async function grantTo(client: { client_id: string; client_secret: string; redirectUri: string }) {
  const granted = await consentTo(server, client, { scope: SCOPE, fields: FIELDS });
  return { ...granted, agent: granted.flow.agent };
}

describe('registration of a backchannel_logout_uri', () => {
  it('is vetted like a redirect URI, on the app’s own host, and shown by the admin API', async () => {
    const create = (overrides: Parameters<typeof createClient>[1]) => createClient(server, overrides);
    await expect(
      create({ backchannel_logout_uri: 'https://elsewhere.example/logout' }),
    ).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('backchannel_logout_uri'),
    });
    await expect(create({ backchannel_logout_uri: 'javascript:alert(1)' })).rejects.toMatchObject({
      status: 400,
    });
    await expect(
      create({ backchannel_logout_uri: 'http://127.0.0.1:9/logout#fragment' }),
    ).rejects.toMatchObject({ status: 400 });
    await expect(
      create({ token_endpoint_auth_method: 'none', backchannel_logout_uri: 'http://127.0.0.1:9/logout' }),
    ).rejects.toMatchObject({ status: 400 });
    const ok = await create({ backchannel_logout_uri: 'http://127.0.0.1:9/logout?app=1' });
    const row = await server.app.services.clients.find(ok.client_id);
    expect(row?.backchannel_logout_uri).toBe('http://127.0.0.1:9/logout?app=1');
  });
});

describe('the admin console', () => {
  it('registers a backchannel_logout_uri through its form, with the same rules', async () => {
    const email = newEmail();
    await server.app.services.admins.create(email, PASSWORD, { actor: 'test' });
    const { agent } = await passwordStep(server, email);
    const app: [string, string][] = [
      ['name', 'Appli à déconnexion'],
      ['redirect_uris', 'https://cv.example/callback'],
      ['scopes', 'openid'],
      ['token_endpoint_auth_method', 'client_secret'],
    ];
    const refused = await post(agent, server, '/admin/clients/new', '/admin/clients', [
      ...app,
      ['backchannel_logout_uri', 'https://ailleurs.example/logout'],
    ]);
    expect(refused.response.status).toBe(400);
    expect(decode(refused.html)).toContain('doit être sur l’hôte des URI de redirection');
    const created = await post(agent, server, '/admin/clients/new', '/admin/clients', [
      ...app,
      ['backchannel_logout_uri', 'https://cv.example/logout'],
    ]);
    expect(created.response.status).toBe(200);
    const { rows } = await server.pool.query(
      "SELECT backchannel_logout_uri FROM clients WHERE name = 'Appli à déconnexion'",
    );
    expect(rows).toEqual([{ backchannel_logout_uri: 'https://cv.example/logout' }]);
  });
});

describe('Logout Tokens', () => {
  it('reach the app when the jobseeker withdraws the consent and when the app is suspended', async () => {
    const { client, receiver } = await appWithLogoutUri();
    const one = await grantTo(client);
    const two = await grantTo(client);
    await server.app.services.consentChanges.revoke(one.jobseeker.id, one.consentId);
    const [first] = await receiver.waitFor(1);
    expect(first?.sub).toBe(one.sub);
    expect(first?.sid).toBeUndefined();

    await server.app.services.clients.update(client.client_id, { status: 'suspended' }, { actor: 'test' });
    const received = await receiver.waitFor(2);
    expect(received[1]?.sub).toBe(two.sub);
    // Every logout settled on our side (its 200 is in): no further one can still be on its way.
    await eventually(async () => {
      const { rows } = await server.pool.query(
        "SELECT count(*)::int AS n FROM backchannel_logouts WHERE client_id = $1 AND state <> 'delivered'",
        [client.client_id],
      );
      expect(rows[0].n).toBe(0);
    });
    expect(receiver.refused).toEqual([]);
    expect(receiver.received).toHaveLength(2);
    expect(new Set(received.map((r) => r.jti)).size).toBe(2);
    const { rows } = await server.pool.query(
      'SELECT state, attempts FROM backchannel_logouts WHERE client_id = $1 ORDER BY seq',
      [client.client_id],
    );
    expect(rows).toEqual([
      { state: 'delivered', attempts: 1 },
      { state: 'delivered', attempts: 1 },
    ]);
    // The admin console's page of the app shows it.
    const email = newEmail();
    await server.app.services.admins.create(email, PASSWORD, { actor: 'test' });
    const { agent } = await passwordStep(server, email);
    const adminPage = decode((await getPage(agent, server, `/admin/clients/${client.client_id}`)).html);
    expect(adminPage).toContain('Déconnexion par canal arrière');
    expect(adminPage).toMatch(/Adresse\s*http:\/\/127\.0\.0\.1:\d+\/backchannel-logout/);
    expect(adminPage).toMatch(/Déconnexion par canal arrière[\s\S]*Distribués\s*2/);
    expect(adminPage).toContain('pas de flux d’événements de sécurité');
  });

  it('are sent by oidc-provider when the session ends at the provider', async () => {
    const { client, receiver } = await appWithLogoutUri();
    const one = await grantTo(client);
    const agent = one.agent as UserAgent;
    const page = await agent.request(new URL(`${server.issuer}/session/end`));
    const html = await page.text();
    const action = /<form id="op.logoutForm" method="post" action="([^"]+)"/.exec(html)?.[1] as string;
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1] as string;
    const confirmed = await agent.request(new URL(action, server.issuer), {
      method: 'POST',
      body: new URLSearchParams({ xsrf, logout: 'yes' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.issuer },
    });
    expect(confirmed.status).toBe(303);
    const [token] = await receiver.waitFor(1);
    // By sub (the app registered backchannel_logout_session_required false, as our own tokens have
    // no sid), from oidc-provider: the consent stays, nothing was queued.
    expect(token?.sub).toBe(one.sub);
    const { rows } = await server.pool.query(
      'SELECT count(*)::int AS n FROM backchannel_logouts WHERE client_id = $1',
      [client.client_id],
    );
    expect(rows[0].n).toBe(0);
  });
});

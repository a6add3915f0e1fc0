// What an admin's decisions do to the protocol, on the very next request: a pending app cannot start
// a flow; suspension revokes its tokens and stops new authorizations (re-activation restores new flows,
// and the consents, which suspension leaves alone);
// removing a data scope stops that data being served; deletion revokes every consent and token; a
// rotated secret works at once while the previous one lasts only for its grace period; and an app
// registered by RFC 7591 arrives pending, usable only once an admin has vetted and activated it.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize, discover } from '../support/authorize.ts';
import { createClient, createJobseeker } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { UserAgent } from '../support/user-agent.ts';

let server: TestServer;
let adminToken: string;
beforeAll(async () => {
  server = await startTestServer();
  const admin = await server.app.services.admins.create(
    'cycle@pole-emploi.example',
    'mot de passe du cycle',
    {
      actor: 'test',
    },
  );
  adminToken = (await server.app.services.admins.createToken(admin.id, 'test', null, { actor: 'test' }))
    .token;
});
afterAll(() => server?.close());

type Jobseeker = Awaited<ReturnType<typeof createJobseeker>>;
type Client = { client_id: string; client_secret: string; redirectUri: string };

// biome-ignore lint/suspicious/noExplicitAny: JSON of the API under test
async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${server.issuer}/admin/api${path}`, {
    method,
    headers: {
      authorization: `Bearer ${adminToken}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

async function patch(clientId: string, body: Record<string, unknown>) {
  const res = await admin('PATCH', `/clients/${clientId}`, body);
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  return res.json;
}

const api = (token: string, scope: string) =>
  fetch(`${server.issuer}/api/v1/${scope}`, { headers: { authorization: `Bearer ${token}` } });

/** A token endpoint request authenticated with client_secret_basic (RFC 6749 §2.3.1). */
async function tokenEndpoint(clientId: string, secret: string, params: Record<string, string>) {
  const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString(
    'base64',
  );
  const res = await fetch(`${server.issuer}/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
  });
  return { status: res.status, json: await res.json() };
}

const refresh = (client: Client, secret: string, refreshToken: string) =>
  tokenEndpoint(client.client_id, secret, { grant_type: 'refresh_token', refresh_token: refreshToken });

/** A full authorization: login, consent to `fields`, code redeemed for the resource API. */
/** `fields` undefined: the consent is already recorded, no consent page is expected. */
async function grant(
  client: Client,
  jobseeker: Jobseeker,
  scope: string,
  fields: string[] | undefined,
  secret?: string,
) {
  const config = await discover(server.issuer, client.client_id, secret ?? client.client_secret);
  const flow = await authorize({
    config,
    redirectUri: client.redirectUri,
    scope,
    login: jobseeker,
    fields,
    extra: scope.includes('offline_access') ? { prompt: 'consent' } : {},
  });
  expect(flow.callback.searchParams.get('error')).toBeNull();
  const tokens = await oidc.authorizationCodeGrant(
    config,
    flow.callback,
    { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce },
    { resource: `${server.issuer}/api` },
  );
  return { config, tokens };
}

/** The first hop of an authorization request, as a browser sends it. */
async function startAuthorization(client: { client_id: string; redirectUri: string }, scope = 'openid') {
  const verifier = oidc.randomPKCECodeVerifier();
  const url = new URL('/auth', server.issuer);
  url.search = new URLSearchParams({
    client_id: client.client_id,
    response_type: 'code',
    redirect_uri: client.redirectUri,
    scope,
    state: 'etat',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  }).toString();
  const res = await new UserAgent().request(url, { headers: { accept: 'text/html' } });
  return { status: res.status, location: res.headers.get('location'), html: await res.text() };
}

/** The refusal a person sees: a 400 page in French, no redirect to the app, no internals. */
function expectRefusalPage(page: { status: number; location: string | null; html: string }) {
  expect(page.status).toBe(400);
  expect(page.location).toBeNull();
  expect(page.html).toContain('<html lang="fr"');
  expect(page.html).toMatch(/n’est pas (reconnue|autorisée)/);
  expect(page.html).not.toMatch(/\bat .*\(.*:\d+:\d+\)|node_modules|\.ts:\d+|stack/i);
}

describe('client status', () => {
  it('does not let a pending app start a flow', async () => {
    const client = await createClient(server, { status: 'pending' });
    expectRefusalPage(await startAuthorization(client));
    // Nor can it use the token endpoint.
    const token = await tokenEndpoint(client.client_id, client.client_secret, {
      grant_type: 'authorization_code',
      code: 'x',
      redirect_uri: client.redirectUri,
      code_verifier: oidc.randomPKCECodeVerifier(),
    });
    expect(token.status).toBe(401);
    expect(token.json.error).toBe('invalid_client');
  });

  it('stops a suspended app on its very next call, and re-activation allows new flows', async () => {
    const jobseeker = await createJobseeker(server);
    const client = await createClient(server);
    const scope = 'openid offline_access competences';
    const { tokens } = await grant(client, jobseeker, scope, ['competences.code']);
    expect((await api(tokens.access_token, 'competences')).status).toBe(200);

    await patch(client.client_id, { status: 'suspended' });

    const denied = await api(tokens.access_token, 'competences');
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toContain('invalid_token');
    const refused = await refresh(client, client.client_secret, tokens.refresh_token as string);
    expect(refused.status).toBe(401);
    expect(refused.json.error).toBe('invalid_client');
    expectRefusalPage(await startAuthorization(client, scope));

    await patch(client.client_id, { status: 'active' });
    const again = await grant(client, jobseeker, scope, ['competences.code']);
    expect((await api(again.tokens.access_token, 'competences')).status).toBe(200);
    const renewed = await refresh(client, client.client_secret, again.tokens.refresh_token as string);
    expect(renewed.status).toBe(200);
  });

  it('revokes a suspended app’s tokens for good; its users’ consents stay, so a sign-in needs no new page', async () => {
    const jobseeker = await createJobseeker(server);
    const client = await createClient(server);
    const scope = 'openid offline_access competences';
    const { config, tokens } = await grant(client, jobseeker, scope, ['competences.code']);
    await patch(client.client_id, { status: 'suspended' });
    await patch(client.client_id, { status: 'active' });

    // Suspension revoked them: they do not come back with the app.
    expect((await api(tokens.access_token, 'competences')).status).toBe(401);
    const stale = await refresh(client, client.client_secret, tokens.refresh_token as string);
    expect(stale.status).toBe(400);
    expect(stale.json.error).toBe('invalid_grant');
    const audit = await admin('GET', '/audit');
    expect(JSON.stringify(audit.json)).toContain('client.status.suspended');

    // The consent is the jobseeker's decision, not the admin's: it stays, and signing in again through
    // the app needs no consent page.
    const { rows } = await server.pool.query(
      'SELECT status FROM consents WHERE jobseeker_id = $1 AND client_id = $2',
      [jobseeker.id, client.client_id],
    );
    expect(rows[0].status).toBe('active');
    const flow = await authorize({ config, redirectUri: client.redirectUri, scope, login: jobseeker });
    expect(flow.pages).toHaveLength(1); // the login page only
    const again = await oidc.authorizationCodeGrant(
      config,
      flow.callback,
      { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce },
      { resource: `${server.issuer}/api` },
    );
    expect((await api(again.access_token, 'competences')).status).toBe(200);
    expect(again.refresh_token).toBeTruthy();
  });

  it('stops serving a data scope removed from the app at once, and keeps serving the others', async () => {
    const jobseeker = await createJobseeker(server);
    const client = await createClient(server, {
      scopes: ['openid', 'offline_access', 'competences', 'statut'],
    });
    const { tokens } = await grant(client, jobseeker, 'openid competences statut', [
      'competences.code',
      'statut.libelleStatutIndividu',
    ]);
    expect((await api(tokens.access_token, 'competences')).status).toBe(200);
    expect((await api(tokens.access_token, 'statut')).status).toBe(200);

    // The purpose of the removed scope goes with it; the others stay.
    const changed = await patch(client.client_id, { scope: 'openid offline_access statut' });
    expect(changed).toMatchObject({ scope: 'openid offline_access statut', status: 'active' });
    expect(Object.keys(changed.purposes)).toEqual(['statut']);

    const removed = await api(tokens.access_token, 'competences');
    expect(removed.status).toBe(403);
    expect(removed.headers.get('www-authenticate')).toContain('insufficient_scope');
    const kept = await api(tokens.access_token, 'statut');
    expect(kept.status).toBe(200);
    // (The code of the situation travels with its label: scopes/statut.yaml.)
    const statut = jobseeker.data.statut as { codeStatutIndividu: string; libelleStatutIndividu: string };
    expect(await kept.json()).toEqual({
      codeStatutIndividu: statut.codeStatutIndividu,
      libelleStatutIndividu: statut.libelleStatutIndividu,
    });

    // A new authorization may no longer ask for it.
    const config = await discover(server.issuer, client.client_id, client.client_secret);
    const flow = await authorize({ config, redirectUri: client.redirectUri, scope: 'openid competences' });
    expect(flow.callback.searchParams.get('error')).toBe('invalid_scope');
  });
});

describe('client deletion', () => {
  it('revokes every consent (recorded in each jobseeker’s history) and every token', async () => {
    const client = await createClient(server);
    const scope = 'openid offline_access competences';
    const granted = [];
    for (let i = 0; i < 2; i++) {
      const jobseeker = await createJobseeker(server);
      granted.push({ jobseeker, ...(await grant(client, jobseeker, scope, ['competences.code'])) });
    }
    const bystander = await createClient(server);
    const other = await grant(bystander, granted[0]?.jobseeker as Jobseeker, scope, ['competences.code']);

    const res = await admin('DELETE', `/clients/${client.client_id}`);
    expect(res.status).toBe(204);

    const consents = await server.pool.query(
      'SELECT jobseeker_id, status, fields, revoked_at FROM consents WHERE client_id = $1',
      [client.client_id],
    );
    expect(consents.rows).toHaveLength(2);
    for (const row of consents.rows) {
      expect(row).toMatchObject({ status: 'revoked', fields: [] });
      expect(row.revoked_at).toBeInstanceOf(Date);
    }
    const events = await server.pool.query(
      "SELECT jobseeker_id, actor FROM consent_events WHERE client_id = $1 AND kind = 'revoked' ORDER BY id",
      [client.client_id],
    );
    expect(events.rows.map((e) => e.actor)).toEqual(['admin', 'admin']);
    expect(new Set(events.rows.map((e) => e.jobseeker_id))).toEqual(
      new Set(granted.map((g) => g.jobseeker.id)),
    );

    for (const { tokens } of granted) {
      expect((await api(tokens.access_token, 'competences')).status).toBe(401);
      const refused = await refresh(client, client.client_secret, tokens.refresh_token as string);
      expect(refused.status).toBe(401);
      expect(refused.json.error).toBe('invalid_client');
    }
    const left = await server.pool.query(
      "SELECT count(*)::int AS n FROM oidc_models WHERE payload->>'clientId' = $1",
      [client.client_id],
    );
    expect(left.rows[0].n).toBe(0);
    expectRefusalPage(await startAuthorization(client));

    // Another app of the same jobseeker is untouched.
    expect((await api(other.tokens.access_token, 'competences')).status).toBe(200);
    const untouched = await server.pool.query('SELECT status FROM consents WHERE client_id = $1', [
      bystander.client_id,
    ]);
    expect(untouched.rows).toEqual([{ status: 'active' }]);
  });
});

describe('client secret rotation', () => {
  it('accepts the new secret at once and the old one only during the grace period', async () => {
    const jobseeker = await createJobseeker(server);
    const client = await createClient(server);
    const old = client.client_secret;
    const { tokens } = await grant(client, jobseeker, 'openid offline_access competences', [
      'competences.code',
    ]);

    const rotated = await admin('POST', `/clients/${client.client_id}/secret`);
    expect(rotated.status).toBe(200);
    const fresh = rotated.json.client_secret as string;
    expect(fresh).not.toBe(old);

    // The new secret works at the token endpoint…
    const byNew = await refresh(client, fresh, tokens.refresh_token as string);
    expect(byNew.status, JSON.stringify(byNew.json)).toBe(200);
    // …and so does the old one, during the grace period.
    const byOld = await refresh(client, old, byNew.json.refresh_token);
    expect(byOld.status, JSON.stringify(byOld.json)).toBe(200);
    expect(byOld.json.access_token).toEqual(expect.any(String));
    // A wrong secret is still refused.
    const wrong = await refresh(client, `${old}x`, byOld.json.refresh_token);
    expect(wrong.status).toBe(401);
    expect(wrong.json.error).toBe('invalid_client');
    // A whole new flow with the new secret (the consent is recorded: no consent page).
    const withNew = await grant(client, jobseeker, 'openid competences', undefined, fresh);
    expect((await api(withNew.tokens.access_token, 'competences')).status).toBe(200);

    // After the grace period, only the new secret works.
    await server.pool.query(
      "UPDATE clients SET previous_secret_expires_at = now() - interval '1 second' WHERE id = $1",
      [client.client_id],
    );
    const late = await refresh(client, old, byOld.json.refresh_token);
    expect(late.status).toBe(401);
    expect(late.json.error).toBe('invalid_client');
    const still = await refresh(client, fresh, byOld.json.refresh_token);
    expect(still.status, JSON.stringify(still.json)).toBe(200);
  });

  it('ends the grace of the first secret when the secret is rotated twice', async () => {
    const jobseeker = await createJobseeker(server);
    const client = await createClient(server);
    const { tokens } = await grant(client, jobseeker, 'openid offline_access competences', [
      'competences.code',
    ]);
    const second = (await admin('POST', `/clients/${client.client_id}/secret`)).json.client_secret as string;
    const third = (await admin('POST', `/clients/${client.client_id}/secret`)).json.client_secret as string;
    const first = await refresh(client, client.client_secret, tokens.refresh_token as string);
    expect(first.json.error).toBe('invalid_client');
    const bySecond = await refresh(client, second, tokens.refresh_token as string);
    expect(bySecond.status).toBe(200);
    const byThird = await refresh(client, third, bySecond.json.refresh_token);
    expect(byThird.status).toBe(200);
  });
});

describe('RFC 7591 dynamic registration', () => {
  const metadata = (redirectUri: string) => ({
    client_name: 'Appli auto-enregistrée',
    redirect_uris: [redirectUri],
    scope: 'openid profile',
    data_scopes: ['competences'],
    description: 'Une appli qui s’enregistre seule',
    operator_name: 'Auto SAS',
  });
  const register = (body: unknown, token?: string) =>
    fetch(`${server.issuer}/reg`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    });
  const initialAccessToken = async () => {
    const res = await admin('POST', '/initial-access-tokens', {});
    expect(res.status).toBe(201);
    return res.json.initial_access_token as string;
  };

  it('requires an initial access token', async () => {
    const before = (await server.pool.query('SELECT count(*)::int AS n FROM clients')).rows[0].n;
    for (const token of [undefined, 'not-a-token']) {
      const res = await register(metadata('http://127.0.0.1:9/cb-refused'), token);
      expect(res.status, String(token)).toBe(401);
      const json = await res.json();
      expect(json.error, String(token)).toBe('invalid_token');
    }
    expect((await server.pool.query('SELECT count(*)::int AS n FROM clients')).rows[0].n).toBe(before);
  });

  it('registers a pending app once per token; after vetting and activation, a full flow works', async () => {
    const iat = await initialAccessToken();
    const redirectUri = 'http://127.0.0.1:9/cb-registered';
    const res = await register(metadata(redirectUri), iat);
    expect(res.status).toBe(201);
    const registered = await res.json();
    expect(registered).toMatchObject({
      client_id: expect.any(String),
      client_secret: expect.any(String),
      redirect_uris: [redirectUri],
    });
    const client: Client = {
      client_id: registered.client_id,
      client_secret: registered.client_secret,
      redirectUri,
    };

    const read = await admin('GET', `/clients/${client.client_id}`);
    expect(read.status).toBe(200);
    expect(read.json).toMatchObject({
      client_name: 'Appli auto-enregistrée',
      status: 'pending',
      registered_via: 'registration',
      scope: 'openid profile competences',
      description: 'Une appli qui s’enregistre seule',
      operator_name: 'Auto SAS',
    });
    expect(JSON.stringify(read.json)).not.toContain(client.client_secret);
    const audit = await admin('GET', `/audit?target_type=client&target_id=${client.client_id}`);
    expect(audit.json.map((e: { action: string; actor: string }) => [e.action, e.actor])).toEqual([
      ['client.create', 'registration'],
    ]);
    expect(JSON.stringify(audit.json)).not.toContain(client.client_secret);

    // Pending: no flow.
    expectRefusalPage(await startAuthorization(client, 'openid competences'));

    // The initial access token was for one registration only.
    const twice = await register(metadata('http://127.0.0.1:9/cb-twice'), iat);
    expect(twice.status).toBe(401);
    expect((await twice.json()).error).toBe('invalid_token');

    // Activation waits for the vetting.
    const early = await admin('PATCH', `/clients/${client.client_id}`, { status: 'active' });
    expect(early.status).toBe(400);
    expect(early.json.error_description).toMatch(/purposes\.competences/);
    await patch(client.client_id, {
      purposes: { competences: 'Proposer des formations.' },
      free_for_jobseekers: true,
      policy_uri: 'https://app.example.fr/confidentialite',
      contacts: ['dpo@app.example.fr'],
    });
    await patch(client.client_id, { status: 'active' });

    const jobseeker = await createJobseeker(server);
    const { tokens } = await grant(client, jobseeker, 'openid profile competences', [
      'profile.given_name',
      'competences.code',
    ]);
    const competences = await api(tokens.access_token, 'competences');
    expect(competences.status).toBe(200);
    expect((await competences.json()).map((c: { code: string }) => Object.keys(c))).toEqual(
      (jobseeker.data.competences as unknown[]).map(() => ['code']),
    );
  });

  it('applies the registration rules, naming the field', async () => {
    const count = async () => (await server.pool.query('SELECT count(*)::int AS n FROM clients')).rows[0].n;
    const before = await count();
    for (const redirectUri of ['http://app.example.fr/cb', 'https://*.example.fr/cb']) {
      const res = await register(metadata(redirectUri), await initialAccessToken());
      expect(res.status).toBe(400);
      const json = await res.json();
      // RFC 7591 §3.2.2: oidc-provider's own check or ours, whichever refuses first.
      expect(json.error).toMatch(/^(invalid_redirect_uri|invalid_client_metadata)$/);
      expect(json.error_description).toMatch(/redirect_uris/);
    }
    const unknown = await register(
      { ...metadata('http://127.0.0.1:9/cb-x'), data_scopes: ['salaire'] },
      await initialAccessToken(),
    );
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).error).toBe('invalid_client_metadata');
    expect(await count()).toBe(before);
  });
  it('does not use up the token on a refused registration, and lets one of two parallel ones through', async () => {
    const iat = await initialAccessToken();
    const refused = await register(metadata('http://app.example.fr/cb'), iat);
    expect(refused.status).toBe(400);
    const results = await Promise.all([
      register(metadata('http://127.0.0.1:9/cb-race-a'), iat),
      register(metadata('http://127.0.0.1:9/cb-race-b'), iat),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([201, expect.any(Number)]);
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.find((r) => r.status !== 201)?.status).toBeGreaterThanOrEqual(400);
  });
});

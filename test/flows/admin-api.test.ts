// The admin JSON API at /admin/api over HTTP, with real admin tokens: every operation on client apps
// (secrets shown once, never read back), the audit trail (who, what, before → after, never a secret),
// API tokens, initial access tokens and the OpenAPI document; every registration rule refused with a
// 400 naming the field; and every way of not being an admin answered 401, never with a cookie.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobseeker } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { formAction, UserAgent } from '../support/user-agent.ts';

let server: TestServer;
let adminEmail: string;
let adminToken: string;
let adminId: string;
beforeAll(async () => {
  server = await startTestServer();
  adminEmail = 'admin.api@pole-emploi.example';
  const admin = await server.app.services.admins.create(adminEmail, 'un mot de passe solide', {
    actor: 'test',
  });
  adminId = admin.id;
  adminToken = (await server.app.services.admins.createToken(admin.id, 'test', null, { actor: 'test' }))
    .token;
});
afterAll(() => server?.close());

interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: JSON of the API under test
  json: any;
  text: string;
}

async function call(
  method: string,
  path: string,
  o: { body?: unknown; raw?: string; token?: string | null; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...o.headers };
  const token = o.token === undefined ? adminToken : o.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (o.raw !== undefined || o.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = o.raw ?? JSON.stringify(o.body);
  }
  const res = await fetch(`${server.issuer}/admin/api${path}`, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}

/** Every error of the API: the status, exactly { error, error_description }, and the description. */
function expectError(res: Answer, status: number, description?: RegExp) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(Object.keys(res.json).sort()).toEqual(['error', 'error_description']);
  expect(res.json.error).toEqual(expect.any(String));
  expect(res.json.error_description).toEqual(expect.any(String));
  if (description) expect(res.json.error_description).toMatch(description);
}

let counter = 0;
const validBody = (overrides: Record<string, unknown> = {}) => ({
  client_name: `Appli API ${++counter}`,
  redirect_uris: [`https://app${counter}.example.fr/cb`],
  scope: 'openid profile competences statut',
  ...overrides,
});

async function createApp(overrides: Record<string, unknown> = {}) {
  const res = await call('POST', '/clients', { body: validBody(overrides) });
  expect(res.status, res.text).toBe(201);
  return res.json as { client_id: string; client_secret: string } & Record<string, unknown>;
}

const countClients = async () =>
  Number((await server.pool.query('SELECT count(*) FROM clients')).rows[0].count);

/** Every key at any depth of a JSON value. */
function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [k, ...keysOf(v)]);
  return [];
}

describe('admin API: client apps', () => {
  it('creates an app: 201, Location, the credentials once, pending by default', async () => {
    const res = await call('POST', '/clients', {
      body: validBody({
        client_name: 'Mon CV en ligne',
        description: 'Aide à rédiger un CV',
        operator_name: 'CV & Co',
        operator_siret: '73282932000074',
        client_uri: 'https://cv.example.fr',
        contacts: ['dpo@cv.example.fr'],
        logo_uri: 'https://cv.example.fr/logo.png',
        policy_uri: 'https://cv.example.fr/confidentialite',
        tos_uri: 'https://cv.example.fr/cgu#art-1',
        redirect_uris: ['https://cv.example.fr/cb', 'https://cv.example.fr/cb2'],
      }),
    });
    expect(res.status, res.text).toBe(201);
    expect(res.headers.get('cache-control')).toMatch(/no-store/);
    const id = res.json.client_id as string;
    expect(id).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(res.headers.get('location')).toBe(`/admin/api/clients/${encodeURIComponent(id)}`);
    expect(res.json.client_secret).toEqual(expect.any(String));
    expect(res.json.client_secret.length).toBeGreaterThanOrEqual(32);
    expect(res.json).toMatchObject({
      client_name: 'Mon CV en ligne',
      operator_siret: '73282932000074',
      contacts: ['dpo@cv.example.fr'],
      scope: 'openid profile competences statut',
      status: 'pending',
      registered_via: 'admin',
      token_endpoint_auth_method: 'client_secret_basic',
      free_for_jobseekers: false,
    });

    const { rows } = await server.pool.query('SELECT status, secret_ciphertext FROM clients WHERE id = $1', [
      id,
    ]);
    expect(rows[0].status).toBe('pending');
    expect(rows[0].secret_ciphertext).toBeTruthy();
    expect(rows[0].secret_ciphertext).not.toContain(res.json.client_secret);
  });

  it('never returns a secret or a ciphertext when reading, before or after a rotation', async () => {
    const created = await createApp();
    const rotated = await call('POST', `/clients/${created.client_id}/secret`);
    expect(rotated.status, rotated.text).toBe(200);
    const { rows } = await server.pool.query(
      'SELECT secret_ciphertext, previous_secret_ciphertext FROM clients WHERE id = $1',
      [created.client_id],
    );
    const ciphertexts = [rows[0].secret_ciphertext, rows[0].previous_secret_ciphertext];
    expect(ciphertexts.every(Boolean)).toBe(true);

    const one = await call('GET', `/clients/${created.client_id}`);
    const list = await call('GET', '/clients');
    expect(one.status).toBe(200);
    expect(list.status).toBe(200);
    expect(one.json.client_id).toBe(created.client_id);
    expect(list.json.map((c: { client_id: string }) => c.client_id)).toContain(created.client_id);
    for (const res of [one, list]) {
      for (const secret of [created.client_secret, rotated.json.client_secret, ...ciphertexts]) {
        expect(res.text).not.toContain(secret);
      }
      const keys = keysOf(res.json);
      expect(keys).not.toContain('client_secret');
      expect(keys.filter((k) => /ciphertext|sealed|hash/i.test(k))).toEqual([]);
    }
  });

  it('reads one app and lists them, with their consent count', async () => {
    const a = await createApp({ client_name: 'Appli listée A' });
    const b = await createApp({ client_name: 'Appli listée B' });
    const list = await call('GET', '/clients');
    const names = list.json.map((c: { client_name: string }) => c.client_name);
    expect(names).toEqual(expect.arrayContaining(['Appli listée A', 'Appli listée B']));
    const listed = list.json.find((c: { client_id: string }) => c.client_id === a.client_id);
    expect(listed).toMatchObject({ status: 'pending', active_consents: 0, last_activity: null });
    const one = await call('GET', `/clients/${b.client_id}`);
    expect(one.json).toMatchObject({ client_id: b.client_id, client_name: 'Appli listée B' });
    expectError(await call('GET', '/clients/no-such-app'), 404);
  });

  it('changes fields with PATCH, and refuses activation until the app is vetted', async () => {
    const created = await createApp({ scope: 'openid profile competences statut' });
    const renamed = await call('PATCH', `/clients/${created.client_id}`, {
      body: { client_name: 'Nouveau nom', description: 'Décrite' },
    });
    expect(renamed.status, renamed.text).toBe(200);
    expect(renamed.json).toMatchObject({
      client_name: 'Nouveau nom',
      description: 'Décrite',
      status: 'pending',
    });
    expect(renamed.text).not.toContain(created.client_secret);

    const refused = await call('PATCH', `/clients/${created.client_id}`, { body: { status: 'active' } });
    expectError(refused, 400);
    expect(refused.json.error).toBe('invalid_client_metadata');
    for (const field of [
      'purposes.competences',
      'purposes.statut',
      'free_for_jobseekers',
      'policy_uri',
      'contacts',
    ]) {
      expect(refused.json.error_description).toContain(field);
    }
    expect((await call('GET', `/clients/${created.client_id}`)).json.status).toBe('pending');

    // Half-vetted: the missing purpose is still named.
    const half = await call('PATCH', `/clients/${created.client_id}`, {
      body: { status: 'active', purposes: { competences: 'Remplir votre CV.' }, free_for_jobseekers: true },
    });
    expectError(half, 400, /purposes\.statut/);
    expect(half.json.error_description).not.toContain('purposes.competences');
    expect(half.json.error_description).not.toContain('free_for_jobseekers');

    const vetted = await call('PATCH', `/clients/${created.client_id}`, {
      body: {
        purposes: { competences: 'Remplir votre CV.', statut: 'Adapter les offres.' },
        free_for_jobseekers: true,
        policy_uri: 'https://app.example.fr/confidentialite',
        contacts: ['dpo@app.example.fr'],
      },
    });
    expect(vetted.status, vetted.text).toBe(200);
    expect(vetted.json.status).toBe('pending');
    const active = await call('PATCH', `/clients/${created.client_id}`, { body: { status: 'active' } });
    expect(active.status, active.text).toBe(200);
    expect(active.json).toMatchObject({
      status: 'active',
      client_name: 'Nouveau nom',
      free_for_jobseekers: true,
    });

    const suspended = await call('PATCH', `/clients/${created.client_id}`, { body: { status: 'suspended' } });
    expect(suspended.json.status).toBe('suspended');

    expectError(await call('PATCH', `/clients/${created.client_id}`, { body: {} }), 400, /nothing to change/);
    expectError(await call('PATCH', `/clients/${created.client_id}`, { body: { status: 'deleted' } }), 400);
    expectError(await call('PATCH', '/clients/no-such-app', { body: { client_name: 'x' } }), 404);
  });

  it('rotates the secret: the new one is shown once with the end of the grace period', async () => {
    const created = await createApp();
    const res = await call('POST', `/clients/${created.client_id}/secret`);
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ client_id: created.client_id, client_secret: expect.any(String) });
    expect(res.json.client_secret).not.toBe(created.client_secret);
    const graceEnd = new Date(res.json.previous_secret_expires_at).getTime();
    const hours = server.config.clientSecretGraceHours;
    expect(Math.abs(graceEnd - Date.now() - hours * 3_600_000)).toBeLessThan(60_000);
    const read = await call('GET', `/clients/${created.client_id}`);
    expect(new Date(read.json.secret_rotation_grace_until).getTime()).toBe(graceEnd);
    expect(read.text).not.toContain(res.json.client_secret);
    expectError(await call('POST', '/clients/no-such-app/secret'), 404);
  });

  it('refuses to rotate the secret of an app that authenticates with a key', async () => {
    const created = await createApp({
      token_endpoint_auth_method: 'private_key_jwt',
      jwks_uri: 'https://keys.example.fr/jwks.json',
    });
    expect(created.client_secret).toBeUndefined();
    expectError(await call('POST', `/clients/${created.client_id}/secret`), 400, /private_key_jwt/);
  });

  it('deletes an app: 204, then it is gone from every read', async () => {
    const created = await createApp();
    const res = await call('DELETE', `/clients/${created.client_id}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expectError(await call('GET', `/clients/${created.client_id}`), 404);
    const list = await call('GET', '/clients');
    expect(list.json.map((c: { client_id: string }) => c.client_id)).not.toContain(created.client_id);
    expectError(await call('DELETE', `/clients/${created.client_id}`), 404);
    expectError(await call('PATCH', `/clients/${created.client_id}`, { body: { status: 'active' } }), 404);
    expectError(await call('POST', `/clients/${created.client_id}/secret`), 404);
    const { rows } = await server.pool.query(
      'SELECT deleted_at, secret_ciphertext, previous_secret_ciphertext FROM clients WHERE id = $1',
      [created.client_id],
    );
    expect(rows[0]).toMatchObject({ secret_ciphertext: null, previous_secret_ciphertext: null });
    expect(rows[0].deleted_at).toBeInstanceOf(Date);
  });

  it('answers an unknown path under /admin/api with a JSON 404', async () => {
    expectError(await call('GET', '/nope'), 404);
  });
});

describe('admin API: audit trail', () => {
  it('records every action with its admin, before and after, and never a secret', async () => {
    const actor = `admin:${adminEmail}`;
    const created = await createApp({ scope: 'openid competences' });
    const id = created.client_id;
    await call('PATCH', `/clients/${id}`, {
      body: {
        client_name: 'Renommée',
        purposes: { competences: 'CV.' },
        free_for_jobseekers: true,
        policy_uri: 'https://app.example.fr/confidentialite',
        contacts: ['dpo@app.example.fr'],
      },
    });
    await call('PATCH', `/clients/${id}`, { body: { status: 'active' } });
    const rotated = (await call('POST', `/clients/${id}/secret`)).json.client_secret as string;
    expect(rotated).toEqual(expect.any(String));
    expect((await call('DELETE', `/clients/${id}`)).status).toBe(204);

    const trail = await call('GET', `/audit?target_type=client&target_id=${encodeURIComponent(id)}`);
    expect(trail.status, trail.text).toBe(200);
    const entries = [...trail.json].reverse(); // oldest first
    expect(entries.map((e: { action: string }) => e.action)).toEqual([
      'client.create',
      'client.update',
      'client.status.active',
      'client.secret.rotate',
      'client.delete',
    ]);
    for (const e of entries) {
      expect(e).toMatchObject({ actor, target_type: 'client', target_id: id });
      expect(Number.isNaN(Date.parse(e.created_at))).toBe(false);
    }
    const [create, update, activate, rotate, remove] = entries;
    expect(create.before).toBeNull();
    expect(create.after).toMatchObject({ id, status: 'pending', scopes: ['openid', 'competences'] });
    expect(update.before).toMatchObject({ name: created.client_name, free_for_jobseekers: false });
    expect(update.after).toMatchObject({
      name: 'Renommée',
      purposes: { competences: 'CV.' },
      free_for_jobseekers: true,
    });
    expect(activate.before.status).toBe('pending');
    expect(activate.after.status).toBe('active');
    expect(rotate.before).toMatchObject({ id, status: 'active' });
    expect(remove.before).toMatchObject({ id, name: 'Renommée' });
    expect(remove.after).toBeNull();

    // Token and initial-access-token actions are audited too.
    const token = await call('POST', '/tokens', { body: { name: 'pipeline audité' } });
    expect((await call('DELETE', `/tokens/${token.json.id}`)).status).toBe(204);
    const iat = await call('POST', '/initial-access-tokens', { body: { expires_in_days: 3 } });
    expect(iat.status, iat.text).toBe(201);

    const all = await call('GET', '/audit');
    expect(all.status).toBe(200);
    const actions = all.json.map((e: { action: string }) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(['admin_token.create', 'admin_token.revoke', 'initial_access_token.create']),
    );
    const ofToken = all.json.filter((e: { target_id: string }) => e.target_id === token.json.id);
    expect(ofToken.map((e: { action: string; actor: string }) => [e.action, e.actor])).toEqual([
      ['admin_token.revoke', actor],
      ['admin_token.create', actor],
    ]);
    const issued = all.json.find((e: { action: string }) => e.action === 'initial_access_token.create');
    expect(issued).toMatchObject({
      actor,
      target_type: 'initial_access_token',
      target_id: expect.stringMatching(/^[0-9a-f]{16}$/), // a fingerprint, not the token
      after: { expires_in_days: 3 },
    });

    // No secret, under any form, anywhere in the trail.
    const serialized = JSON.stringify(all.json);
    for (const secret of [
      created.client_secret,
      rotated,
      token.json.token,
      iat.json.initial_access_token,
      adminToken,
    ]) {
      expect(secret.length).toBeGreaterThan(20);
      expect(serialized).not.toContain(secret);
    }
    expect(keysOf(all.json).filter((k) => /secret|ciphertext|token_hash|password/i.test(k))).toEqual([]);
    // And the table itself holds nothing more than what the API shows.
    const { rows } = await server.pool.query('SELECT * FROM admin_audit');
    const table = JSON.stringify(rows);
    for (const secret of [created.client_secret, rotated, token.json.token, iat.json.initial_access_token]) {
      expect(table).not.toContain(secret);
    }
  });

  it('pages with ?before= and refuses a malformed filter', async () => {
    await createApp();
    await createApp();
    const first = await call('GET', '/audit');
    const newest = first.json[0];
    const older = await call('GET', `/audit?before=${newest.id}`);
    expect(older.status).toBe(200);
    expect(older.json.every((e: { id: string }) => BigInt(e.id) < BigInt(newest.id))).toBe(true);
    expect(older.json[0].id).toBe(first.json[1].id);
    expectError(await call('GET', '/audit?before=abc'), 400, /before/);
  });
});

describe('admin API: tokens', () => {
  it('shows a new token once, lists tokens without value or hash, and revokes one', async () => {
    const created = await call('POST', '/tokens', { body: { name: 'déploiement' } });
    expect(created.status, created.text).toBe(201);
    const value = created.json.token as string;
    expect(value).toMatch(/^pecadm_[A-Za-z0-9_-]{40,}$/);
    expect(created.json).toMatchObject({ id: expect.any(String), name: 'déploiement', admin_id: adminId });

    // The new token works.
    expect((await call('GET', '/clients', { token: value })).status).toBe(200);

    const list = await call('GET', '/tokens');
    expect(list.status).toBe(200);
    const listed = list.json.find((t: { id: string }) => t.id === created.json.id);
    expect(listed).toMatchObject({ name: 'déploiement', admin_email: adminEmail, revoked_at: null });
    expect(listed.last_used_at).not.toBeNull();
    expect(list.text).not.toContain(value);
    expect(list.text).not.toContain(adminToken);
    expect(keysOf(list.json)).not.toContain('token');
    expect(keysOf(list.json)).not.toContain('token_hash');
    const { rows } = await server.pool.query('SELECT token_hash FROM admin_tokens');
    for (const { token_hash } of rows) expect(list.text).not.toContain(token_hash);

    const revoked = await call('DELETE', `/tokens/${created.json.id}`);
    expect(revoked.status).toBe(204);
    const denied = await call('GET', '/clients', { token: value });
    expectError(denied, 401);
    expect(denied.headers.get('www-authenticate')).toMatch(/^Bearer /);
    const after = (await call('GET', '/tokens')).json.find((t: { id: string }) => t.id === created.json.id);
    expect(after.revoked_at).not.toBeNull();
    // Revoking again is harmless; an unknown token is a 404.
    expect((await call('DELETE', `/tokens/${created.json.id}`)).status).toBe(204);
    expectError(await call('DELETE', '/tokens/00000000-0000-0000-0000-000000000000'), 404);
    expectError(await call('DELETE', '/tokens/not-a-uuid'), 404);
  });

  it('creates a token with an expiry, and refuses a past one, a missing name or unknown keys', async () => {
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const ok = await call('POST', '/tokens', { body: { name: 'court', expires_at: expiresAt } });
    expect(ok.status, ok.text).toBe(201);
    expect(new Date(ok.json.expires_at).toISOString()).toBe(expiresAt);
    const past = new Date(Date.now() - 60_000).toISOString();
    expectError(await call('POST', '/tokens', { body: { name: 'passé', expires_at: past } }), 400);
    expectError(await call('POST', '/tokens', { body: {} }), 400, /name/);
    expectError(await call('POST', '/tokens', { body: { name: '   ' } }), 400, /name/);
    expectError(await call('POST', '/tokens', { body: { name: 'x', admin_id: adminId } }), 400);
    expectError(await call('POST', '/tokens', { body: { name: 'x', expires_at: 'demain' } }), 400);
  });
});

describe('admin API: initial access tokens and OpenAPI', () => {
  it('issues a single-use initial access token for RFC 7591 registration', async () => {
    // The endpoint is the issuer's, whatever Origin the request claims.
    const res = await call('POST', '/initial-access-tokens', { headers: { origin: 'https://evil.example' } });
    expect(res.status, res.text).toBe(201);
    expect(res.json).toEqual({
      initial_access_token: expect.any(String),
      expires_in: 7 * 86_400,
      registration_endpoint: `${server.issuer}/reg`,
    });
    const longer = await call('POST', '/initial-access-tokens', { body: { expires_in_days: 30 } });
    expect(longer.json.expires_in).toBe(30 * 86_400);
    expectError(await call('POST', '/initial-access-tokens', { body: { expires_in_days: 91 } }), 400);
    expectError(await call('POST', '/initial-access-tokens', { body: { expires_in_days: 0 } }), 400);
    expectError(await call('POST', '/initial-access-tokens', { body: { policies: [] } }), 400);
  });

  it('publishes its OpenAPI document, request bodies included, without authentication', async () => {
    const res = await call('GET', '/openapi.json', { token: null });
    expect(res.status).toBe(200);
    const doc = res.json;
    expect(doc.openapi).toMatch(/^3\.1/);
    expect(doc.servers[0].url).toBe(`${server.issuer}/admin/api`);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/clients',
        '/clients/{id}',
        '/clients/{id}/secret',
        '/audit',
        '/tokens',
        '/tokens/{id}',
        '/initial-access-tokens',
      ]),
    );
    const create = doc.paths['/clients'].post.requestBody.content['application/json'].schema;
    expect(create.type).toBe('object');
    expect(create.required).toEqual(expect.arrayContaining(['client_name', 'redirect_uris', 'scope']));
    expect(Object.keys(create.properties)).toEqual(
      expect.arrayContaining([
        'client_name',
        'redirect_uris',
        'scope',
        'purposes',
        'status',
        'operator_siret',
      ]),
    );
    expect(create.additionalProperties).toBe(false);
    const patch = doc.paths['/clients/{id}'].patch.requestBody.content['application/json'].schema;
    expect(patch.required ?? []).toEqual([]);
    expect(patch.properties.status.enum).toEqual(['pending', 'active', 'suspended']);
    expect(
      doc.paths['/tokens'].post.requestBody.content['application/json'].schema.properties,
    ).toHaveProperty('name');
    expect(doc.components.securitySchemes.adminToken).toMatchObject({ type: 'http', scheme: 'bearer' });
  });
});

describe('admin API: registration rules', () => {
  const refused: [string, Record<string, unknown>, RegExp][] = [
    [
      'an http redirect URI off loopback',
      { redirect_uris: ['http://app.example.fr/cb'] },
      /redirect_uris\.0: .*https/,
    ],
    ['a javascript: redirect URI', { redirect_uris: ['javascript:alert(1)'] }, /redirect_uris\.0: .*https/],
    ['a JAVASCRIPT: redirect URI', { redirect_uris: ['JAVASCRIPT:alert(1)'] }, /redirect_uris\.0: .*https/],
    ['a data: redirect URI', { redirect_uris: ['data:text/html,<script>x</script>'] }, /redirect_uris\.0/],
    [
      'a redirect URI with a fragment',
      { redirect_uris: ['https://app.example.fr/cb#x'] },
      /redirect_uris\.0: .*fragment/,
    ],
    ['a wildcard redirect URI', { redirect_uris: ['https://*.example.fr/cb'] }, /redirect_uris\.0: .*joker/],
    [
      'a redirect URI with userinfo',
      { redirect_uris: ['https://user:pw@app.example.fr/cb'] },
      /redirect_uris\.0: .*identifiants/,
    ],
    ['a relative redirect URI', { redirect_uris: ['/cb'] }, /redirect_uris\.0/],
    ['no redirect URI', { redirect_uris: [] }, /redirect_uris/],
    [
      'redirect URIs on different hosts',
      { redirect_uris: ['https://a.example.fr/cb', 'https://b.example.fr/cb'] },
      /redirect_uris: .*même hôte/,
    ],
    [
      'an unsafe post-logout redirect URI',
      { post_logout_redirect_uris: ['javascript:alert(1)'] },
      /post_logout_redirect_uris\.0/,
    ],
    ['an http logo', { logo_uri: 'http://cdn.example.fr/logo.png' }, /logo_uri: .*https/],
    ['a javascript: logo', { logo_uri: 'javascript:alert(1)' }, /logo_uri/],
    ['an http privacy policy', { policy_uri: 'http://app.example.fr/privacy' }, /policy_uri: .*https/],
    ['a data: privacy policy', { policy_uri: 'data:text/html,x' }, /policy_uri/],
    ['http terms of service', { tos_uri: 'http://app.example.fr/cgu' }, /tos_uri: .*https/],
    ['an http website', { client_uri: 'http://app.example.fr' }, /client_uri/],
    ['a SIRET with a bad checksum', { operator_siret: '73282932000075' }, /operator_siret: .*SIRET/],
    ['a SIRET with letters', { operator_siret: '7328293200007A' }, /operator_siret/],
    ['a SIRET too short', { operator_siret: '7328293200007' }, /operator_siret/],
    ['an unknown scope', { scope: 'openid profile salaire' }, /scope: .*inconnu/],
    ['a scope list without openid', { scope: 'profile competences' }, /scope: .*openid/],
    [
      'a purpose for a scope the app may not ask for',
      { scope: 'openid competences', purposes: { langues: 'Traduire.' } },
      /purposes\.langues/,
    ],
    [
      'a purpose for an identity scope',
      { scope: 'openid profile', purposes: { profile: 'x' } },
      /purposes\.profile/,
    ],
    [
      'private_key_jwt without keys',
      { token_endpoint_auth_method: 'private_key_jwt' },
      /jwks: .*private_key_jwt/,
    ],
    [
      'private_key_jwt with both jwks and jwks_uri',
      {
        token_endpoint_auth_method: 'private_key_jwt',
        jwks_uri: 'https://app.example.fr/jwks',
        jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] },
      },
      /jwks/,
    ],
    [
      'an unknown auth method',
      { token_endpoint_auth_method: 'client_secret_jwt' },
      /token_endpoint_auth_method/,
    ],
    ['an unknown key', { client_secret: 'choisi-par-moi' }, /client_secret|Unrecognized/i],
    ['another unknown key', { grant_types: ['client_credentials'] }, /grant_types|Unrecognized/i],
    ['a contact that is not an email', { contacts: ['pas un email'] }, /contacts/],
    ['an unknown status', { status: 'approved' }, /status/],
    ['a consent duration of zero', { consent_duration_days: 0 }, /consent_duration_days/],
    ['a name of the wrong type', { client_name: 42 }, /client_name/],
    ['an empty name', { client_name: '   ' }, /client_name/],
    [
      'an active status without vetting',
      { status: 'active', scope: 'openid competences' },
      /purposes\.competences.*free_for_jobseekers|free_for_jobseekers.*purposes\.competences/,
    ],
  ];

  it.each(refused)('refuses %s with a 400 naming the field, and stores nothing', async (_, body, named) => {
    const before = await countClients();
    const res = await call('POST', '/clients', { body: validBody(body) });
    expectError(res, 400, named);
    expect(await countClients()).toBe(before);
  });

  it.each([
    ['client_name', { redirect_uris: ['https://a.example.fr/cb'], scope: 'openid' }],
    ['redirect_uris', { client_name: 'x', scope: 'openid' }],
    ['scope', { client_name: 'x', redirect_uris: ['https://a.example.fr/cb'] }],
  ])('requires %s on creation', async (field, body) => {
    expectError(await call('POST', '/clients', { body }), 400, new RegExp(field));
  });

  it('accepts what the rules allow: a valid SIRET, https links, loopback http, a key-authenticated app', async () => {
    const ok = await createApp({
      operator_siret: '73282932000074',
      logo_uri: 'https://app.example.fr/logo.png',
      policy_uri: 'https://app.example.fr/privacy',
      contacts: ['dpo@app.example.fr'],
      tos_uri: 'https://app.example.fr/cgu#section',
      redirect_uris: ['http://127.0.0.1:8080/cb', 'http://127.0.0.1:8080/cb2'],
      post_logout_redirect_uris: ['http://127.0.0.1:8080/bye'],
      scope: 'openid competences langues offline_access',
      purposes: { competences: 'CV.', langues: 'Traduire.' },
      free_for_jobseekers: true,
      status: 'active',
      consent_duration_days: 90,
    });
    expect(ok).toMatchObject({
      status: 'active',
      operator_siret: '73282932000074',
      consent_duration_days: 90,
    });
    // La Poste's establishments follow their own checksum (sum of digits a multiple of 5); its head
    // office's SIRET passes the usual one.
    for (const siret of ['35600000049837', '35600000000048']) {
      expect((await createApp({ operator_siret: siret })).operator_siret).toBe(siret);
    }
    const keyed = await createApp({
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] },
    });
    expect(keyed).toMatchObject({ token_endpoint_auth_method: 'private_key_jwt', jwks_uri: null });
    expect(keyed.client_secret).toBeUndefined();
  });

  it('applies the same rules to PATCH, and leaves the app unchanged when refused', async () => {
    const created = await createApp();
    for (const body of [
      { redirect_uris: ['javascript:alert(1)'] },
      { redirect_uris: ['https://a.example.fr/cb', 'https://b.example.fr/cb'] },
      { logo_uri: 'http://cdn.example.fr/logo.png' },
      { operator_siret: '12345678901234' },
      { scope: 'profile' },
      { purposes: { langues: 'x' } },
      { token_endpoint_auth_method: 'private_key_jwt' },
      { client_secret: 'x' },
    ]) {
      expectError(await call('PATCH', `/clients/${created.client_id}`, { body }), 400);
    }
    const read = await call('GET', `/clients/${created.client_id}`);
    expect(read.json).toMatchObject({
      client_name: created.client_name,
      redirect_uris: created.redirect_uris,
      logo_uri: null,
      operator_siret: null,
      scope: created.scope,
      token_endpoint_auth_method: 'client_secret_basic',
    });
  });

  it('answers malformed, oversized or non-object bodies with a 4xx, never a 5xx', async () => {
    const before = await countClients();
    const malformed = await call('POST', '/clients', { raw: '{"client_name": "x", ' });
    expectError(malformed, 400);
    expectError(await call('POST', '/clients', { raw: 'null' }), 400);
    expectError(await call('POST', '/clients', { raw: '[]' }), 400);
    expectError(await call('POST', '/clients', { raw: '"texte"' }), 400);
    expectError(await call('PATCH', '/clients/x', { raw: '{not json' }), 400);

    const huge = await call('POST', '/clients', {
      body: validBody({ description: 'x'.repeat(200_000) }),
    });
    expect(huge.status).toBe(413);
    expectError(huge, 413);

    // A form body is not parsed: the required fields are missing.
    const form = await call('POST', '/clients', {
      raw: 'client_name=x&scope=openid',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectError(form, 400);
    // Over-long values are refused by the rules, not by the database.
    expectError(await call('POST', '/clients', { body: validBody({ client_name: 'n'.repeat(500) }) }), 400);
    expectError(
      await call('POST', '/clients', {
        body: validBody({ redirect_uris: Array.from({ length: 11 }, (_, i) => `https://a.example.fr/${i}`) }),
      }),
      400,
    );
    expect(await countClients()).toBe(before);
  });
});

describe('admin API: authentication', () => {
  async function expectUnauthorized(res: Answer) {
    expectError(res, 401);
    expect(res.json.error).toBe('invalid_token');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="/);
  }

  async function tokenOf(email: string) {
    const admin = await server.app.services.admins.create(email, 'encore un mot de passe', { actor: 'test' });
    const { token, id } = await server.app.services.admins.createToken(admin.id, 'test', null, {
      actor: 'test',
    });
    return { admin, token, tokenId: id };
  }

  it('requires an Authorization header, on every operation', async () => {
    const before = await countClients();
    for (const [method, path] of [
      ['GET', '/clients'],
      ['GET', '/clients/x'],
      ['POST', '/clients'],
      ['PATCH', '/clients/x'],
      ['DELETE', '/clients/x'],
      ['POST', '/clients/x/secret'],
      ['GET', '/audit'],
      ['GET', '/tokens'],
      ['POST', '/tokens'],
      ['DELETE', '/tokens/x'],
      ['POST', '/initial-access-tokens'],
    ] as const) {
      const body = method === 'POST' || method === 'PATCH' ? validBody() : undefined;
      await expectUnauthorized(await call(method, path, { token: null, body }));
    }
    expect(await countClients()).toBe(before);
  });

  it('refuses garbage, malformed headers and other schemes', async () => {
    await expectUnauthorized(await call('GET', '/clients', { token: 'garbage' }));
    await expectUnauthorized(await call('GET', '/clients', { token: `pecadm_${'A'.repeat(43)}` }));
    await expectUnauthorized(await call('GET', '/clients', { token: `pecadm_${'A'.repeat(300)}` }));
    await expectUnauthorized(await call('GET', '/clients', { token: `${adminToken}x` }));
    await expectUnauthorized(
      await call('GET', '/clients', { token: null, headers: { authorization: 'Bearer' } }),
    );
    await expectUnauthorized(
      await call('GET', '/clients', {
        token: null,
        headers: { authorization: `Bearer ${adminToken} extra` },
      }),
    );
    await expectUnauthorized(
      await call('GET', '/clients', {
        token: null,
        headers: {
          authorization: `Basic ${Buffer.from(`${adminEmail}:un mot de passe solide`).toString('base64')}`,
        },
      }),
    );
    // Not in the query string either.
    await expectUnauthorized(await call('GET', `/clients?access_token=${adminToken}`, { token: null }));
  });

  it('refuses a revoked token', async () => {
    const { token, tokenId } = await tokenOf('revoque@pole-emploi.example');
    expect((await call('GET', '/clients', { token })).status).toBe(200);
    await server.app.services.admins.revokeToken(tokenId, { actor: 'test' });
    await expectUnauthorized(await call('GET', '/clients', { token }));
  });

  it('refuses an expired token', async () => {
    const { token, tokenId } = await tokenOf('expire@pole-emploi.example');
    expect((await call('GET', '/clients', { token })).status).toBe(200);
    await server.pool.query(
      "UPDATE admin_tokens SET expires_at = now() - interval '1 minute' WHERE id = $1",
      [tokenId],
    );
    await expectUnauthorized(await call('GET', '/clients', { token }));
  });

  it('refuses the token of a disabled admin', async () => {
    const { admin, token } = await tokenOf('desactive@pole-emploi.example');
    expect((await call('GET', '/clients', { token })).status).toBe(200);
    await server.pool.query('UPDATE admins SET disabled_at = now() WHERE id = $1', [admin.id]);
    await expectUnauthorized(await call('GET', '/clients', { token }));
    await expectUnauthorized(await call('POST', '/clients', { token, body: validBody() }));
  });

  it('never accepts a cookie: a logged-in jobseeker gets a 401', async () => {
    const jobseeker = await createJobseeker(server);
    const agent = new UserAgent();
    const login = await agent.follow(`${server.issuer}/account`);
    const html = await login.response.text();
    const signedIn = await agent.submit(login.url, html, formAction(html, '/account/login'), [
      ['login', jobseeker.login],
      ['password', jobseeker.password],
    ]);
    expect(signedIn.response.status).toBe(200);
    expect(signedIn.url.pathname).toBe('/account/consents');
    expect(agent.cookieHeader(new URL(server.issuer))).not.toBe('');

    const before = await countClients();
    for (const [method, path] of [
      ['GET', '/clients'],
      ['GET', '/audit'],
      ['POST', '/clients'],
      ['POST', '/tokens'],
    ] as const) {
      const res = await agent.request(`${server.issuer}/admin/api${path}`, {
        method,
        headers: { 'content-type': 'application/json', origin: server.issuer },
        body:
          method === 'POST' ? JSON.stringify(path === '/tokens' ? { name: 'x' } : validBody()) : undefined,
      });
      const text = await res.text();
      await expectUnauthorized({ status: res.status, headers: res.headers, json: JSON.parse(text), text });
    }
    expect(await countClients()).toBe(before);
    // The session itself is fine: it only does not authenticate the admin API.
    expect((await agent.request(`${server.issuer}/account/consents`)).status).toBe(200);
  });
});

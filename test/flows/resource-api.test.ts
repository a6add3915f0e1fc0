// The resource API over HTTP (RFC 6750, RFC 8707, RFC 9700 §2.2): only a bearer access token issued
// for the API, in the Authorization header, under a live consent, reads data; each read returns
// exactly the fields consented to at that moment, of the token's own jobseeker.
import fc from 'fast-check';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize, discover } from '../support/authorize.ts';
import { createClient, createJobseeker } from '../support/factories.ts';
import { exchange } from '../support/grant.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
let api: string;
beforeAll(async () => {
  server = await startTestServer();
  api = `${server.issuer}/api`;
});
afterAll(() => server?.close());

type Jobseeker = Awaited<ReturnType<typeof createJobseeker>>;
type Client = Awaited<ReturnType<typeof createClient>>;
type Competence = Record<string, unknown>;

// One authorization with the given boxes ticked, redeemed for the API unless `resource` is false.
async function tokensFor(
  jobseeker: Jobseeker,
  fields: string[],
  o: { client?: Client; scope?: string; resource?: boolean } = {},
) {
  const client = o.client ?? (await createClient(server));
  const config = await discover(server.issuer, client.client_id, client.client_secret);
  const flow = await authorize({
    config,
    redirectUri: client.redirectUri,
    scope: o.scope ?? 'openid competences statut',
    login: jobseeker,
    fields,
  });
  const tokens = await exchange(server, config, flow, o.resource !== false);
  return { tokens, config, client };
}

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${api}${path}`, { headers });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const consentWhere = 'jobseeker_id = $1 AND client_id = $2';

describe('resource API authentication', () => {
  let jobseeker: Jobseeker;
  let token: string;
  let idToken: string;
  let client: Client;
  beforeAll(async () => {
    jobseeker = await createJobseeker(server);
    const issued = await tokensFor(jobseeker, ['competences.code', 'competences.libelle']);
    token = issued.tokens.access_token;
    idToken = issued.tokens.id_token as string;
    client = issued.client;
  });

  it('serves a valid token (the refusals below are not refusing everything)', async () => {
    const response = await get('/v1/competences', bearer(token));
    expect(response.status).toBe(200);
    expect(await response.json()).toHaveLength((jobseeker.data.competences as unknown[]).length);
  });

  it('asks for a token without an error code when none is sent', async () => {
    const response = await get('/v1/competences');
    expect(response.status).toBe(401);
    const challenge = response.headers.get('www-authenticate') as string;
    expect(challenge).toMatch(/^Bearer realm="[^"]+", resource_metadata="[^"]+"$/);
    expect(challenge).not.toContain('error=');
  });

  it('refuses a garbage token as invalid_token', async () => {
    for (const garbage of ['x'.repeat(43), 'not a token', 'AAAA']) {
      const response = await get('/v1/competences', bearer(garbage));
      expect(response.status, garbage).toBe(401);
      expect(await response.json()).toMatchObject({
        error: expect.stringMatching(/^invalid_(token|request)$/),
      });
    }
    const response = await get('/v1/competences', bearer('x'.repeat(43)));
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('refuses a token in the query string with 400 and serves nothing', async () => {
    const response = await get(`/v1/competences?access_token=${token}`);
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
    // Even alongside a valid header.
    expect((await get(`/v1/competences?access_token=${token}`, bearer(token))).status).toBe(400);
  });

  it('refuses Basic credentials', async () => {
    const basic = Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64');
    const response = await get('/v1/competences', { authorization: `Basic ${basic}` });
    expect(response.status).toBe(401);
  });

  it('refuses an ID token used as an access token', async () => {
    expect(idToken.split('.')).toHaveLength(3);
    const response = await get('/v1/competences', bearer(idToken));
    expect(response.status).toBe(401);
  });

  it('serves the token of a code exchanged without resource, which userinfo takes too', async () => {
    const issued = await tokensFor(jobseeker, ['competences.code'], { resource: false });
    const claims = issued.tokens.claims() as { sub: string };
    const userinfo = await oidc.fetchUserInfo(issued.config, issued.tokens.access_token, claims.sub);
    expect(userinfo.sub).toBe(claims.sub);
    const response = await get('/v1/competences', bearer(issued.tokens.access_token));
    expect(response.status).toBe(200);
  });

  it('answers an unknown scope with a JSON 404', async () => {
    const response = await get('/v1/nope', bearer(token));
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toMatchObject({ error: 'not_found' });
  });

  it('sends no-store and no CORS header, on success and on error', async () => {
    for (const headers of [bearer(token), {}]) {
      const response = await get('/v1/competences', { ...headers, origin: 'https://evil.example' });
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('publishes its OpenAPI description', async () => {
    const response = await get('/openapi.json');
    expect(response.status).toBe(200);
    expect(Object.keys((await response.json()).paths)).toContain('/v1/competences');
  });
});

describe('resource API and the live consent', () => {
  it('drops a narrowed field on the very next call, and refuses everything once revoked', async () => {
    const jobseeker = await createJobseeker(server);
    const { tokens, client } = await tokensFor(jobseeker, ['competences.code', 'competences.libelle']);
    const read = async () => (await get('/v1/competences', bearer(tokens.access_token))).json();
    expect(Object.keys((await read())[0]).sort()).toEqual(['code', 'libelle']);

    await server.pool.query(
      `UPDATE consents SET fields = array_remove(fields, 'competences.libelle') WHERE ${consentWhere}`,
      [jobseeker.id, client.client_id],
    );
    const narrowed = (await read()) as Competence[];
    expect(narrowed.map((c) => Object.keys(c))).toEqual(narrowed.map(() => ['code']));

    await server.pool.query(
      `UPDATE consents SET status = 'revoked', revoked_at = now() WHERE ${consentWhere}`,
      [jobseeker.id, client.client_id],
    );
    const revoked = await get('/v1/competences', bearer(tokens.access_token));
    expect(revoked.status).toBe(401);
    expect(revoked.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it("returns each jobseeker's own data, never another's", async () => {
    const [a, b] = await Promise.all([createJobseeker(server), createJobseeker(server)]);
    const bCompetences = [
      { code: '999999', libelle: 'Conduire un chariot', type: 'savoir_faire', niveau: null },
    ];
    await server.pool.query(
      "UPDATE jobseeker_data SET value = $2 WHERE jobseeker_id = $1 AND scope = 'competences'",
      [b.id, JSON.stringify(bCompetences)],
    );
    const client = await createClient(server);
    const fields = [
      'competences.code',
      'competences.libelle',
      'competences.type',
      'competences.niveau',
      'competences.saisieLibre',
    ];
    const [forA, forB] = [await tokensFor(a, fields, { client }), await tokensFor(b, fields, { client })];
    const read = async (token: string) => (await get('/v1/competences', bearer(token))).json();
    expect(await read(forA.tokens.access_token)).toEqual(a.data.competences);
    expect(await read(forB.tokens.access_token)).toEqual(bCompetences);
    expect(a.data.competences).not.toEqual(bCompetences);
  });
});

describe('resource API returns exactly the ticked fields (property)', () => {
  it('for any subset of competences and statut fields', async () => {
    const jobseeker = await createJobseeker(server);
    const idsOf = (scope: string) => server.app.catalog.byId.get(scope)?.fields.map((f) => f.id) ?? [];
    const competenceIds = idsOf('competences');
    const statutIds = idsOf('statut');
    expect(competenceIds.length).toBeGreaterThan(1);
    expect(statutIds.length).toBeGreaterThan(1);

    await fc.assert(
      fc.asyncProperty(fc.subarray(competenceIds), fc.subarray(statutIds), async (compTicked, statTicked) => {
        const ticked = [
          ...compTicked.map((id) => `competences.${id}`),
          ...statTicked.map((id) => `statut.${id}`),
        ];
        const { tokens } = await tokensFor(jobseeker, ticked);
        // What is shared: the ticked fields and the codes that travel with them (scopes/*.yaml).
        const shared = server.app.catalog.withTravellers(ticked);
        const idsIn = (scope: string) =>
          shared.filter((k) => k.startsWith(`${scope}.`)).map((k) => k.slice(scope.length + 1));
        const [comp, stat] = [idsIn('competences'), idsIn('statut')];
        const competences = await get('/v1/competences', bearer(tokens.access_token));
        if (comp.length === 0) {
          expect(competences.status).toBe(403);
        } else {
          expect(competences.status).toBe(200);
          const items = (await competences.json()) as Competence[];
          expect(items).toHaveLength((jobseeker.data.competences as unknown[]).length);
          for (const item of items) expect(Object.keys(item).sort()).toEqual([...comp].sort());
        }
        const statut = await get('/v1/statut', bearer(tokens.access_token));
        if (stat.length === 0) {
          expect(statut.status).toBe(403);
        } else {
          expect(statut.status).toBe(200);
          expect(Object.keys(await statut.json()).sort()).toEqual([...stat].sort());
        }
      }),
      { numRuns: 15 },
    );
  });
});

// Fuzzing the admin JSON API (/admin/api) with a valid admin token: random and near-valid bodies for
// every operation, hostile ids and query strings, broken JSON and content types; and every kind of
// Authorization header without one. Every answer is below 500, JSON, and leaks nothing; a refused
// request changes nothing (no client, token or audit entry appears).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../support/factories.ts';
import {
  type Answer,
  bigDecimal,
  checkOne,
  describeRequest,
  type Entries,
  encode,
  headerValue,
  hostileJson,
  hostileKey,
  hostileString,
  inputsOf,
  paramsArb,
  runs,
  send,
  toByteString,
  uriEscape,
  uuidish,
} from '../support/fuzz.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
let token: string;
let tokenId: string;
let revokedToken: string;

// An id one character away from our own token's: looks like it, is never it.
const notOwn = (id: string) => id.slice(0, -1) + (id.endsWith('0') ? '1' : '0');
let clientId: string;

beforeAll(async () => {
  server = await startTestServer();
  const admin = await server.app.services.admins.create(
    'fuzz.api@pole-emploi.example',
    'un mot de passe solide',
    {
      actor: 'test',
    },
  );
  const created = await server.app.services.admins.createToken(admin.id, 'fuzz', null, { actor: 'test' });
  token = created.token;
  tokenId = created.id;
  const revoked = await server.app.services.admins.createToken(admin.id, 'révoqué', null, { actor: 'test' });
  await server.app.services.admins.revokeToken(revoked.id, { actor: 'test' });
  revokedToken = revoked.token;
  clientId = (await createClient(server)).client_id;
});
afterAll(() => server?.close());

async function call(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  const all = { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers };
  const answer = await send(`${server.url}/admin/api${path}`, { method, headers: all, body });
  return {
    what: describeRequest(method, `/admin/api${path}`, body, headers),
    answer,
    inputs: inputsOf(body, path, headers),
  };
}

/** Every answer of this API is JSON, errors included. */
function expectJson(what: string, answer: Answer) {
  if (answer.status === 204) return;
  if (!/^application\/json/.test(answer.headers.get('content-type') ?? ''))
    throw new Error(`not JSON: ${what} → ${answer.status} ${answer.headers.get('content-type')}`);
  JSON.parse(answer.text);
}

// Near-valid client metadata: the right keys with values of every kind.
const url = fc.oneof(
  fc.constantFrom(
    'https://app.example.fr/cb',
    'https://app.example.fr/cb2',
    'http://app.example.fr/cb',
    'http://127.0.0.1:9/cb',
    'https://app.example.fr/cb#frag',
    'https://user:pw@app.example.fr/cb',
    'https://*.example.fr/cb',
    'JavaScript:alert(1)',
    'data:text/html,x',
    'https://other.example.fr/cb',
    `https://app.example.fr/${'a'.repeat(2_100)}`,
  ),
  hostileString,
);
const scope = fc.oneof(
  fc
    .subarray([
      'openid',
      'profile',
      'email',
      'competences',
      'statut',
      'indemnisation',
      'offline_access',
      'inconnu',
    ])
    .map((s) => s.join(' ')),
  hostileString,
);
const jwk = fc.oneof(
  fc.constantFrom(
    { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', alg: 'ES256' },
    { kty: 'RSA', n: 'n', e: 'AQAB', alg: 'PS256' },
    { kty: 'RSA', n: 'n', e: 'AQAB', d: 'private', alg: 'RS256' },
    { kty: 'OKP', crv: 'Ed25519', x: 'x', alg: 'EdDSA', use: 'enc' },
  ),
  fc.dictionary(hostileKey, hostileJson, { maxKeys: 4 }),
);
const fields = {
  client_name: fc.oneof(fc.constant('Appli'), hostileString),
  description: hostileString,
  operator_name: hostileString,
  operator_siret: fc.oneof(
    fc.constantFrom('73282932000074', '35600000000048', '12345678901234', null),
    hostileString,
  ),
  client_uri: fc.oneof(url, fc.constant(null)),
  contacts: fc.oneof(
    fc.array(fc.oneof(fc.constant('dpo@app.example.fr'), hostileString), { maxLength: 6 }),
    hostileJson,
  ),
  logo_uri: fc.oneof(url, fc.constant(null)),
  policy_uri: fc.oneof(url, fc.constant(null)),
  tos_uri: fc.oneof(url, fc.constant(null)),
  redirect_uris: fc.oneof(
    fc.array(url, { maxLength: 3 }),
    fc.array(url, { minLength: 11, maxLength: 12 }),
    hostileJson,
  ),
  post_logout_redirect_uris: fc.oneof(fc.array(url, { maxLength: 3 }), hostileJson),
  scope,
  purposes: fc.oneof(
    fc.dictionary(
      fc.oneof(fc.constantFrom('competences', 'statut', 'indemnisation', 'openid'), hostileKey),
      hostileString,
      {
        maxKeys: 3,
      },
    ),
    hostileJson,
  ),
  consent_duration_days: fc.oneof(
    fc.constantFrom(0, 1, 3650, 3651, -1, 2 ** 31, 2 ** 53, 1.5, null),
    fc.integer(),
    hostileJson,
  ),
  token_endpoint_auth_method: fc.oneof(
    fc.constantFrom('client_secret_basic', 'private_key_jwt', 'none'),
    hostileString,
  ),
  jwks_uri: fc.oneof(url, fc.constant(null)),
  jwks: fc.oneof(fc.record({ keys: fc.array(jwk, { maxLength: 2 }) }), fc.constant(null), hostileJson),
  high_assurance: fc.oneof(fc.boolean(), hostileJson),
  free_for_jobseekers: fc.oneof(fc.boolean(), hostileJson),
  status: fc.oneof(fc.constantFrom('pending', 'active', 'suspended', 'deleted'), hostileString),
};
const metadata = fc.record(fields, { requiredKeys: [] });
const extraKeys = fc.dictionary(hostileKey, hostileJson, { maxKeys: 2 });
const clientBody = fc.oneof(
  { weight: 5, arbitrary: metadata.map((m) => JSON.stringify(m)) },
  { weight: 1, arbitrary: fc.tuple(metadata, extraKeys).map(([m, x]) => JSON.stringify({ ...x, ...m })) },
  { weight: 1, arbitrary: hostileJson.map((v) => JSON.stringify(v)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      '{',
      '{"client_name":',
      'null',
      '"x"',
      '[]',
      '{"__proto__":{"status":"active"},"client_name":"x"}',
      '{"constructor":{"prototype":{"x":1}}}',
      `${'['.repeat(5_000)}${']'.repeat(5_000)}`,
      `{"client_name":"${'x'.repeat(200_000)}"}`,
      '\u0000',
      '{"client_name":"a\\u0000b","redirect_uris":["https://app.example.fr/cb"],"scope":"openid"}',
      '{"client_name":"\\ud800","redirect_uris":["https://app.example.fr/cb"],"scope":"openid"}',
    ),
  },
);

const id = fc.oneof(
  { weight: 2, arbitrary: fc.constant('client') },
  { weight: 2, arbitrary: hostileString },
  { weight: 1, arbitrary: uuidish },
);
const idOf = (v: string) => uriEscape(v === 'client' ? clientId : v);

describe('fuzz: /admin/api with a valid token', () => {
  it('client operations with random and near-valid bodies: < 500, JSON, refusals change nothing', async () => {
    const request = fc.oneof(
      fc.record({ op: fc.constant('create' as const), body: clientBody }),
      fc.record({ op: fc.constant('patch' as const), id, body: clientBody }),
      fc.record({ op: fc.constantFrom('get', 'delete', 'secret'), id }),
    );
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const result = await checkOne(server.pool, () => {
          switch (r.op) {
            case 'create':
              return call('POST', '/clients', r.body);
            case 'patch':
              return call('PATCH', `/clients/${idOf(r.id)}`, r.body);
            case 'get':
              return call('GET', `/clients/${idOf(r.id)}`);
            case 'delete':
              return call('DELETE', `/clients/${idOf(r.id)}`);
            default:
              return call('POST', `/clients/${idOf(r.id)}/secret`);
          }
        });
        if (result) expectJson(result.what, result.answer);
      }),
      { numRuns: runs(400) },
    );
  });

  it('tokens, initial access tokens and the audit log with hostile bodies, ids and queries: < 500, JSON, refusals change nothing', async () => {
    const tokenBody = fc.oneof(
      fc
        .tuple(
          fc.record(
            {
              name: fc.oneof(fc.constant('jeton'), hostileString, hostileJson),
              expires_at: fc.oneof(
                fc.constantFrom(
                  '2999-01-01T00:00:00Z',
                  '2000-01-01T00:00:00Z',
                  '2999-02-30T00:00:00Z',
                  '+275760-09-13T00:00:00Z',
                ),
                hostileString,
                hostileJson,
              ),
            },
            { requiredKeys: [] },
          ),
          fc.option(extraKeys),
        )
        .map(([b, x]) => JSON.stringify(x ? { ...x, ...b } : b)),
      hostileJson.map((v) => JSON.stringify(v)),
      hostileString,
    );
    const iatBody = fc.oneof(
      fc
        .record(
          { expires_in_days: fc.oneof(fc.constantFrom(0, 1, 90, 91, -1, 1.5, 1e308), hostileJson) },
          { requiredKeys: [] },
        )
        .map((b) => JSON.stringify(b)),
      hostileJson.map((v) => JSON.stringify(v)),
    );
    const tokenId$ = fc.oneof(fc.constant('own'), uuidish, hostileString);
    const request = fc.oneof(
      fc.record({ op: fc.constant('token' as const), body: tokenBody }),
      fc.record({ op: fc.constant('iat' as const), body: iatBody }),
      fc.record({ op: fc.constant('revoke' as const), id: tokenId$ }),
      fc.record({
        op: fc.constant('audit' as const),
        query: fc
          .tuple(fc.option(bigDecimal), paramsArb(['target_type', 'target_id', 'before'], { maxLength: 3 }))
          .map(([before, rest]): Entries => (before === null ? rest : [['before', before], ...rest])),
      }),
      fc.record({
        op: fc.constant('list' as const),
        path: fc.constantFrom('/clients', '/tokens', '/openapi.json'),
      }),
    );
    await fc.assert(
      fc.asyncProperty(request, fc.boolean(), async (r, raw) => {
        const result = await checkOne(server.pool, () => {
          switch (r.op) {
            case 'token':
              return call('POST', '/tokens', r.body);
            case 'iat':
              return call('POST', '/initial-access-tokens', r.body);
            // Never our own token: revoking it would end the test's access.
            case 'revoke':
              return call('DELETE', `/tokens/${uriEscape(r.id === 'own' ? notOwn(tokenId) : r.id)}`);
            case 'audit':
              return call('GET', `/audit?${encode(r.query as Entries, raw)}`);
            default:
              return call('GET', `${r.path}?${encode([['x', 'y']], raw)}`);
          }
        });
        if (result) expectJson(result.what, result.answer);
      }),
      { numRuns: runs(300) },
    );
  });

  it('unknown paths and methods, broken content types and encodings: < 500, JSON, no state change', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'),
        fc.oneof(
          fc.constantFrom(
            '/clients',
            '/tokens',
            '/audit',
            '/initial-access-tokens',
            '/clients/x/secret',
            '/',
            '',
          ),
          hostileString.map((s) => `/${uriEscape(s)}`),
          fc.constantFrom('/../admin', '/%2e%2e/admin', '/clients/%2e%2e', '//clients', '/clients/'),
        ),
        fc.constantFrom(
          'application/json',
          'application/json; charset=utf-16',
          'application/json; charset=bogus',
          'application/x-www-form-urlencoded',
          'text/plain',
          'multipart/form-data; boundary=x',
          '',
        ),
        fc.oneof(clientBody, hostileString),
        async (method, path, type, body) => {
          const hasBody = !['GET', 'HEAD', 'OPTIONS'].includes(method);
          const result = await checkOne(server.pool, () =>
            call(method, path, hasBody ? body : undefined, type ? { 'content-type': type } : {}),
          );
          // Only paths under /admin/api/ are the API's (`/admin/api/../x` is /admin/x, and /admin/api
          // itself is no route: their 404 follows content negotiation).
          const inApi = new URL(`${server.url}/admin/api${path}`).pathname.startsWith('/admin/api/');
          if (result && inApi && method !== 'HEAD' && !(method === 'OPTIONS' && result.answer.status === 200))
            expectJson(result.what, result.answer);
        },
      ),
      { numRuns: runs(250) },
    );
  });
});

describe('fuzz: /admin/api without a valid token', () => {
  it('every kind of Authorization header: 401 (or 404), JSON, no state change', async () => {
    const authorization = fc.oneof(
      fc.constant(undefined),
      fc
        .constantFrom('Bearer', 'bearer', 'BEARER', 'Basic', 'DPoP', 'Token', '')
        .chain((scheme) =>
          fc
            .oneof(
              hostileString,
              fc.constant('pecadm_'),
              fc.constant(`pecadm_${'A'.repeat(300)}`),
              fc.constant('revoked'),
              fc.constant('tampered'),
              fc.constant('twice'),
            )
            .map((v) => ({ scheme, v })),
        ),
      headerValue,
    );
    await fc.assert(
      fc.asyncProperty(
        authorization,
        fc.constantFrom(
          'GET /clients',
          'POST /clients',
          'DELETE /tokens/x',
          'GET /audit',
          'POST /initial-access-tokens',
        ),
        clientBody,
        async (auth, route, body) => {
          const [method = 'GET', path = '/'] = route.split(' ');
          let value: string | undefined;
          if (typeof auth === 'string') value = auth;
          else if (auth) {
            const v =
              auth.v === 'tampered'
                ? token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))
                : auth.v === 'revoked'
                  ? revokedToken
                  : auth.v;
            value = auth.v === 'twice' ? `Bearer ${token}, Bearer ${token}` : `${auth.scheme} ${v}`;
          }
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          const header = value === undefined ? undefined : toByteString(value);
          if (header) headers.authorization = header;
          const result = await checkOne(server.pool, async () => ({
            what: describeRequest(method, `/admin/api${path}`, body, headers),
            answer: await send(`${server.url}/admin/api${path}`, {
              method,
              headers,
              body: method === 'GET' ? undefined : body,
            }),
            inputs: inputsOf(body, headers),
          }));
          expectJson(result.what, result.answer);
          if (result.answer.status !== 401)
            throw new Error(`not refused: ${result.what} → ${result.answer.status}`);
          if (result.answer.headers.get('set-cookie')) throw new Error(`a cookie: ${result.what}`);
        },
      ),
      { numRuns: runs(250) },
    );
  });
});

describe('inputs that once broke it (found by the properties above)', () => {
  it('a cursor beyond bigint, an id shaped like a UUID but not one, a NUL in a name: 4xx, nothing stored', async () => {
    const cases: [string, string, string | undefined, number][] = [
      ['GET', '/audit?before=9999999999999999999', undefined, 400],
      ['GET', '/audit?before=9223372036854775808', undefined, 400],
      ['DELETE', '/tokens/------------------------------------', undefined, 404],
      ['DELETE', '/tokens/ffffffffffffffffffffffffffffffffffff', undefined, 404],
      [
        'POST',
        '/clients',
        '{"client_name":"a\\u0000b","redirect_uris":["https://app.example.fr/cb"],"scope":"openid"}',
        400,
      ],
      ['POST', '/tokens', '{"name":"a\\u0000b"}', 400],
      ['GET', '/audit?target_id=%00', undefined, 400],
    ];
    for (const [method, path, body, status] of cases) {
      const result = await checkOne(server.pool, () => call(method, path, body));
      expect(result.answer.status, `${method} ${path} ${body ?? ''}`).toBe(status);
      if (result) expectJson(result.what, result.answer);
    }
  });
});

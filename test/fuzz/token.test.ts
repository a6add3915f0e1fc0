// Fuzzing the machine-to-machine protocol endpoints: /token (every grant type, random parameters,
// with and without valid client authentication), introspection, revocation, userinfo (/me) and RFC 7591
// registration (/reg). Every answer is below 500 and leaks nothing; a refused request changes nothing
// (a code is not consumed, a refresh token not rotated, an initial access token not used up).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize } from '../support/authorize.ts';
import {
  type Answer,
  checkBatch,
  checkOne,
  describeRequest,
  type Entries,
  encode,
  headerValue,
  hostileJson,
  hostileString,
  inputsOf,
  paramsArb,
  rawEncoding,
  runs,
  send,
  toByteString,
  withEntries,
} from '../support/fuzz.ts';
import { grantedApp } from '../support/grant.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
let app: Awaited<ReturnType<typeof grantedApp>>;
let other: Awaited<ReturnType<typeof grantedApp>>;
let sacrificial: Awaited<ReturnType<typeof grantedApp>>;
/** the refresh token currently valid (rotated whenever a fuzzed refresh happens to succeed) */
let refreshToken: string;
let code: string;
let initialAccessToken: string;

const SCOPE = 'openid profile offline_access competences';
const FIELDS = ['profile.given_name', 'competences.code'];

beforeAll(async () => {
  server = await startTestServer();
  app = await grantedApp(server, { scope: SCOPE, fields: FIELDS });
  other = await grantedApp(server, { scope: SCOPE, fields: FIELDS });
  sacrificial = await grantedApp(server, { scope: SCOPE, fields: FIELDS });
  refreshToken = app.tokens.refresh_token as string;
  // A code issued and never redeemed: a refused redemption must not consume it.
  const again = await authorize({
    config: app.config,
    redirectUri: app.client.redirectUri,
    scope: SCOPE,
    agent: app.flow.agent,
  });
  code = again.callback.searchParams.get('code') as string;
  initialAccessToken = await new server.app.provider.InitialAccessToken({
    expiresIn: 3_600,
    policies: ['single-use'],
  }).save();
});
afterAll(() => server?.close());

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** Authorization header values: valid ones, another client's, wrong, malformed, huge. */
const clientAuth: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 3, arbitrary: fc.constant('valid') },
  { weight: 1, arbitrary: fc.constant('other') },
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constant('wrong-secret') },
  { weight: 1, arbitrary: fc.tuple(hostileString, hostileString).map(([u, p]) => `raw:${u}:${p}`) },
  { weight: 1, arbitrary: headerValue.map((v) => `header:${v}`) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'header:Basic',
      'header:Basic ',
      'header:Basic !!!!',
      'header:Basic Og==',
      'header:Basic JTpfOg==',
      'header:Basic JUZGOiVGRg==',
      `header:Basic ${'A'.repeat(8_000)}`,
      'header:Bearer x',
      'header:DPoP x',
      'header:Digest username="x"',
    ),
  },
);

function authHeader(kind: string | undefined, owner = app): Record<string, string> {
  if (kind === undefined) return {};
  if (kind === 'valid') return { authorization: basic(owner.client.client_id, owner.client.client_secret) };
  if (kind === 'other') return { authorization: basic(other.client.client_id, other.client.client_secret) };
  if (kind === 'wrong-secret') return { authorization: basic(app.client.client_id, 'not-the-secret') };
  if (kind.startsWith('raw:')) {
    const [, user = '', pass = ''] = kind.split(':');
    return { authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` };
  }
  const value = kind.slice('header:'.length);
  return value ? { authorization: value } : {};
}

const GRANT_TYPES = [
  'authorization_code',
  'refresh_token',
  'client_credentials',
  'password',
  'implicit',
  'urn:ietf:params:oauth:grant-type:device_code',
  'urn:openid:params:grant-type:ciba',
  'urn:ietf:params:oauth:grant-type:token-exchange',
  'urn:ietf:params:oauth:grant-type:jwt-bearer',
  'urn:ietf:params:oauth:grant-type:saml2-bearer',
  '',
];
const TOKEN_PARAMS = [
  'grant_type',
  'code',
  'redirect_uri',
  'code_verifier',
  'refresh_token',
  'scope',
  'resource',
  'client_id',
  'client_secret',
  'client_assertion',
  'client_assertion_type',
  'username',
  'password',
  'device_code',
  'auth_req_id',
  'subject_token',
  'subject_token_type',
  'audience',
];

// What makes a request get past the first checks: a real code or refresh token with its grant type,
// the right redirect URI; then random parameters on top.
const tokenParams = fc
  .record({
    scenario: fc.constantFrom('code', 'refresh', 'refresh', 'random'),
    grantType: fc.oneof(fc.constantFrom(...GRANT_TYPES), hostileString),
    real: fc.subarray(['code', 'refresh_token', 'redirect_uri', 'code_verifier', 'client_id'] as const),
    scope: fc.option(
      fc.constantFrom('openid', 'openid profile', 'competences', 'openid email', 'statut', ''),
    ),
    resource: fc.option(fc.constantFrom('api', 'api', 'http://evil.example/api', 'urn:x', '')),
    fuzzed: fc.oneof(fc.constant<Entries>([]), paramsArb(TOKEN_PARAMS, { maxLength: 4 })),
  })
  .map(({ scenario, grantType, real, scope, resource, fuzzed }) => {
    const fixed: Record<string, string | undefined> = {
      grant_type:
        scenario === 'code' ? 'authorization_code' : scenario === 'refresh' ? 'refresh_token' : grantType,
      code: scenario === 'code' || real.includes('code') ? code : undefined,
      refresh_token: scenario === 'refresh' || real.includes('refresh_token') ? refreshToken : undefined,
      redirect_uri: scenario === 'code' || real.includes('redirect_uri') ? app.client.redirectUri : undefined,
      // A verifier of the right shape, but never the right one.
      code_verifier: scenario === 'code' || real.includes('code_verifier') ? 'v'.repeat(43) : undefined,
      client_id: real.includes('client_id') ? app.client.client_id : undefined,
      scope: scope ?? undefined,
      resource: resource === 'api' ? `${server.issuer}/api` : (resource ?? undefined),
    };
    // The fuzzed parameters come last: a duplicate of a fixed one is a request with both.
    return [...withEntries([], fixed), ...fuzzed] as Entries;
  });

async function postForm(path: string, entries: Entries, raw: boolean, headers: Record<string, string>) {
  const body = encode(entries, raw);
  const answer = await send(`${server.url}${path}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });
  return { what: describeRequest('POST', path, body, headers), answer, inputs: inputsOf(entries, headers) };
}

function rotated(answer: Answer) {
  if (answer.status !== 200) return;
  const issued = (JSON.parse(answer.text) as { refresh_token?: string }).refresh_token;
  if (issued) refreshToken = issued;
}

describe('fuzz: /token', () => {
  it('every grant type with random parameters and client authentication: < 500, refusals change nothing', async () => {
    await fc.assert(
      fc.asyncProperty(tokenParams, rawEncoding, clientAuth, async (entries, raw, auth) => {
        // One at a time: a refresh that succeeds rotates the token the next request uses.
        const result = await checkOne(server.pool, () => postForm('/token', entries, raw, authHeader(auth)));
        if (result) rotated(result.answer);
      }),
      { numRuns: runs(400) },
    );
  });

  it('/token with other content types, methods and bodies: < 500', async () => {
    const body = fc.oneof(
      hostileString,
      hostileJson.map((v) => JSON.stringify(v)),
      fc.constantFrom('grant_type=authorization_code&code=%', '\u0000', '{"grant_type":"refresh_token"}'),
    );
    const contentType = fc.constantFrom(
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded; charset=utf-16',
      'application/x-www-form-urlencoded; charset=bogus',
      'multipart/form-data; boundary=x',
      'application/xml',
      '',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('POST', 'GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
        fc.constantFrom('/token', '/token/introspection', '/token/revocation', '/me', '/reg', '/request'),
        body,
        contentType,
        clientAuth,
        async (method, path, text, type, auth) => {
          const headers = { ...authHeader(auth), ...(type ? { 'content-type': type } : {}) };
          const hasBody = method !== 'GET' && method !== 'OPTIONS';
          await checkBatch(server.pool, [
            async () => ({
              what: describeRequest(method, path, text, headers),
              answer: await send(`${server.url}${path}`, {
                method,
                headers,
                body: hasBody ? text : undefined,
              }),
              inputs: inputsOf(text, headers),
            }),
          ]);
        },
      ),
      { numRuns: runs(250) },
    );
  });
});

describe('refused refreshes', () => {
  // Found by the property above: oidc-provider rotated the refresh token before checking `resource`,
  // so a refused refresh used the token up and the app's next refresh revoked the whole grant.
  it('a refresh refused for its resource neither uses the token up nor revokes the grant', async () => {
    const own = await grantedApp(server, { scope: SCOPE, fields: FIELDS });
    const refresh = (extra: Entries) =>
      postForm(
        '/token',
        [['grant_type', 'refresh_token'], ['refresh_token', own.tokens.refresh_token as string], ...extra],
        false,
        authHeader('valid', own),
      );
    for (const extra of [
      [['resource', 'urn:x']],
      [['resource', 'https://evil.example/api']],
      [
        ['resource', `${server.issuer}/api`],
        ['resource', 'urn:y'],
      ],
    ] as Entries[]) {
      const refused = await checkOne(server.pool, () => refresh(extra));
      expect(refused.answer.status).toBe(400);
      expect(JSON.parse(refused.answer.text ?? '{}').error).toBe('invalid_target');
    }
    const { answer } = await refresh([]);
    expect(answer.status, answer.text).toBe(200);
  });
});

describe('fuzz: introspection and revocation', () => {
  const PARAMS = ['token', 'token_type_hint', 'client_id', 'client_secret'];
  const params = (kind: 'introspection' | 'revocation') =>
    fc
      .record({
        token: fc.constantFrom('access', 'refresh', 'other-client', 'id_token', 'random'),
        hint: fc.option(
          fc.oneof(fc.constantFrom('access_token', 'refresh_token', 'id_token'), hostileString),
        ),
        random: hostileString,
        fuzzed: paramsArb(PARAMS, { maxLength: 4 }),
      })
      .map(({ token, hint, random, fuzzed }) => {
        // Revocation works on a grant of its own, whose tokens it may legitimately revoke.
        const owner = kind === 'revocation' ? sacrificial : app;
        const value = {
          access: owner.tokens.access_token,
          refresh: owner.tokens.refresh_token as string,
          'other-client': other.tokens.access_token,
          id_token: owner.tokens.id_token as string,
          random,
        }[token];
        return withEntries(fuzzed, { token: value, token_type_hint: hint ?? undefined });
      });

  for (const kind of ['introspection', 'revocation'] as const) {
    it(`/token/${kind} with random tokens, hints and client authentication: < 500, no leak`, async () => {
      await fc.assert(
        fc.asyncProperty(params(kind), rawEncoding, clientAuth, async (entries, raw, auth) => {
          const headers = authHeader(auth, kind === 'revocation' ? sacrificial : app);
          await checkBatch(server.pool, [() => postForm(`/token/${kind}`, entries, raw, headers)]);
        }),
        { numRuns: runs(200) },
      );
    });
  }
});

describe('fuzz: /me', () => {
  it('userinfo with random Authorization headers, query and body tokens: < 500, no state change', async () => {
    const authorization = fc.oneof(
      fc.constant(undefined),
      fc
        .constantFrom('Bearer', 'DPoP', 'bearer', 'Basic', 'Token')
        .chain((scheme) =>
          fc
            .oneof(hostileString.map(toHeaderSafe), fc.constant('valid'), fc.constant('other'))
            .map(
              (v) =>
                `${scheme} ${v === 'valid' ? app.tokens.access_token : v === 'other' ? other.tokens.access_token : v}`,
            ),
        ),
      headerValue,
    );
    await fc.assert(
      fc.asyncProperty(
        authorization,
        fc.constantFrom('GET', 'POST'),
        paramsArb(['access_token', 'scope', 'claims'], { maxLength: 3 }),
        fc.option(headerValue),
        async (auth, method, entries, dpop) => {
          const headers: Record<string, string> = {};
          const value = auth ? toHeaderSafe(auth) : '';
          if (value) headers.authorization = value;
          if (dpop) headers.dpop = dpop;
          const query = method === 'GET' ? `?${encode(entries, false)}` : '';
          const body = method === 'POST' ? encode(entries, false) : undefined;
          if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
          await checkBatch(server.pool, [
            async () => ({
              what: describeRequest(method, `/me${query}`, body, headers),
              answer: await send(`${server.url}/me${query}`, { method, headers, body }),
              inputs: inputsOf(entries, headers),
            }),
          ]);
        },
      ),
      { numRuns: runs(200) },
    );
  });
});

const toHeaderSafe = toByteString;

describe('fuzz: /reg (RFC 7591)', () => {
  const metadata = fc.record(
    {
      client_name: hostileString,
      redirect_uris: fc.oneof(
        fc.array(
          fc.oneof(
            hostileString,
            fc.constantFrom(
              'https://app.example.fr/cb',
              'http://app.example.fr/cb',
              'javascript:alert(1)',
              'https://*.example.fr/cb',
              'https://user:pass@app.example.fr/cb',
              'https://app.example.fr/cb#x',
            ),
          ),
          { maxLength: 3 },
        ),
        hostileJson,
      ),
      scope: fc.oneof(fc.constantFrom('openid', 'openid competences', 'openid indemnisation'), hostileString),
      data_scopes: hostileJson,
      purposes: hostileJson,
      token_endpoint_auth_method: fc.oneof(
        fc.constantFrom('client_secret_basic', 'private_key_jwt', 'none', 'client_secret_post'),
        hostileString,
      ),
      grant_types: hostileJson,
      response_types: hostileJson,
      jwks: hostileJson,
      jwks_uri: hostileString,
      contacts: hostileJson,
      logo_uri: hostileString,
      high_assurance: hostileJson,
      free_for_jobseekers: hostileJson,
      description: hostileJson,
      operator_siret: hostileJson,
      sector_identifier_uri: hostileString,
      subject_type: hostileString,
    },
    { requiredKeys: [] },
  );
  // A registration that would pass, with one value made hostile: it reaches the rules and the insert.
  const VALID = {
    client_name: 'Appli enregistrée',
    redirect_uris: ['https://app.example.fr/cb'],
    scope: 'openid',
    data_scopes: ['competences'],
    purposes: { competences: 'Remplir votre CV.' },
  };
  const nearValid = fc
    .tuple(
      fc.constantFrom(
        'client_name',
        'redirect_uris',
        'scope',
        'purposes',
        'description',
        'contacts',
        'jwks',
        'logo_uri',
      ),
      fc.oneof(hostileString, hostileJson),
    )
    .map(([key, value]) => JSON.stringify({ ...VALID, [key]: value }));
  const body = fc.oneof(
    { weight: 3, arbitrary: metadata.map((m) => JSON.stringify(m)) },
    { weight: 3, arbitrary: nearValid },
    { weight: 1, arbitrary: hostileJson.map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: hostileString },
  );
  const token = fc.oneof(
    fc.constant('valid'),
    fc.constant(undefined),
    hostileString.map((s) => `Bearer ${toHeaderSafe(s)}`),
    headerValue,
  );

  it('POST /reg with random metadata and tokens: < 500, a refusal does not use the token up', async () => {
    await fc.assert(
      fc.asyncProperty(body, token, async (text, auth) => {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (auth === 'valid') headers.authorization = `Bearer ${initialAccessToken}`;
        else if (auth) headers.authorization = auth;
        const result = await checkOne(server.pool, async () => ({
          what: describeRequest('POST', '/reg', text, headers),
          answer: await send(`${server.url}/reg`, { method: 'POST', headers, body: text }),
          inputs: inputsOf(text, headers),
        }));
        // A registration that went through used the token up: the next runs get a new one.
        if (result.answer.status === 201) {
          initialAccessToken = await new server.app.provider.InitialAccessToken({
            expiresIn: 3_600,
            policies: ['single-use'],
          }).save();
        }
      }),
      { numRuns: runs(250) },
    );
  });

  it('GET, PUT and DELETE /reg/:id with random ids and tokens: < 500, no state change', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(hostileString, fc.constant(app.client.client_id)),
        fc.constantFrom('GET', 'PUT', 'DELETE'),
        token,
        async (id, method, auth) => {
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          if (auth === 'valid') headers.authorization = `Bearer ${initialAccessToken}`;
          else if (auth) headers.authorization = auth;
          const path = `/reg/${encodeURIComponent(id.replace(/[\uD800-\uDFFF]/g, ''))}`;
          await checkBatch(server.pool, [
            async () => ({
              what: describeRequest(method, path, undefined, headers),
              answer: await send(`${server.url}${path}`, {
                method,
                headers,
                body: method === 'PUT' ? '{"client_name":"x"}' : undefined,
              }),
              inputs: inputsOf(id, headers),
            }),
          ]);
        },
      ),
      { numRuns: runs(100) },
    );
  });
});

describe('registration inputs that once broke it (found by the properties above)', () => {
  it('refused registrations (a scope or data_scopes that is not a list, NUL, lone surrogates, what oidc-provider refuses): 400, the initial access token still unused', async () => {
    for (const body of [
      { scope: 'openid', data_scopes: 1e308 },
      { scope: 'openid', data_scopes: { a: 1 } },
      { scope: 5, redirect_uris: ['https://app.example.fr/cb'] },
      { scope: { openid: true }, redirect_uris: ['https://app.example.fr/cb'] },
      { client_name: 'a\u0000b', scope: 'openid', redirect_uris: ['https://app.example.fr/cb'] },
      { client_name: 'a\ud800b', scope: 'openid', redirect_uris: ['https://app.example.fr/cb'] },
      // Never fetched: refused before the token is used up.
      {
        client_name: 'ok',
        scope: 'openid',
        redirect_uris: ['https://app.example.fr/cb'],
        sector_identifier_uri: 'https://127.0.0.1:1/sector',
      },
      // Accepted by our rules, refused by oidc-provider's own (data scopes go in data_scopes).
      { client_name: 'ok', scope: 'openid competences', redirect_uris: ['https://app.example.fr/cb'] },
      {
        client_name: 'ok',
        scope: 'openid',
        redirect_uris: ['https://app.example.fr/cb'],
        grant_types: ['implicit'],
      },
      {
        client_name: 'ok',
        scope: 'openid',
        redirect_uris: ['https://app.example.fr/cb'],
        purposes: { x: '\u0000' },
      },
    ]) {
      const text = JSON.stringify(body);
      const result = await checkOne(server.pool, async () => ({
        what: describeRequest('POST', '/reg', text),
        answer: await send(`${server.url}/reg`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${initialAccessToken}` },
          body: text,
        }),
        inputs: inputsOf(body),
      }));
      expect(result.answer.status, text).toBe(400);
    }
  });
});

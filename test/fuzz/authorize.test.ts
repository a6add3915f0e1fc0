// Fuzzing the browser-facing protocol endpoints: /auth (GET and POST, every parameter, with and
// without a signed-in session), /request (PAR) and /session/end. Every answer is below 500 and leaks
// nothing; a request without a session never changes the stored state.
import fc from 'fast-check';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize, discover } from '../support/authorize.ts';
import { createClient, createJobseeker } from '../support/factories.ts';
import {
  type Answer,
  assertSafe,
  assertUnchanged,
  checkBatch,
  describeRequest,
  type Entries,
  encode,
  hostileString,
  inputsOf,
  paramsArb,
  rawEncoding,
  runs,
  send,
  stateFingerprint,
  uriEscape,
  withEntries,
} from '../support/fuzz.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import type { UserAgent } from '../support/user-agent.ts';

let server: TestServer;
let client: Awaited<ReturnType<typeof createClient>>;
let challenge: string;
let signedIn: UserAgent;
let idToken: string;

const AUTH_PARAMS = [
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'resource',
  'prompt',
  'max_age',
  'claims',
  'request',
  'request_uri',
  'response_mode',
  'login_hint',
  'id_token_hint',
  'acr_values',
  'ui_locales',
  'claims_locales',
  'display',
  'registration',
  'dpop_jkt',
  'authorization_details',
] as const;

// Values that reach deeper than random noise: almost-right scopes, claims requests, prompts…
const plausible: Record<string, fc.Arbitrary<string>> = {
  scope: fc
    .array(
      fc.constantFrom(
        'openid',
        'profile',
        'email',
        'competences',
        'statut',
        'indemnisation',
        'offline_access',
        'OPENID',
        'unknown',
        '',
      ),
      { maxLength: 5 },
    )
    .map((s) => s.join(' ')),
  prompt: fc.constantFrom('none', 'login', 'consent', 'select_account', 'create', 'none login', 'bogus'),
  max_age: fc.constantFrom('0', '-1', '1', '99999999999999999999', '1.5', 'abc', '3600'),
  claims: fc.oneof(
    fc.constantFrom(
      '{"userinfo":{"email":null}}',
      '{"id_token":{"acr":{"essential":true,"values":["x"]}}}',
      '{"userinfo":{"given_name":{"value":"<script>"}}}',
      '{"id_token":null}',
      '{"userinfo":[]}',
      '{"__proto__":{"x":1}}',
      '[]',
      '"x"',
      '{',
    ),
    fc.json(),
  ),
  resource: fc.constantFrom('http://127.0.0.1/api', 'https://evil.example/api', 'urn:x', 'not a url', ''),
  response_mode: fc.constantFrom('query', 'fragment', 'form_post', 'jwt', 'web_message', 'x'),
  response_type: fc.constantFrom('code', 'token', 'id_token', 'code id_token', 'none', ''),
  code_challenge_method: fc.constantFrom('S256', 'plain', 's256', ''),
  code_challenge: fc.constantFrom('short', 'x'.repeat(43), 'x'.repeat(129), '!'.repeat(43)),
};
const plausibleEntries: fc.Arbitrary<Entries> = fc.array(
  fc
    .constantFrom(...Object.keys(plausible))
    .chain((k) => (plausible[k] as fc.Arbitrary<string>).map((v) => [k, v] as [string, string])),
  { maxLength: 4 },
);

beforeAll(async () => {
  server = await startTestServer();
  client = await createClient(server);
  challenge = await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier());
  // A browser with a provider session and a consent, so that /auth reaches the interaction policy,
  // the consent page and (prompt=none) the code.
  const jobseeker = await createJobseeker(server);
  const config = await discover(server.issuer, client.client_id, client.client_secret);
  const flow = await authorize({
    config,
    redirectUri: client.redirectUri,
    scope: 'openid profile competences',
    login: jobseeker,
    fields: ['competences.code', 'profile.given_name'],
  });
  signedIn = flow.agent;
  const tokens = await oidc.authorizationCodeGrant(config, flow.callback, {
    pkceCodeVerifier: flow.verifier,
    expectedState: flow.state,
    expectedNonce: flow.nonce,
  });
  idToken = tokens.id_token as string;
});
afterAll(() => server?.close());

const validAuth = (): Entries => [
  ['response_type', 'code'],
  ['client_id', client.client_id],
  ['redirect_uri', client.redirectUri],
  ['scope', 'openid competences'],
  ['code_challenge', challenge],
  ['code_challenge_method', 'S256'],
  ['state', 'st'],
  ['nonce', 'nn'],
];

/** Valid parameters with some replaced or added, or random parameters alone. */
const authParams = fc
  .record({
    base: fc.boolean(),
    fuzzed: paramsArb(AUTH_PARAMS),
    plausible: plausibleEntries,
    dropped: fc.subarray([...AUTH_PARAMS], { maxLength: 3 }),
  })
  .map(({ base, fuzzed, plausible, dropped }) => {
    let entries: Entries = base ? validAuth() : [['client_id', client.client_id]];
    entries = entries.filter(([k]) => !dropped.includes(k as (typeof AUTH_PARAMS)[number]));
    for (const [k, v] of [...plausible, ...fuzzed]) {
      entries = fuzzedReplace(entries, k, v);
    }
    return entries;
  });

// Half the time a fuzzed entry replaces the parameter, half the time it is added (a duplicate).
function fuzzedReplace(entries: Entries, key: string, value: string): Entries {
  return value.length % 2 ? withEntries(entries, { [key]: value }) : [...entries, [key, value]];
}

const form = (body: string, headers: Record<string, string> = {}) => ({
  method: 'POST',
  body,
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
});

async function get(path: string, entries: Entries, raw: boolean, agent?: UserAgent) {
  const url = `${server.url}${path}?${encode(entries, raw)}`;
  const answer = agent ? await toAnswer(agent.request(url)) : await send(url);
  return { what: describeRequest('GET', url), answer, inputs: inputsOf(entries) };
}

async function post(path: string, entries: Entries, raw: boolean, headers: Record<string, string> = {}) {
  const body = encode(entries, raw);
  const answer = await send(`${server.url}${path}`, form(body, headers));
  return { what: describeRequest('POST', path, body, headers), answer, inputs: inputsOf(entries, headers) };
}

async function toAnswer(response: Promise<Response>): Promise<Answer> {
  const r = await response;
  return { status: r.status, headers: r.headers, text: await r.text() };
}

describe('fuzz: /auth', () => {
  it('GET and POST /auth with hostile parameters, no session: < 500, no leak, no state change', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(authParams, rawEncoding), { minLength: 1, maxLength: 4 }),
        async (batch) => {
          const before = await stateFingerprint(server.pool);
          await checkBatch(
            server.pool,
            batch.flatMap(([entries, raw]) => [
              () => get('/auth', entries, raw),
              () => post('/auth', entries, raw),
            ]),
          );
          // Without a session, /auth only ever stores an interaction: nothing else, accepted or not.
          await assertUnchanged(server.pool, before, () => 'an anonymous /auth');
        },
      ),
      { numRuns: runs(250) },
    );
  });

  it('/auth with a signed-in session, then the interaction page it leads to: < 500, no leak', async () => {
    await fc.assert(
      fc.asyncProperty(authParams, rawEncoding, async (entries, raw) => {
        const first = await get('/auth', entries, raw, signedIn);
        assertSafe(first.what, first.answer, first.inputs);
        const location = first.answer.headers.get('location');
        if (location?.startsWith('/interaction/')) {
          const page = await toAnswer(signedIn.request(new URL(location, server.url)));
          assertSafe(`${first.what}\n  then GET ${location}`, page, first.inputs);
        }
      }),
      { numRuns: runs(250) },
    );
  });

  it('the resume endpoint /auth/:uid with hostile uids and cookies: < 500, no state change', async () => {
    await fc.assert(
      fc.asyncProperty(hostileString, fc.option(hostileString), async (uid, cookie) => {
        const path = `/auth/${uriEscape(uid)}`;
        const headers: Record<string, string> = cookie
          ? { cookie: `_interaction_resume=${uriEscape(cookie)}; _session=${uriEscape(cookie)}` }
          : {};
        await checkBatch(server.pool, [
          async () => ({
            what: describeRequest('GET', path, undefined, headers),
            answer: await send(`${server.url}${path}`, { headers }),
            inputs: inputsOf(uid, cookie),
          }),
        ]);
      }),
      { numRuns: runs(100) },
    );
  });
});

describe('fuzz: /request (PAR)', () => {
  const basic = () =>
    `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`;

  it('POST /request with and without client authentication: < 500, no leak, refusals change nothing', async () => {
    await fc.assert(
      fc.asyncProperty(authParams, rawEncoding, fc.boolean(), async (entries, raw, authenticated) => {
        const headers: Record<string, string> = authenticated ? { authorization: basic() } : {};
        await checkBatch(server.pool, [() => post('/request', entries, raw, headers)]);
      }),
      { numRuns: runs(250) },
    );
  });
});

describe('fuzz: /session/end', () => {
  const LOGOUT_PARAMS = [
    'id_token_hint',
    'post_logout_redirect_uri',
    'state',
    'client_id',
    'logout_hint',
    'ui_locales',
    'xsrf',
    'logout',
  ];
  const logoutParams = fc
    .record({ hint: fc.constantFrom('none', 'valid', 'tampered'), fuzzed: paramsArb(LOGOUT_PARAMS) })
    .map(({ hint, fuzzed }) => {
      const fixed: Entries =
        hint === 'none'
          ? []
          : [
              ['id_token_hint', hint === 'valid' ? idToken : `${idToken.slice(0, -4)}AAAA`],
              ['post_logout_redirect_uri', 'http://127.0.0.1:9/after-logout'],
            ];
      return [...fixed, ...fuzzed] as Entries;
    });

  it('GET and POST /session/end and /session/end/confirm: < 500, no leak, no state change', async () => {
    await fc.assert(
      fc.asyncProperty(logoutParams, rawEncoding, async (entries, raw) => {
        await checkBatch(server.pool, [
          () => get('/session/end', entries, raw),
          () => post('/session/end', entries, raw),
          () => post('/session/end/confirm', entries, raw),
          () => get('/session/end/success', entries, raw),
        ]);
      }),
      { numRuns: runs(150) },
    );
  });
});

describe('inputs that once broke it (found by the properties above)', () => {
  // A NUL character reached PostgreSQL (a client lookup, the interaction or session payload) and
  // came back as a 500; it is a 400 now, and nothing is stored.
  it('a NUL character in client_id, state or a logout state: 400, nothing stored', async () => {
    const results = await checkBatch(server.pool, [
      () => get('/auth', [['client_id', 'a\u0000b']], false),
      () => get('/auth', withEntries(validAuth(), { state: '\u0000' }), false),
      () => get('/auth', withEntries(validAuth(), { nonce: 'x\u0000' }), true),
      () => get('/session/end', [['state', '\u0000']], false),
      () =>
        post('/request', withEntries(validAuth(), { state: '\u0000' }), false, {
          authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
        }),
    ]);
    for (const { what, answer } of results) expect(answer.status, what).toBeLessThan(500);
  });
});

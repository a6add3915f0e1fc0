// Fuzzing our HTML forms with a real session and its CSRF token (and without): the login, consent and
// abort forms of an interaction, the jobseeker's /account (login, narrowing, revocation, renewal,
// history, access log), and the admin console (login, client form, tokens, audit). Every answer is
// below 500 and leaks nothing; a refused post changes nothing.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEXT_FIELDS } from '../../src/admin/client-form.ts';
import { authorize, discover } from '../support/authorize.ts';
import { createClient, createJobseeker } from '../support/factories.ts';
import {
  type Answer,
  assertSafe,
  assertUnchanged,
  bigDecimal,
  checkBatch,
  checkOne,
  describeRequest,
  type Entries,
  encode,
  headerValue,
  hostileString,
  inputsOf,
  isRejected,
  paramsArb,
  rawEncoding,
  runs,
  stateFingerprint,
  uriEscape,
  uuidish,
} from '../support/fuzz.ts';
import { grantedApp } from '../support/grant.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { formAction, UserAgent } from '../support/user-agent.ts';

let server: TestServer;

beforeAll(async () => {
  // The console without its second factor, so that a test can sign in with a password alone.
  server = await startTestServer({ ADMIN_TOTP_REQUIRED: 'false' });
});
afterAll(() => server?.close());

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

async function toAnswer(response: Promise<Response>): Promise<Answer> {
  const r = await response;
  return { status: r.status, headers: r.headers, text: await r.text() };
}

async function page(agent: UserAgent, path: string) {
  const { response, url } = await agent.follow(new URL(path, server.url));
  return { url, html: await response.text(), status: response.status };
}

// How the CSRF token and the request's origin are presented: mostly right, sometimes not.
const csrfMode = fc.constantFrom('valid', 'valid', 'valid', 'valid', 'missing', 'random', 'twice', 'header');
const originMode = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Record<string, string>>({ 'sec-fetch-site': 'same-origin' }) },
  { weight: 2, arbitrary: fc.constant<Record<string, string>>({}) },
  { weight: 1, arbitrary: fc.constant<Record<string, string>>({ origin: 'null' }) },
  {
    weight: 1,
    arbitrary: fc.constant<Record<string, string>>({
      origin: 'https://evil.example',
      'sec-fetch-site': 'cross-site',
    }),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(headerValue, headerValue).map(([origin, site]) => ({
      ...(origin ? { origin } : {}),
      ...(site ? { 'sec-fetch-site': site } : {}),
    })),
  },
);

interface FormPost {
  csrf: string;
  mode: string;
  origin: Record<string, string>;
  entries: Entries;
  raw: boolean;
}

async function postForm(agent: UserAgent, path: string, p: FormPost) {
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    ...p.origin,
  };
  const token: Entries =
    p.mode === 'valid'
      ? [['_csrf', p.csrf]]
      : p.mode === 'random'
        ? [['_csrf', `${p.csrf.slice(0, -4)}AAAA`]]
        : p.mode === 'twice'
          ? [
              ['_csrf', p.csrf],
              ['_csrf', 'x'],
            ]
          : [];
  if (p.mode === 'header') headers['x-csrf-token'] = p.csrf;
  const body = encode([...token, ...p.entries], p.raw);
  const answer = await toAnswer(agent.request(new URL(path, server.url), { method: 'POST', body, headers }));
  return {
    what: describeRequest('POST', path, body, headers),
    answer,
    inputs: inputsOf(p.entries, p.origin),
  };
}

const formPost = (names: readonly string[], extra: fc.Arbitrary<Entries> = fc.constant([])) =>
  fc
    .record({ mode: csrfMode, origin: originMode, fuzzed: paramsArb(names), extra, raw: rawEncoding })
    .map(({ mode, origin, fuzzed, extra, raw }) => ({
      mode,
      origin,
      raw,
      entries: [...extra, ...fuzzed],
    }));

/** Logins are counted per address: cleared so that every run reaches the password check. */
const clearThrottle = () => server.pool.query('DELETE FROM login_throttle');

describe('fuzz: interaction forms', () => {
  let client: Awaited<ReturnType<typeof createClient>>;
  let config: Awaited<ReturnType<typeof discover>>;
  let jobseeker: Awaited<ReturnType<typeof createJobseeker>>;
  beforeAll(async () => {
    client = await createClient(server);
    config = await discover(server.issuer, client.client_id, client.client_secret);
    jobseeker = await createJobseeker(server);
  });

  it('login form: random logins, passwords and extra fields: < 500, no leak, no state change', async () => {
    const flow = await authorize({ config, redirectUri: client.redirectUri, scope: 'openid competences' });
    const html = await flow.response.text();
    const action = formAction(html, '/login');
    const csrf = csrfOf(html);
    await fc.assert(
      fc.asyncProperty(formPost(['login', 'password']), async (p) => {
        await clearThrottle();
        const results = await checkBatch(server.pool, [() => postForm(flow.agent, action, { ...p, csrf })]);
        // Random input never signs anyone in.
        for (const r of results) if (!isRejected(r.answer)) throw new Error(`accepted: ${r.what}`);
      }),
      { numRuns: runs(300) },
    );
  });

  it('consent and abort forms: random fields, CSRF and origins: < 500, refusals record nothing', async () => {
    const FIELDS = [
      'competences.code',
      'competences.libelle',
      'profile.given_name',
      'statut.libelleStatutIndividu',
    ];
    // A browser signed in to the provider: each run opens a new consent page (prompt=consent).
    const first = await authorize({
      config,
      redirectUri: client.redirectUri,
      scope: 'openid profile competences',
      login: jobseeker,
      fields: ['competences.code'],
    });
    const agent = first.agent;
    const fieldValue = fc.oneof(
      fc.constantFrom(...FIELDS, 'openid.sub', 'indemnisation.montant'),
      hostileString,
    );
    const fieldsEntries = fc.array(
      fc.tuple(
        fc.constantFrom('fields', 'fields', 'fields[]', 'fields[0]', 'fields[a]', 'fields[__proto__]'),
        fieldValue,
      ),
      { maxLength: 6 },
    );
    await fc.assert(
      fc.asyncProperty(
        formPost(['fields', 'action', 'scope', 'grantId'], fieldsEntries),
        fc.constantFrom('consent', 'consent', 'consent', 'abort'),
        async (p, step) => {
          const url = new URL('/auth', server.url);
          for (const [k, v] of Object.entries({
            response_type: 'code',
            client_id: client.client_id,
            redirect_uri: client.redirectUri,
            scope: 'openid profile competences statut',
            code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
            code_challenge_method: 'S256',
            prompt: 'consent',
          }))
            url.searchParams.set(k, v);
          const consentPage = await agent.follow(url, {}, client.redirectUri);
          const html = await consentPage.response.text();
          const { status, headers } = consentPage.response;
          assertSafe('consent page', { status, headers, text: html });
          const action = formAction(html, '/consent').replace(/\/consent$/, `/${step}`);

          const before = await stateFingerprint(server.pool);
          const posted = await postForm(agent, action, { ...p, csrf: csrfOf(html) });
          assertSafe(posted.what, posted.answer, posted.inputs);
          let final = posted.answer;
          let location = posted.answer.headers.get('location');
          // Back to /auth/:uid and on to the app, every hop checked.
          for (let hop = 0; location && !location.startsWith(client.redirectUri) && hop < 5; hop++) {
            final = await toAnswer(agent.request(new URL(location, server.url)));
            assertSafe(`${posted.what}\n  then GET ${location}`, final, posted.inputs);
            location = final.headers.get('location');
          }
          if (isRejected(posted.answer) || isRejected(final))
            await assertUnchanged(
              server.pool,
              before,
              () => `a refused ${step} (${posted.what} → ${posted.answer.status})`,
            );
          if (
            step === 'abort' &&
            posted.answer.status === 303 &&
            !/[?&]error=access_denied/.test(location ?? '')
          )
            throw new Error(`abort did not end in access_denied: ${location}`);
        },
      ),
      { numRuns: runs(300) },
    );
  });
});

describe('fuzz: /account', () => {
  let agent: UserAgent;
  let csrf: string;
  let consentId: string;
  let otherConsentId: string;

  beforeAll(async () => {
    const fields = ['competences.code', 'competences.libelle', 'statut.libelleStatutIndividu'];
    const mine = await grantedApp(server, { scope: 'openid offline_access competences statut', fields });
    const theirs = await grantedApp(server, { scope: 'openid competences', fields: ['competences.code'] });
    const ids = await server.pool.query<{ id: string; jobseeker_id: string }>(
      'SELECT id, jobseeker_id FROM consents WHERE jobseeker_id = ANY($1)',
      [[mine.jobseeker.id, theirs.jobseeker.id]],
    );
    consentId = ids.rows.find((r) => r.jobseeker_id === mine.jobseeker.id)?.id as string;
    otherConsentId = ids.rows.find((r) => r.jobseeker_id === theirs.jobseeker.id)?.id as string;
    agent = new UserAgent();
    const login = await page(agent, '/account/login');
    const signedIn = await agent.submit(login.url, login.html, formAction(login.html, '/account/login'), [
      ['login', mine.jobseeker.login],
      ['password', mine.jobseeker.password],
    ]);
    csrf = csrfOf(await signedIn.response.text());
  });

  const id = fc.oneof(
    { weight: 3, arbitrary: fc.constant('mine') },
    { weight: 1, arbitrary: fc.constant('theirs') },
    { weight: 2, arbitrary: uuidish },
    { weight: 2, arbitrary: hostileString },
  );
  const idOf = (v: string) => uriEscape(v === 'mine' ? consentId : v === 'theirs' ? otherConsentId : v);
  const fieldValue = fc.oneof(
    fc.constantFrom('competences.code', 'competences.libelle', 'statut.libelleStatutIndividu', 'openid.sub'),
    hostileString,
  );
  const fieldsEntries = fc.array(fc.tuple(fc.constantFrom('fields', 'fields[]', 'fields[a]'), fieldValue), {
    maxLength: 5,
  });

  it('consent changes, history and access log with hostile ids, fields and cursors: < 500, refusals change nothing', async () => {
    const request = fc.oneof(
      fc.record({ kind: fc.constant('fields' as const), id, post: formPost(['fields'], fieldsEntries) }),
      fc.record({ kind: fc.constant('revoke' as const), id, post: formPost(['confirm']) }),
      fc.record({ kind: fc.constant('renew' as const), id, post: formPost(['confirm']) }),
      fc.record({ kind: fc.constant('history' as const), id }),
      fc.record({
        kind: fc.constant('access-log' as const),
        cursor: fc.oneof(
          hostileString,
          fc
            .tuple(
              fc.date({ min: new Date('0001-01-01'), max: new Date('9999-12-31'), noInvalidDate: true }),
              bigDecimal,
            )
            .map(([d, n]) => `${d.toISOString()}_${n}`),
        ),
      }),
      fc.record({ kind: fc.constant('consents' as const), query: paramsArb(['ok'], { maxLength: 2 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 3 }), async (batch) => {
        await checkBatch(
          server.pool,
          batch.map((r) => async () => {
            if (r.kind === 'fields' || r.kind === 'revoke' || r.kind === 'renew') {
              return postForm(agent, `/account/consents/${idOf(r.id)}/${r.kind}`, { ...r.post, csrf });
            }
            const path =
              r.kind === 'history'
                ? `/account/consents/${idOf(r.id)}/history`
                : r.kind === 'access-log'
                  ? `/account/access-log?avant=${uriEscape(r.cursor)}`
                  : `/account/consents?${encode(r.query, true)}`;
            const answer = await toAnswer(agent.request(new URL(path, server.url)));
            if (answer.status === 302) throw new Error(`signed out by ${path}`);
            return { what: describeRequest('GET', path), answer, inputs: inputsOf(r) };
          }),
          // One at a time: they share one session.
          { concurrency: 1 },
        );
      }),
      { numRuns: runs(250) },
    );
  });

  it('inputs that once broke it: a UUID-shaped id, a cursor beyond bigint, ?ok=__proto__', async () => {
    const p = { mode: 'valid', origin: { 'sec-fetch-site': 'same-origin' }, entries: [], raw: false };
    const get = async (path: string) => ({
      what: describeRequest('GET', path),
      answer: await toAnswer(agent.request(new URL(path, server.url))),
      inputs: [] as string[],
    });
    const results = await checkBatch(
      server.pool,
      [
        () => postForm(agent, '/account/consents/------------------------------------/renew', { ...p, csrf }),
        () =>
          postForm(agent, '/account/consents/ffffffffffffffffffffffffffffffffffff/fields', { ...p, csrf }),
        () => get('/account/access-log?avant=2025-01-01T00:00:00.000Z_9223372036854775808'),
        () => get('/account/consents?ok=__proto__'),
        () => get('/account/consents?ok=constructor'),
      ],
      { concurrency: 1 },
    );
    expect(results.map((r) => r.answer.status)).toEqual([404, 404, 200, 200, 200]);
    for (const r of results) expect(r.answer.text, r.what).not.toMatch(/\[object Object\]|native code/);
  });

  it('login form and return path: < 500, no leak, no state change', async () => {
    const visitor = new UserAgent();
    const login = await page(visitor, '/account/login');
    await fc.assert(
      fc.asyncProperty(
        formPost(['login', 'password', 'retour']),
        paramsArb(['retour', 'deconnecte']),
        async (p, query) => {
          await clearThrottle();
          // One at a time: the login page itself answers 200, and a batch holding an accepted request
          // never compares the state, so the refused sign-ins are checked on their own.
          await checkOne(server.pool, () =>
            postForm(visitor, '/account/login', { ...p, csrf: csrfOf(login.html) }),
          );
          await checkOne(server.pool, async () => {
            const path = `/account/login?${encode(query, true)}`;
            return {
              what: describeRequest('GET', path),
              answer: await toAnswer(visitor.request(new URL(path, server.url))),
              inputs: inputsOf(query),
            };
          });
        },
      ),
      { numRuns: runs(100) },
    );
  });
});

describe('fuzz: admin console', () => {
  const PASSWORD = 'un mot de passe assez long';
  let admin: UserAgent;
  let csrf: string;
  let clientId: string;

  beforeAll(async () => {
    await server.app.services.admins.create('fuzz.admin@pole-emploi.example', PASSWORD, { actor: 'test' });
    admin = new UserAgent();
    const login = await page(admin, '/admin/login');
    const signedIn = await admin.submit(login.url, login.html, formAction(login.html, '/admin/login'), [
      ['email', 'fuzz.admin@pole-emploi.example'],
      ['password', PASSWORD],
    ]);
    csrf = csrfOf(await signedIn.response.text());
    clientId = (await createClient(server)).client_id;
  });

  it('inputs that once broke it: a field sent as an object, ?ok=__proto__', async () => {
    const p = {
      mode: 'valid',
      origin: { 'sec-fetch-site': 'same-origin' },
      raw: false,
      entries: [
        ['post_logout_redirect_uris[x]', ''],
        ['post_logout_redirect_uris', 'https://app.example.fr/apres'],
      ] as Entries,
    };
    const form = await checkOne(server.pool, () =>
      postForm(admin, `/admin/clients/${clientId}`, { ...p, csrf }),
    );
    const list = await toAnswer(admin.request(new URL('/admin?ok=__proto__', server.url)));
    for (const answer of [form.answer, list])
      expect(answer?.text).not.toMatch(/\[object Object\]|native code/);
  });

  it('admin login form: random emails and passwords: < 500, no leak, no state change', async () => {
    const visitor = new UserAgent();
    const login = await page(visitor, '/admin/login');
    await fc.assert(
      fc.asyncProperty(formPost(['email', 'password', 'code']), async (p) => {
        await clearThrottle();
        await checkBatch(server.pool, [
          () => postForm(visitor, '/admin/login', { ...p, csrf: csrfOf(login.html) }),
          () => postForm(visitor, '/admin/login/code', { ...p, csrf: csrfOf(login.html) }),
        ]);
      }),
      { numRuns: runs(100) },
    );
  });

  it('client form, tokens, audit and client pages with hostile input: < 500, refusals change nothing', async () => {
    const CLIENT_FIELDS = [
      ...TEXT_FIELDS,
      'scopes',
      'purpose_competences',
      'purpose_indemnisation',
      'token_endpoint_auth_method',
      'high_assurance',
      'free_for_jobseekers',
      'confirm',
    ];
    const plausible = fc.array(
      fc.oneof(
        fc.constantFrom<[string, string]>(
          ['name', 'Appli'],
          ['redirect_uris', 'https://app.example.fr/cb'],
          ['redirect_uris', 'https://app.example.fr/cb\nhttps://other.example.fr/cb'],
          ['scopes', 'openid'],
          ['scopes', 'competences'],
          ['scopes', 'indemnisation'],
          ['consent_duration_days', '99999999999999999999'],
          ['consent_duration_days', '3651'],
          ['jwks', '{"keys":[{"kty":"EC"}]}'],
          ['jwks', '{"keys":[null]}'],
          ['token_endpoint_auth_method', 'private_key_jwt'],
          ['high_assurance', 'yes'],
        ),
      ),
      { maxLength: 6 },
    );
    const target = fc.oneof(
      { weight: 2, arbitrary: fc.constant('client') },
      { weight: 2, arbitrary: hostileString },
      { weight: 1, arbitrary: uuidish },
    );
    const request = fc.oneof(
      fc.record({ kind: fc.constant('create' as const), post: formPost(CLIENT_FIELDS, plausible) }),
      fc.record({
        kind: fc.constantFrom('update', 'approve', 'suspend', 'delete', 'secret'),
        target,
        post: formPost(CLIENT_FIELDS, plausible),
      }),
      fc.record({ kind: fc.constant('token' as const), post: formPost(['name', 'expires']) }),
      fc.record({ kind: fc.constant('iat' as const), post: formPost(['days']) }),
      fc.record({ kind: fc.constant('revoke-token' as const), target, post: formPost([]) }),
      fc.record({
        kind: fc.constant('get' as const),
        target,
        query: paramsArb(['avant', 'ok'], { maxLength: 2 }),
      }),
    );
    const idOf = (t: string) => uriEscape(t === 'client' ? clientId : t);
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        await checkBatch(server.pool, [
          async () => {
            switch (r.kind) {
              case 'create':
                return postForm(admin, '/admin/clients', { ...r.post, csrf });
              case 'update':
                return postForm(admin, `/admin/clients/${idOf(r.target)}`, { ...r.post, csrf });
              case 'approve':
              case 'suspend':
              case 'delete':
              case 'secret':
                return postForm(admin, `/admin/clients/${idOf(r.target)}/${r.kind}`, { ...r.post, csrf });
              case 'token':
                return postForm(admin, '/admin/tokens', { ...r.post, csrf });
              case 'iat':
                return postForm(admin, '/admin/tokens/initial-access', { ...r.post, csrf });
              case 'revoke-token':
                return postForm(admin, `/admin/tokens/${idOf(r.target)}/revoke`, { ...r.post, csrf });
              default: {
                const q = encode(r.query, true);
                const path = [`/admin/clients/${idOf(r.target)}?${q}`, `/admin/audit?${q}`, `/admin?${q}`][
                  r.target.length % 3
                ] as string;
                return {
                  what: describeRequest('GET', path),
                  answer: await toAnswer(admin.request(new URL(path, server.url))),
                  inputs: inputsOf(r.query, r.target),
                };
              }
            }
          },
        ]);
      }),
      { numRuns: runs(300) },
    );
  });
});

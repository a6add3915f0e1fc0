// Property (issue 10): whatever a jobseeker does, in any order — a first consent, a new consent page
// (prompt=consent) ticking any subset, narrowing, renewing or revoking in /account, the consent
// expiring (its date passed and the expiry job run), the app asking for fewer scopes or signing in
// again without prompt=consent, in the same browser or another — what the app receives afterwards
// is exactly what the live consent record says, nothing more, nothing less: the ID token's claims,
// userinfo, the token response's `scope`, introspection's `scope`, the results of both kinds of
// refresh and every /api/v1 answer. And the consent page shows exactly when it should (issue 12: the
// app sends prompt=consent, asks for a scope the last page did not show, or the consent is gone).
// Real PostgreSQL, the server over HTTP, openid-client as the app, the real forms posted.
// FUZZ_RUNS=n sets the number of sequences (20 by default); FUZZ_SEED=s replays a failure's seed.
import path from 'node:path';
import fc from 'fast-check';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load-catalog.ts';
import { purgeExpired } from '../../src/jobs/purge-expired.ts';
import { postAccountForm, signInToAccount } from '../support/account.ts';
import { discover } from '../support/authorize.ts';
import { createClient, createJobseeker } from '../support/factories.ts';
import '../support/fuzz.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { formAction, UserAgent } from '../support/user-agent.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const catalog = loadCatalog(path.resolve('scopes'));
const OIDC_SCOPES = ['profile', 'email'];
const DATA_SCOPES = ['competences', 'langues', 'statut'];
const SCOPES = [...OIDC_SCOPES, ...DATA_SCOPES];
const fieldsOf = (scopes: Iterable<string>) =>
  [...scopes].flatMap((id) => (catalog.byId.get(id)?.fields ?? []).map((f) => `${id}.${f.id}`));
const ALL_FIELDS = fieldsOf(SCOPES);
const scopeOf = (key: string) => key.split('.')[0] as string;
const fieldOf = (key: string) => key.split('.')[1] as string;
const words = (scope: string | undefined) => new Set((scope ?? '').split(' ').filter(Boolean));
const PROTOCOL_CLAIMS = new Set(
  'iss sub aud exp iat auth_time nonce at_hash c_hash s_hash sid azp acr amr jti'.split(' '),
);

type Step =
  | { kind: 'consent'; scopes: string[]; tick: string[] }
  | { kind: 'relogin'; newBrowser: boolean; tick: string[] }
  | { kind: 'fewer'; keep: string[]; tick: string[] }
  | { kind: 'narrow'; keep: string[] }
  | { kind: 'renew' }
  | { kind: 'revoke' }
  | { kind: 'expire' };

const scopesArb = fc.subarray(SCOPES, { minLength: 1 });
const tickArb = fc.subarray(ALL_FIELDS);
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('consent'), scopes: scopesArb, tick: tickArb }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('relogin'), newBrowser: fc.boolean(), tick: tickArb }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('fewer'), keep: fc.subarray(SCOPES), tick: tickArb }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('narrow'), keep: tickArb }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'renew' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'revoke' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'expire' as const }) },
);
const sequenceArb = fc.tuple(
  fc.record({ scopes: scopesArb, tick: tickArb }),
  fc.array(stepArb, { minLength: 2, maxLength: 7 }),
);

/** One jobseeker and one app, the app's browser, the jobseeker's /account, and what the test expects. */
async function newSequence() {
  const jobseeker = await createJobseeker(server);
  const client = await createClient(server, { scopes: ['openid', 'offline_access', ...SCOPES] });
  const config = await discover(server.issuer, client.client_id, client.client_secret);
  const api = `${server.issuer}/api`;
  const claims = jobseeker.claims as Record<string, unknown>;
  const data = jobseeker.data as Record<string, unknown>;
  let browser = new UserAgent();
  let account: UserAgent | undefined;
  const model = {
    /** the live consent's fields; null without a live consent */
    fields: null as Set<string> | null,
    /** the scopes the latest consent page showed */
    shown: new Set<string>(),
    /** the catalog scopes of the latest authorization request, and the tokens it gave */
    requested: [] as string[],
    tokens: undefined as { access: string; refresh: string } | undefined,
  };

  const expectedClaims = (live: Set<string>, requested: string[]) => {
    const released: Record<string, unknown> = Object.fromEntries(
      [...live]
        .filter((key) => OIDC_SCOPES.includes(scopeOf(key)) && requested.includes(scopeOf(key)))
        .map((key) => [fieldOf(key), claims[fieldOf(key)]]),
    );
    // `name` comes with both names (scopes/profile.yaml).
    if (released.given_name && released.family_name) {
      released.name = `${released.given_name} ${released.family_name}`;
    }
    return released;
  };
  const grantedScopes = (live: Set<string>, requested: string[], among: string[]) =>
    new Set(among.filter((s) => requested.includes(s) && [...live].some((key) => scopeOf(key) === s)));
  // One token serves userinfo and the API (src/oidc/one-token.ts): its scope lists the identity
  // scopes and the data scopes it covers, with or without `resource`.
  const tokenScopes = (live: Set<string>, requested: string[]) =>
    new Set([
      'openid',
      'offline_access',
      ...grantedScopes(live, requested, OIDC_SCOPES),
      ...grantedScopes(live, requested, DATA_SCOPES),
    ]);
  const released = (payload: Record<string, unknown> | undefined) =>
    Object.fromEntries(Object.entries(payload ?? {}).filter(([k]) => !PROTOCOL_CLAIMS.has(k)));

  async function liveFields(): Promise<Set<string> | null> {
    const { rows } = await server.pool.query(
      `SELECT fields FROM consents
        WHERE jobseeker_id = $1 AND status = 'active' AND expires_at > now()`,
      [jobseeker.id],
    );
    return rows[0] ? new Set(rows[0].fields as string[]) : null;
  }

  /** An authorization of `requested` (plus openid and offline_access) through the real pages. */
  async function authorize(requested: string[], o: { prompt?: boolean; tick: string[] }) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: client.redirectUri,
      scope: ['openid', 'offline_access', ...requested].join(' '),
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...(o.prompt ? { prompt: 'consent' } : {}),
    });
    const pageDue = o.prompt || !model.fields || requested.some((s) => !model.shown.has(s));
    let { response, url: at } = await browser.follow(url, {}, client.redirectUri);
    let consentPage = false;
    for (let pages = 0; !at.href.startsWith(client.redirectUri); pages++) {
      if (pages > 2) throw new Error(`stuck at ${at.href}`);
      const html = await response.text();
      if (/action="[^"]*\/login"/.test(html)) {
        ({ response, url: at } = await browser.submit(
          at,
          html,
          formAction(html, '/login'),
          [
            ['login', jobseeker.login],
            ['password', jobseeker.password],
          ],
          client.redirectUri,
        ));
      } else {
        consentPage = true;
        // The boxes the page shows are every field of the requested scopes.
        const ticked = fieldsOf(requested).filter((key) => o.tick.includes(key));
        ({ response, url: at } = await browser.submit(
          at,
          html,
          formAction(html, '/consent'),
          ticked.map((key) => ['fields', key]),
          client.redirectUri,
        ));
        const kept = model.fields
          ? [...model.fields].filter((key) => !fieldsOf(['openid', ...requested]).includes(key))
          : [];
        // A ticked label brings the code that travels with it (scopes/*.yaml, travelsWith).
        model.fields = new Set([...kept, ...catalog.withTravellers(ticked), 'openid.sub']);
        model.shown = new Set(requested);
      }
    }
    expect(consentPage, 'whether the consent page showed').toBe(pageDue);
    const tokens = await oidc.authorizationCodeGrant(
      config,
      at,
      { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce },
      { resource: api },
    );
    const live = (await liveFields()) as Set<string>;
    expect(words(tokens.scope), 'the token response scope').toEqual(tokenScopes(live, requested));
    expect(released(tokens.claims()), 'the ID token claims').toEqual(expectedClaims(live, requested));
    expect(tokens.refresh_token, 'a refresh token').toBeTruthy();
    model.requested = requested;
    model.tokens = { access: tokens.access_token, refresh: tokens.refresh_token as string };
  }

  async function accountForm(action: string, fields: [string, string][]) {
    account ??= await signInToAccount(server, jobseeker);
    const { rows } = await server.pool.query('SELECT id FROM consents WHERE jobseeker_id = $1', [
      jobseeker.id,
    ]);
    const done = await postAccountForm(server, account, `/account/consents/${rows[0].id}/${action}`, fields);
    expect(done.url.searchParams.get('ok'), `/account ${action}`).toBeTruthy();
  }

  /** What the app gets now, with the tokens of its latest authorization, against the live record. */
  async function check() {
    const live = await liveFields();
    expect(live, 'the live consent record').toEqual(model.fields);
    const tokens = model.tokens;
    if (!tokens) return;
    const { requested } = model;
    const introspection = await oidc.tokenIntrospection(config, tokens.access);
    expect(introspection.active, 'introspection active').toBe(Boolean(live));
    if (live) {
      expect(words(introspection.scope), 'introspection scope').toEqual(tokenScopes(live, requested));
    }
    for (const scope of [...DATA_SCOPES, 'consent']) {
      const res = await fetch(`${api}/v1/${scope}`, {
        headers: { authorization: `Bearer ${tokens.access}` },
      });
      const fields = new Set([...(live ?? [])].filter((key) => scopeOf(key) === scope).map(fieldOf));
      const served = scope === 'consent' || (requested.includes(scope) && fields.size > 0);
      expect(res.status, `/api/v1/${scope}`).toBe(!live ? 401 : served ? 200 : 403);
      if (res.status !== 200) continue;
      const body = await res.json();
      if (scope === 'consent') {
        expect(new Set(body.fields), '/api/v1/consent fields').toEqual(live);
        continue;
      }
      const pick = (item: Record<string, unknown>) =>
        Object.fromEntries(Object.entries(item).filter(([k]) => fields.has(k)));
      const value = data[scope];
      expect(body, `/api/v1/${scope} value`).toEqual(
        Array.isArray(value) ? value.map(pick) : pick(value as Record<string, unknown>),
      );
    }
    if (!live) {
      await expect(oidc.refreshTokenGrant(config, tokens.refresh), 'refresh').rejects.toMatchObject({
        error: 'invalid_grant',
      });
      return;
    }
    const forUserinfo = await oidc.refreshTokenGrant(config, tokens.refresh);
    expect(words(forUserinfo.scope), 'refreshed token scope').toEqual(tokenScopes(live, requested));
    expect(released(forUserinfo.claims()), 'refreshed ID token claims').toEqual(
      expectedClaims(live, requested),
    );
    const sub = forUserinfo.claims()?.sub as string;
    const userinfo = await oidc.fetchUserInfo(config, forUserinfo.access_token, sub);
    expect(released(userinfo), 'userinfo').toEqual(expectedClaims(live, requested));
    const forApi = await oidc.refreshTokenGrant(config, forUserinfo.refresh_token as string, {
      resource: api,
    });
    expect(words(forApi.scope), 'refreshed token scope, with resource').toEqual(tokenScopes(live, requested));
    tokens.refresh = forApi.refresh_token as string;
  }

  async function apply(step: Step) {
    const live = Boolean(model.fields);
    switch (step.kind) {
      case 'consent':
        return authorize(step.scopes, { prompt: true, tick: step.tick });
      case 'relogin':
        if (step.newBrowser) browser = new UserAgent();
        return authorize(model.requested, { tick: step.tick });
      case 'fewer':
        return authorize(
          model.requested.filter((s) => step.keep.includes(s)),
          { tick: step.tick },
        );
      case 'narrow': {
        if (!model.fields) return;
        const keep = [...model.fields].filter((key) => step.keep.includes(key));
        await accountForm(
          'fields',
          keep.map((key) => ['fields', key]),
        );
        // A kept label keeps the code that travels with it.
        const kept = new Set(catalog.withTravellers(keep));
        model.fields = new Set([...[...model.fields].filter((key) => kept.has(key)), 'openid.sub']);
        return;
      }
      case 'renew':
        if (live) await accountForm('renew', []);
        return;
      case 'revoke':
        if (!live) return;
        await accountForm('revoke', [['confirm', 'yes']]);
        model.fields = null;
        return;
      case 'expire':
        if (!live) return;
        await server.pool.query(
          "UPDATE consents SET expires_at = now() - interval '1 second' WHERE jobseeker_id = $1",
          [jobseeker.id],
        );
        await purgeExpired({
          pool: server.pool,
          consentChanges: server.app.services.consentChanges,
          accessLogRetentionDays: 396,
        });
        model.fields = null;
        return;
    }
  }

  return { authorize, check, apply };
}

it('releases exactly what the live consent record says after every step, and asks only when it must', async () => {
  await fc.assert(
    fc.asyncProperty(sequenceArb, async ([first, steps]) => {
      const sequence = await newSequence();
      await sequence.authorize(first.scopes, { tick: first.tick });
      await sequence.check();
      for (const step of steps) {
        await sequence.apply(step);
        await sequence.check();
      }
    }),
    { numRuns: Number(process.env.FUZZ_RUNS ?? 20) },
  );
}, 600_000);

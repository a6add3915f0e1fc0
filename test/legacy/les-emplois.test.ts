// Les emplois de l'inclusion (ITOU, active) replayed against a running provider: its authorize
// redirect, the consent page answered with a random subset of the boxes, its token request, userinfo
// with ?schema=openid, the coordonnées and the état civil (called for a new user: birthdate and
// address missing), then its logout redirect; and the cancelled sign-in it must survive.
import * as oidc from 'openid-client';
import { describe, expect, test } from 'vitest';
import { consentBoxes, postForm } from '../support/relying-party.ts';
import { formAction, UserAgent } from '../support/user-agent.ts';
import { LES_EMPLOIS_SCOPE, lesEmploisClient } from './apps/les-emplois.ts';
import { legacySeed, logoutThroughPages, seededRandom, throughPages } from './legacy-browser.ts';
import {
  expectCallback,
  expectConsentedAnswer,
  expectRelease,
  jsonOf,
  randomString,
} from './legacy-checks.ts';
import { COORDONNEES, ETAT_CIVIL, USERINFO } from './released-fields.ts';
import { expectTokenAndIdToken, replayApp, replayServer, signInWithRandomConsent } from './replay-setup.ts';
import { coordonneesSchema, etatCivilSchema, userinfoSchema } from './spec-shapes.ts';

const seed = legacySeed('les-emplois');
const live = replayServer();

// The catalog scopes behind ITOU's legacy request. `indemnisation` is reserved to high-assurance
// apps (README), which ITOU's client_secret_post cannot be: ITOU is registered without it, and its
// request for it is expected to be accepted and not granted (ITOU stopped calling that API in
// 2026-06, §7). [G]: the spec says an unsubscribed scope is `invalid_scope` at the token endpoint
// (§6, ESD, for client credentials); a drop-in that refused ITOU's whole sign-in for it would not be one.
const ITOU_SCOPES = ['openid', 'profile', 'email', 'phone', 'address', 'statut', 'formations', 'permis'];

/** ITOU registered, its client, and a jobseeker to sign in. */
const itouApp = () =>
  replayApp(
    live.server,
    'lesemplois',
    {
      scopes: ITOU_SCOPES,
      redirectUri: 'https://emplois.inclusion.beta.gouv.fr/franceconnect/ft_connect/callback',
      afterLogout: 'https://emplois.inclusion.beta.gouv.fr/',
    },
    lesEmploisClient,
  );

describe('les emplois de l’inclusion', () => {
  test('sign-in, userinfo, coordonnées, état civil and logout, for a random subset of consents', async () => {
    const random = seededRandom(seed);
    const { settings, app, jobseeker } = await itouApp();
    const known = jobseeker.claims as JobseekerClaims;
    // views.py: nonce = get_random_string(12); the state is a saved random token.
    const state = randomString(16);
    const nonce = randomString(9);

    const { pages, consented, code } = await signInWithRandomConsent(
      'les-emplois',
      app.authorizeUrl(state, nonce),
      { settings, jobseeker, random, state },
    );
    // Issue 14 point 2: the same French blocks whatever the vocabulary; nothing the app is not
    // registered for is on the page.
    expect(pages.consentHtml).not.toMatch(/id="bloc-indemnisation"/);

    const { token, claims } = await expectTokenAndIdToken(live.server, await app.token(code), {
      clientId: settings.clientId,
      requestedScope: LES_EMPLOIS_SCOPE,
      nonce,
      consented,
      notGranted: ['indemnisation', 'api_peconnect-indemnisationsv1'],
    });

    // userinfo: `sub` is required (views.py refuses the login without it), `email` may be missing
    // (then the no_email page), gender maps to a title.
    const userinfo = (await jsonOf(await app.userinfo(token.access_token), 200, 'userinfo')) as Record<
      string,
      unknown
    >;
    expectRelease('userinfo', userinfoSchema, USERINFO, consented, userinfo);
    // OIDC Core §5.3.2: the userinfo `sub` is the id_token's.
    expect(userinfo.sub).toBe(claims.sub);
    if (consented.has('profile.given_name'))
      expect(String(userinfo.given_name).toLowerCase()).toBe(known.given_name?.toLowerCase());
    if (consented.has('email.email')) expect(userinfo.email).toBe(known.email);

    // ft_connect.py _get_birthdate: timezone.localdate(parse_datetime(dateDeNaissance)).
    const etatCivil = (await expectConsentedAnswer(
      await app.api('peconnect-datenaissance/v1/etat-civil', token.access_token),
      'etat-civil',
      etatCivilSchema,
      ETAT_CIVIL,
      consented,
    )) as Record<string, unknown> | undefined;
    if (etatCivil && consented.has('profile.birthdate'))
      expect(parisDate(String(etatCivil.dateDeNaissance))).toBe(known.birthdate);

    // ft_connect.py _get_address: the address is used only if adresse4, codePostal and libelleCommune are all there.
    const coordonnees = (await expectConsentedAnswer(
      await app.api('peconnect-coordonnees/v1/coordonnees', token.access_token),
      'coordonnees',
      coordonneesSchema,
      COORDONNEES,
      consented,
    )) as Record<string, unknown> | undefined;
    if (coordonnees && consented.has('address.address')) {
      expect(['adresse4', 'codePostal', 'libelleCommune'].every((k) => coordonnees[k])).toBe(true);
      expect(coordonnees.codePostal).toBe(known.address.postal_code);
      expect(String(coordonnees.libelleCommune).toLowerCase()).toBe(known.address.locality.toLowerCase());
    }

    // pe_connect_logout: the browser goes to /compte/deconnexion and comes back to redirect_uri…
    const out = await logoutThroughPages(pages.agent, app.logoutUrl(token.id_token), settings.afterLogout);
    expect(out.at.href.startsWith(settings.afterLogout)).toBe(true);
    // …and the provider's session is over: the next sign-in asks for the password again.
    const again = await pages.agent.follow(
      app.authorizeUrl(randomString(16), randomString(9)),
      {},
      settings.redirectUri,
    );
    expect(again.url.href.startsWith(settings.redirectUri), 'signed in without a password after logout').toBe(
      false,
    );
    expect(await again.response.text()).toMatch(/name="password"/);
  });

  test('the consent page shows the same blocks and boxes for ITOU’s legacy request as for the same data asked natively (issue 14 point 2)', async () => {
    const { settings, app, jobseeker } = await itouApp();
    // The catalog scopes behind ITOU's string, asked the standard way (PKCE, as /auth requires).
    const verifier = oidc.randomPKCECodeVerifier();
    const native = new URL(`${live.server.url}/auth`);
    for (const [k, v] of Object.entries({
      client_id: settings.clientId,
      response_type: 'code',
      redirect_uri: settings.redirectUri,
      scope: 'openid profile email phone address statut formations permis',
      state: randomString(16),
      nonce: randomString(9),
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    }))
      native.searchParams.set(k, v);
    const consentPage = async (url: string | URL) => {
      const agent = new UserAgent();
      const login = await agent.follow(url, {}, settings.redirectUri);
      const html = await login.response.text();
      const answer = await postForm(agent, login.url, html, formAction(html, '/login'), [
        ['login', jobseeker.login],
        ['password', jobseeker.password],
      ]);
      const page = await agent.follow(
        new URL(answer.headers.get('location') as string, login.url),
        {},
        settings.redirectUri,
      );
      const text = await page.response.text();
      return { blocks: [...text.matchAll(/id="bloc-([^"]+)"/g)].map((m) => m[1]), boxes: consentBoxes(text) };
    };
    const legacy = await consentPage(app.authorizeUrl(randomString(16), randomString(9)));
    const standard = await consentPage(native);
    expect(legacy.boxes.length).toBeGreaterThan(0);
    expect(legacy).toEqual(standard);
  });

  test('a refused consent comes back with the state and no code (§2.1), which ITOU reports as an error', async () => {
    const { settings, app, jobseeker } = await itouApp();
    const state = randomString(16);
    const pages = await throughPages(app.authorizeUrl(state, randomString(9)), {
      redirectUri: settings.redirectUri,
      jobseeker,
      refuse: true,
      agent: new UserAgent(),
    });
    expect(pages.pages).toEqual(['login', 'consent']);
    expect(pages.callback.searchParams.get('state')).toBe(state);
    expect(pages.callback.searchParams.has('code')).toBe(false);
  });

  test('a code redeemed twice is refused with the spec’s error body (§2.2)', async () => {
    const { settings, app, jobseeker } = await itouApp();
    const state = randomString(16);
    const pages = await throughPages(app.authorizeUrl(state, randomString(9)), {
      redirectUri: settings.redirectUri,
      jobseeker,
      choose: (shown) => shown.slice(0, 1),
    });
    const code = expectCallback(pages.callback, state);
    expect((await app.token(code)).status).toBe(200);
    const second = await app.token(code);
    const body = (await jsonOf(second, 400, 'second redemption')) as Record<string, unknown>;
    expect(body.error).toBe('invalid_grant');
    expect(typeof body.error_description).toBe('string');
  });
});

interface JobseekerClaims {
  given_name?: string;
  family_name?: string;
  email?: string;
  birthdate?: string;
  address: { postal_code: string; locality: string };
}

/** The calendar day of an ISO datetime in Europe/Paris, as Django's timezone.localdate reads it. */
function parisDate(iso: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date(iso));
}

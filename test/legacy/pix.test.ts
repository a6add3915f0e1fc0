// Pix (active) replayed against a running provider: discovery at the realm path, authorize and token
// at the endpoints that document names (with the realm as an extra parameter, as openid-client 5
// sends it for Pix), the identity read from the id_token only, and the logout redirect. Both legacy
// discovery paths are checked to describe the same provider.
import { describe, expect, test } from 'vitest';
import { withoutScopes } from './apps/app-settings.ts';
import { pixClient, pixScope, REALM_DISCOVERY, SHORT_DISCOVERY } from './apps/pix.ts';
import { legacySeed, logoutThroughPages, seededRandom, throughPages } from './legacy-browser.ts';
import { expectCallback, jsonOf, legacyDiscovery, randomString } from './legacy-checks.ts';
import { withTravellers } from './released-fields.ts';
import { expectTokenAndIdToken, replayApp, replayServer, signInWithRandomConsent } from './replay-setup.ts';
import { discoverySchema } from './spec-shapes.ts';

const seed = legacySeed('pix');
const live = replayServer();

/** Pix registered, its client, the discovery it starts from (§2.3), and a jobseeker to sign in. */
async function pixApp() {
  const { settings, app, jobseeker } = await replayApp(
    live.server,
    'pix',
    {
      scopes: ['openid', 'profile'],
      redirectUri: 'https://app.pix.fr/connexion/pole-emploi',
      afterLogout: 'https://app.pix.fr/connexion',
    },
    pixClient,
  );
  const discovery = discoverySchema.parse(await jsonOf(await app.discover(), 200, 'discovery'));
  return { settings, app, jobseeker, discovery };
}

// [G]: `serviceDigitauxExposition` and its technical scope open Pix's push of results to France
// Travail, an API this provider does not serve: accepted, not granted (see pass-emploi.test.ts). The
// string verbatim is what issue 14 asks to work; without them, the rest of the sequence is replayed
// whatever is decided for those.
const NOT_SERVED = ['serviceDigitauxExposition', 'api_peconnect-servicesdigitauxv1'];
const VARIANTS = [
  ['its scope string verbatim', (clientId: string) => pixScope(clientId)],
  [
    'its scope string without the API not served here',
    (clientId: string) => withoutScopes(pixScope(clientId), NOT_SERVED),
  ],
] as const;

describe('pix discovery', () => {
  test('both legacy discovery paths describe this provider (§2.3)', async () => {
    const realm = await legacyDiscovery(live.server, REALM_DISCOVERY);
    const short = await legacyDiscovery(live.server, SHORT_DISCOVERY);
    expect(short).toEqual(realm);
    // The keys it names are served, and sign (§2.3: id_tokens are verified against them, LBB).
    const jwks = (await jsonOf(await fetch(realm.jwks_uri), 200, 'jwks')) as { keys: unknown[] };
    expect(jwks.keys.length).toBeGreaterThan(0);
  });
});

describe.each(VARIANTS)('pix, %s', (_, scopeOf) => {
  test('sign-in from discovery, identity from the id_token, logout, for a random subset of consents', async () => {
    const random = seededRandom(seed);
    const { settings, app, jobseeker, discovery } = await pixApp();
    const state = randomString(16);
    const nonce = randomString(16);

    const scope = scopeOf(settings.clientId);
    const { pages, consented, code } = await signInWithRandomConsent(
      'pix',
      app.authorizeUrl(discovery, state, nonce, scope),
      { settings, jobseeker, random, state },
    );

    // Pix's _extractPayloadFromIdToken: given_name, family_name, nonce, idIdentiteExterne — each
    // name only if consented (checked by expectIdToken), the identifier always.
    const { token, claims } = await expectTokenAndIdToken(live.server, await app.token(discovery, code), {
      clientId: settings.clientId,
      requestedScope: scope,
      nonce,
      consented,
      notGranted: NOT_SERVED,
      discovery,
    });
    const known = jobseeker.claims as { given_name: string; family_name: string };
    if (consented.has('profile.given_name'))
      expect(claims.given_name?.toLowerCase()).toBe(known.given_name.toLowerCase());
    if (consented.has('profile.family_name'))
      expect(claims.family_name?.toLowerCase()).toBe(known.family_name.toLowerCase());

    const out = await logoutThroughPages(pages.agent, app.logoutUrl(token.id_token), settings.afterLogout);
    expect(out.at.href.startsWith(settings.afterLogout)).toBe(true);
  });

  test('the same person has the same idIdentiteExterne at each sign-in of one app (Pix keys accounts on it)', async () => {
    const { settings, app, jobseeker, discovery } = await pixApp();
    const ids: string[] = [];
    // Every box of the first (and only) consent page: the second sign-in reuses that consent.
    let consented = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const state = randomString(16);
      const nonce = randomString(16);
      // A new browser each time: the second sign-in asks for the password, not for the consent again.
      const scope = scopeOf(settings.clientId);
      const pages = await throughPages(app.authorizeUrl(discovery, state, nonce, scope), {
        redirectUri: settings.redirectUri,
        jobseeker,
        choose: (shown) => shown,
      });
      expect(pages.pages).toEqual(i === 0 ? ['login', 'consent'] : ['login']);
      if (i === 0) consented = withTravellers(pages.shown);
      const { claims } = await expectTokenAndIdToken(
        live.server,
        await app.token(discovery, expectCallback(pages.callback, state)),
        { clientId: settings.clientId, requestedScope: scope, nonce, consented, discovery },
      );
      ids.push(claims.idIdentiteExterne);
    }
    expect(ids[0], 'idIdentiteExterne in the id_token').toEqual(expect.any(String));
    expect(ids[1]).toBe(ids[0]);
  });
});

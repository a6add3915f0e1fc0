// Immersion facile (IF, active) replayed against a running provider: its authorize redirect (realm raw,
// in the middle), the consent page answered with a random subset of the boxes, its token request, then
// HttpFtConnectGateway.getUserAndAdvisors in its order — userinfo, état civil, coordonnées (for the
// phone), statut, and the advisors only when the statut says « demandeur d’emploi » — and its logout.
import { describe, expect, test } from 'vitest';
import { startTestServer } from '../support/test-server.ts';
import { immersionFacileClient, immersionFacileScope } from './apps/immersion-facile.ts';
import { legacySeed, logoutThroughPages, seededRandom, throughPages } from './legacy-browser.ts';
import {
  expectCallback,
  expectConsentedAnswer,
  expectRelease,
  expectTokenAnswer,
  jsonOf,
  randomString,
  registerLegacyApp,
} from './legacy-checks.ts';
import { CONSEILLERS, COORDONNEES, ETAT_CIVIL, STATUT, USERINFO } from './released-fields.ts';
import {
  expectAnswerIfAnyConsented,
  expectTokenAndIdToken,
  replayApp,
  replayServer,
  signInWithRandomConsent,
} from './replay-setup.ts';
import {
  conseillerSchema,
  coordonneesSchema,
  etatCivilSchema,
  STATUT_LABELS,
  statutSchema,
  userinfoSchema,
} from './spec-shapes.ts';

const seed = legacySeed('immersion-facile');
const live = replayServer();

// IF's registration: the scopes behind its request, its callback and its home page.
const IF_REGISTRATION = {
  scopes: ['openid', 'profile', 'email', 'phone', 'address', 'statut', 'conseillers'],
  redirectUri: 'https://immersion-facile.beta.gouv.fr/api/auth/ft-connect/after-login',
  afterLogout: 'https://immersion-facile.beta.gouv.fr/',
};

describe('immersion facile', () => {
  test('sign-in, userinfo, état civil, coordonnées, statut, conseillers and logout, for a random subset of consents', async () => {
    const { server } = live;
    const random = seededRandom(seed);
    const { settings, app, jobseeker } = await replayApp(
      server,
      'immersionfacile',
      IF_REGISTRATION,
      immersionFacileClient,
    );
    const state = randomString(16);
    const nonce = randomString(16);
    const url = app.authorizeUrl(state, nonce);
    // The request as IF writes it: realm raw, in third place; spaces as %20.
    expect(url).toContain(
      `&realm=/individu&redirect_uri=${settings.redirectUri}&scope=application_${settings.clientId}%20`,
    );

    const { pages, consented, code } = await signInWithRandomConsent('immersion-facile', url, {
      settings,
      jobseeker,
      random,
      state,
    });

    // AccessToken.schema.ts: access_token, expires_in ≥ 1, id_token and nonce are required.
    const { token, claims } = await expectTokenAndIdToken(server, await app.token(code), {
      clientId: settings.clientId,
      requestedScope: immersionFacileScope(settings.clientId),
      nonce,
      consented,
    });

    const userinfo = (await jsonOf(
      await app.api('peconnect-individu/v1/userinfo', token.access_token),
      200,
      'userinfo',
    )) as Record<string, unknown>;
    expectRelease('userinfo', userinfoSchema, USERINFO, consented, userinfo);
    expect(userinfo.sub).toBe(claims.sub);
    // IF keys the person on idIdentiteExterne (ftExternalId): the same in the id_token and userinfo.
    expect(userinfo.idIdentiteExterne).toBe(claims.idIdentiteExterne);

    // ftconnectBeneficiaryBirthdateToIfBeneficiaryBirthdate keeps the part before "T".
    const etatCivil = (await expectConsentedAnswer(
      await app.api('peconnect-datenaissance/v1/etat-civil', token.access_token),
      'etat-civil',
      etatCivilSchema,
      ETAT_CIVIL,
      consented,
    )) as Record<string, unknown> | undefined;
    if (etatCivil && consented.has('profile.birthdate'))
      expect(String(etatCivil.dateDeNaissance).split('T')[0]).toBe(
        (jobseeker.claims as { birthdate: string }).birthdate,
      );

    // getUserContactPhone: telephone1 ?? telephone2, read as a French number.
    const coordonnees = (await expectAnswerIfAnyConsented(
      await app.api('peconnect-coordonnees/v1/coordonnees', token.access_token),
      'coordonnees',
      coordonneesSchema,
      COORDONNEES,
      consented,
    )) as Record<string, unknown> | undefined;
    if (coordonnees && consented.has('phone.phone_number')) {
      const phone = String(coordonnees.telephone1 ?? coordonnees.telephone2);
      const known = (jobseeker.claims as { phone_number: string }).phone_number.replace(/\D/g, '').slice(-9);
      expect(phone.replace(/\D/g, '').slice(-9)).toBe(known);
    }

    // #userIsJobseeker: statut "1" means a registered jobseeker; then the advisors are asked for.
    const statut = (await expectAnswerIfAnyConsented(
      await app.api('peconnect-statut/v1/statut', token.access_token),
      'statut',
      statutSchema,
      STATUT,
      consented,
    )) as { codeStatutIndividu: '0' | '1'; libelleStatutIndividu: string } | undefined;
    if (statut) {
      expect(statut.libelleStatutIndividu).toBe(STATUT_LABELS[statut.codeStatutIndividu]);
      const known = (jobseeker.data.statut as { codeStatutIndividu: string }).codeStatutIndividu;
      expect(statut.codeStatutIndividu).toBe(known);
    }
    if (statut?.codeStatutIndividu === '1') {
      // §4.14: a 200 with the advisors, or (no advisor) the 500 FT gives and IF tolerates. [G]: this
      // provider never answers 500 (house rule), so a jobseeker without an advisor reads `[]`.
      const conseillers = await app.api(
        'peconnect-conseillers/v1/contactspe/conseillers',
        token.access_token,
      );
      const body = await expectAnswerIfAnyConsented(
        conseillers,
        'conseillers',
        conseillerSchema,
        CONSEILLERS,
        consented,
      );
      if (body !== undefined) expect(Array.isArray(body)).toBe(true);
    }

    const out = await logoutThroughPages(pages.agent, app.logoutUrl(token.id_token), settings.afterLogout);
    expect(out.at.href.startsWith(settings.afterLogout)).toBe(true);
  });

  test('a token with a wrong or no Bearer is refused with 401 on every API IF calls (§5)', async () => {
    const settings = await registerLegacyApp(live.server, 'immersionfacile', {
      ...IF_REGISTRATION,
      scopes: ['openid', 'profile', 'email', 'phone', 'address', 'statut'],
    });
    const app = immersionFacileClient(settings);
    for (const path of [
      'peconnect-individu/v1/userinfo',
      'peconnect-datenaissance/v1/etat-civil',
      'peconnect-coordonnees/v1/coordonnees',
      'peconnect-statut/v1/statut',
      'peconnect-conseillers/v1/contactspe/conseillers',
    ] as const) {
      const answer = await app.api(path, randomString(32));
      expect(answer.status, path).toBe(401);
    }
  });
});

describe('immersion facile under load', () => {
  test('past the per-app limit the APIs answer 429 with Retry-After in seconds, and work again after it (§5)', async () => {
    // The operator's per-app limit, low here so that a burst reaches it: one call per second, two at once.
    const limited = await startTestServer({ LEGACY_API_RATE_LIMIT: '1/2' });
    try {
      const { settings, app, jobseeker } = await replayApp(
        limited,
        'immersionfacile',
        IF_REGISTRATION,
        immersionFacileClient,
      );
      const state = randomString(16);
      const nonce = randomString(16);
      const pages = await throughPages(app.authorizeUrl(state, nonce), {
        redirectUri: settings.redirectUri,
        jobseeker,
        choose: (shown) => shown,
      });
      const token = await expectTokenAnswer(await app.token(expectCallback(pages.callback, state)), {
        requestedScope: immersionFacileScope(settings.clientId),
        nonce,
      });
      // IF's getUserAndAdvisors without its Bottleneck: five calls at once.
      const answers = await Promise.all(
        Array.from({ length: 5 }, () => app.api('peconnect-statut/v1/statut', token.access_token)),
      );
      const limitedAnswer = answers.find((a) => a.status === 429);
      expect(limitedAnswer, `statuses ${answers.map((a) => a.status)}`).toBeDefined();
      const retryAfter = (limitedAnswer as Response).headers.get('retry-after');
      // AVRIL and PEA sleep `retry-after` seconds, then retry.
      expect(retryAfter).toMatch(/^[1-9]\d*$/);
      await new Promise((resolve) => setTimeout(resolve, Number(retryAfter) * 1000));
      expect((await app.api('peconnect-statut/v1/statut', token.access_token)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

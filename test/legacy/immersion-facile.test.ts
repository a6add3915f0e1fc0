// Immersion facile (IF, active) replayed against a running provider: its authorize redirect (realm raw,
// in the middle), the consent page answered with a random subset of the boxes, its token request, then
// HttpFtConnectGateway.getUserAndAdvisors in its order — userinfo, état civil, coordonnées (for the
// phone), statut, and the advisors only when the statut says « demandeur d’emploi » — and its logout.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createJobseeker } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { immersionFacileClient, immersionFacileScope } from './apps/immersion-facile.ts';
import {
  legacySeed,
  logoutThroughPages,
  randomSubset,
  seededRandom,
  throughPages,
} from './legacy-browser.ts';
import {
  expectCallback,
  expectConsentedAnswer,
  expectIdToken,
  expectRelease,
  expectTokenAnswer,
  expectWithheld,
  jsonOf,
  randomString,
  registerLegacyApp,
} from './legacy-checks.ts';
import {
  anyConsented,
  CONSEILLERS,
  COORDONNEES,
  ETAT_CIVIL,
  STATUT,
  USERINFO,
  withTravellers,
} from './released-fields.ts';
import {
  conseillerSchema,
  coordonneesSchema,
  etatCivilSchema,
  STATUT_LABELS,
  statutSchema,
  userinfoSchema,
} from './spec-shapes.ts';

const seed = legacySeed('immersion-facile');
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

describe('immersion facile', () => {
  test('sign-in, userinfo, état civil, coordonnées, statut, conseillers and logout, for a random subset of consents', async () => {
    const random = seededRandom(seed);
    const settings = await registerLegacyApp(server, 'immersionfacile', {
      scopes: ['openid', 'profile', 'email', 'phone', 'address', 'statut', 'conseillers'],
      redirectUri: 'https://immersion-facile.beta.gouv.fr/api/auth/ft-connect/after-login',
      afterLogout: 'https://immersion-facile.beta.gouv.fr/',
    });
    const app = immersionFacileClient(settings);
    const jobseeker = await createJobseeker(server);
    const state = randomString(16);
    const nonce = randomString(16);
    const url = app.authorizeUrl(state, nonce);
    // The request as IF writes it: realm raw, in third place; spaces as %20.
    expect(url).toContain(
      `&realm=/individu&redirect_uri=${settings.redirectUri}&scope=application_${settings.clientId}%20`,
    );

    const pages = await throughPages(url, {
      redirectUri: settings.redirectUri,
      jobseeker,
      choose: (shown) => randomSubset(random, shown),
    });
    expect(pages.pages).toEqual(['login', 'consent']);
    const consented = withTravellers(pages.ticked);
    console.log(
      `immersion-facile: consented to ${[...consented].sort().join(', ')} of ${pages.shown.join(', ')}`,
    );
    const code = expectCallback(pages.callback, state);

    // AccessToken.schema.ts: access_token, expires_in ≥ 1, id_token and nonce are required.
    const token = await expectTokenAnswer(await app.token(code), {
      requestedScope: immersionFacileScope(settings.clientId),
      nonce,
    });
    const claims = await expectIdToken(server, token.id_token, {
      clientId: settings.clientId,
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
    const coordonnees = await app.api('peconnect-coordonnees/v1/coordonnees', token.access_token);
    if (anyConsented(COORDONNEES, consented)) {
      const body = (await jsonOf(coordonnees, 200, 'coordonnees')) as Record<string, unknown>;
      expectRelease('coordonnees', coordonneesSchema, COORDONNEES, consented, body);
      if (consented.has('phone.phone_number')) {
        const phone = String(body.telephone1 ?? body.telephone2);
        const known = (jobseeker.claims as { phone_number: string }).phone_number
          .replace(/\D/g, '')
          .slice(-9);
        expect(phone.replace(/\D/g, '').slice(-9)).toBe(known);
      }
    } else {
      await expectWithheld(coordonnees, 'coordonnees');
    }

    // #userIsJobseeker: statut "1" means a registered jobseeker; then the advisors are asked for.
    const statut = await app.api('peconnect-statut/v1/statut', token.access_token);
    let jobseekerStatus = false;
    if (anyConsented(STATUT, consented)) {
      const body = (await jsonOf(statut, 200, 'statut')) as {
        codeStatutIndividu: '0' | '1';
        libelleStatutIndividu: string;
      };
      expectRelease('statut', statutSchema, STATUT, consented, body);
      expect(body.libelleStatutIndividu).toBe(STATUT_LABELS[body.codeStatutIndividu]);
      const known = (jobseeker.data.statut as { codeStatutIndividu: string }).codeStatutIndividu;
      expect(body.codeStatutIndividu).toBe(known);
      jobseekerStatus = body.codeStatutIndividu === '1';
    } else {
      await expectWithheld(statut, 'statut');
    }
    if (jobseekerStatus) {
      // §4.14: a 200 with the advisors, or (no advisor) the 500 FT gives and IF tolerates. [G]: this
      // provider never answers 500 (house rule), so a jobseeker without an advisor reads `[]`.
      const conseillers = await app.api(
        'peconnect-conseillers/v1/contactspe/conseillers',
        token.access_token,
      );
      if (anyConsented(CONSEILLERS, consented)) {
        const body = await jsonOf(conseillers, 200, 'conseillers');
        expect(Array.isArray(body)).toBe(true);
        expectRelease('conseillers', conseillerSchema, CONSEILLERS, consented, body);
      } else {
        await expectWithheld(conseillers, 'conseillers');
      }
    }

    const out = await logoutThroughPages(pages.agent, app.logoutUrl(token.id_token), settings.afterLogout);
    expect(out.at.href.startsWith(settings.afterLogout)).toBe(true);
  });

  test('a token with a wrong or no Bearer is refused with 401 on every API IF calls (§5)', async () => {
    const settings = await registerLegacyApp(server, 'immersionfacile', {
      scopes: ['openid', 'profile', 'email', 'phone', 'address', 'statut'],
      redirectUri: 'https://immersion-facile.beta.gouv.fr/api/auth/ft-connect/after-login',
      afterLogout: 'https://immersion-facile.beta.gouv.fr/',
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
      const settings = await registerLegacyApp(limited, 'immersionfacile', {
        scopes: ['openid', 'profile', 'email', 'phone', 'address', 'statut', 'conseillers'],
        redirectUri: 'https://immersion-facile.beta.gouv.fr/api/auth/ft-connect/after-login',
        afterLogout: 'https://immersion-facile.beta.gouv.fr/',
      });
      const app = immersionFacileClient(settings);
      const jobseeker = await createJobseeker(limited);
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

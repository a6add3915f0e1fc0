// The profile APIs no maintained app calls any more, replayed as Perspectives (PERSP) called them: the
// realm first and raw, a `qos_silver_*` tier in the scope, then formations, permis (and the `/permits`
// spelling ITOU declared, §4.7), compétences, langues and expériences, each answer checked against
// the spec's shapes and the consent given for a random subset of the boxes.
import { describe, expect, test } from 'vitest';
import { withoutScopes } from './apps/app-settings.ts';
import { PERSPECTIVES_SCOPE, type PerspectivesApi, perspectivesClient } from './apps/perspectives.ts';
import { legacySeed, seededRandom, throughPages } from './legacy-browser.ts';
import { expectCallback, expectRelease, expectWithheld, jsonOf, randomString } from './legacy-checks.ts';
import {
  anyConsented,
  COMPETENCES,
  EXPERIENCES,
  FORMATIONS,
  LANGUES,
  PERMIS,
  type Release,
} from './released-fields.ts';
import { expectTokenAndIdToken, replayApp, replayServer, signInWithRandomConsent } from './replay-setup.ts';
import {
  competenceSchema,
  experienceSchema,
  formationSchema,
  langueSchema,
  permisSchema,
} from './spec-shapes.ts';

const seed = legacySeed('perspectives');
const live = replayServer();

/** Perspectives registered for the profile APIs, its client, and a jobseeker to sign in. */
const perspectivesApp = () =>
  replayApp(
    live.server,
    'perspectives',
    {
      scopes: [
        'openid',
        'profile',
        'email',
        'phone',
        'address',
        'competences',
        'langues',
        'formations',
        'permis',
        'experiences',
      ],
      redirectUri: 'https://perspectives.pole-emploi.fr/authentification/peconnect/callback',
      afterLogout: 'https://perspectives.pole-emploi.fr/',
    },
    perspectivesClient,
  );

// [G] pfccentresinteret (§4.10) has no data here: accepted, not granted (see pass-emploi.test.ts); the
// string without it replays the rest whatever is decided for it.
const VARIANTS = [
  ['its scope string verbatim', PERSPECTIVES_SCOPE],
  ['its scope string without the interests', withoutScopes(PERSPECTIVES_SCOPE, ['pfccentresinteret'])],
] as const;

describe.each(VARIANTS)('perspectives (the profile APIs), %s', (_, scope) => {
  test('formations, permis, compétences, langues and expériences, for a random subset of consents', async () => {
    const random = seededRandom(seed);
    const { settings, app, jobseeker } = await perspectivesApp();
    const state = randomString(16);
    const nonce = randomString(16);
    const { consented, code } = await signInWithRandomConsent(
      'perspectives',
      app.authorizeUrl(state, nonce, scope),
      { settings, jobseeker, random, state },
    );
    // §3: qos_* tiers are accepted and ignored.
    const { token } = await expectTokenAndIdToken(live.server, await app.token(code), {
      clientId: settings.clientId,
      requestedScope: scope,
      nonce,
      consented,
      notGranted: ['qos_silver_peconnect-individuv1', 'pfccentresinteret'],
    });

    const lists: [PerspectivesApi, import('zod').ZodObject, Release][] = [
      ['peconnect-formations/v1/formations', formationSchema, FORMATIONS],
      ['peconnect-formations/v1/permis', permisSchema, PERMIS],
      ['peconnect-formations/v1/permits', permisSchema, PERMIS],
      ['peconnect-competences/v2/competences', competenceSchema, COMPETENCES],
      ['peconnect-competences/v2/langues', langueSchema, LANGUES],
      ['peconnect-experiences/v1/experiences', experienceSchema, EXPERIENCES],
    ];
    const answers: Record<string, unknown[]> = {};
    for (const [path, schema, release] of lists) {
      const answer = await app.api(path, token.access_token);
      if (!anyConsented(release, consented)) {
        await expectWithheld(answer, path);
        continue;
      }
      // PERSP: "Statut HTTP non géré" unless 200 (§5: a 204 for an empty list would break it).
      const body = await jsonOf(answer, 200, path);
      expect(Array.isArray(body), path).toBe(true);
      expectRelease(path, schema, release, consented, body);
      answers[path] = body as unknown[];
    }
    // §4.7: both spellings are the same API.
    if (answers['peconnect-formations/v1/permis'])
      expect(answers['peconnect-formations/v1/permits']).toEqual(answers['peconnect-formations/v1/permis']);

    // The same number of items as the jobseeker has: a list is filtered by field, not by item.
    const data = jobseeker.data as Record<string, unknown[]>;
    const counts: [string, string][] = [
      ['peconnect-formations/v1/formations', 'formations'],
      ['peconnect-formations/v1/permis', 'permis'],
      ['peconnect-competences/v2/competences', 'competences'],
      ['peconnect-competences/v2/langues', 'langues'],
      ['peconnect-experiences/v1/experiences', 'experiences'],
    ];
    for (const [path, scope] of counts)
      if (answers[path]) expect(answers[path]?.length, path).toBe(data[scope]?.length);

    // §4.12: `date.debut` / `date.fin` carry the start and end dates, `duree` is computed from both.
    for (const item of (answers['peconnect-experiences/v1/experiences'] ?? []) as Record<string, unknown>[]) {
      const date = (item.date ?? {}) as Record<string, unknown>;
      if ('debut' in date)
        expect(consented.has('experiences.dateDebut'), 'date.debut without consent').toBe(true);
      if ('fin' in date) expect(consented.has('experiences.dateFin'), 'date.fin without consent').toBe(true);
      if ('duree' in item && item.duree !== null)
        expect(consented.has('experiences.dateDebut') && consented.has('experiences.dateFin'), 'duree').toBe(
          true,
        );
      if (consented.has('experiences.dateDebut')) expect(date.debut, 'date.debut consented').toBeTruthy();
    }
    // §4.8: the competence type is S (savoir-faire), Q (qualité) or L (saisie libre): a savoir-être is
    // a Q, a savoir-faire an S, and an entry the jobseeker wrote is an L only if that is consented too.
    const competences = answers['peconnect-competences/v2/competences'] as
      | Record<string, unknown>[]
      | undefined;
    if (competences && consented.has('competences.type')) {
      const native = data.competences as { type: string; saisieLibre?: boolean }[];
      for (const [i, c] of native.entries()) {
        const type = competences[i]?.type;
        if (c.saisieLibre && consented.has('competences.saisieLibre')) expect(type).toBe('L');
        else if (c.type === 'savoir_etre') expect(type).toBe('Q');
        else if (c.type === 'savoir_faire') expect(type).toBe('S');
      }
    }
  });
});

describe('perspectives, every box ticked one by one', () => {
  test('a consent with more than twenty boxes ticked one by one is recorded (the page offers them all)', async () => {
    const { settings, app, jobseeker } = await perspectivesApp();
    const state = randomString(16);
    const pages = await throughPages(
      app.authorizeUrl(state, randomString(16), withoutScopes(PERSPECTIVES_SCOPE, ['pfccentresinteret'])),
      { redirectUri: settings.redirectUri, jobseeker, choose: (shown) => shown },
    );
    // A person who opens every « Choisir donnée par donnée » and ticks each box sends them all.
    expect(pages.ticked.length).toBeGreaterThan(20);
    expectCallback(pages.callback, state);
  });
});

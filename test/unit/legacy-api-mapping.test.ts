// The legacy APIs' shapes (PECONNECT.md §2.4, §4), derived from the native stored values by pure
// functions: the full shape with everything released, and for any subset of released fields, a legacy
// field present exactly when every native field it is made of is released.
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load-catalog.ts';
import { demoJobseekers } from '../../src/demo/demo-jobseekers.ts';
import {
  LEGACY_MAPPINGS,
  legacyApis,
  legacyRefusal,
  readsByScope,
  releasedFields,
} from '../../src/legacy-api/legacy-apis.ts';
import type { LegacySource } from '../../src/legacy-api/legacy-source.ts';
import { mapCompetences, mapLangues } from '../../src/legacy-api/map-competences.ts';
import { addressLines, mapCoordonnees, nationalPhone } from '../../src/legacy-api/map-coordonnees.ts';
import { dureeMois, mapConseillers, mapExperiences } from '../../src/legacy-api/map-experiences.ts';
import { mapFormations, mapPermis } from '../../src/legacy-api/map-formations.ts';
import { mapUserinfo } from '../../src/legacy-api/map-individu.ts';
import { mapEtatCivil, mapIndemnisation, mapStatut, parisOffset } from '../../src/legacy-api/map-statut.ts';
import { MARIE_COORDONNEES } from '../support/legacy-answers.ts';

const catalog = loadCatalog(fileURLToPath(new URL('../../scopes', import.meta.url)));
const marie = demoJobseekers[0] as (typeof demoJobseekers)[number];
const now = new Date('2026-12-07T12:00:00Z');
const LEGACY = legacyApis(catalog);
const api = (path: string) => LEGACY.find((a) => a.path === path) as (typeof LEGACY)[number];

function source(path: string, released?: Iterable<string>): LegacySource {
  const a = api(path);
  return {
    claims: marie.claims,
    data: a.dataScope ? marie.data[a.dataScope] : undefined,
    released: new Set(released ?? a.sources),
    sub: 'pairwise-sub',
    externalId: '0a1b2c3d-4e5f-8a7b-9c8d-0e1f2a3b4c5d',
    updatedAt: new Date('2026-01-02T03:04:05Z'),
    now,
  };
}

describe('the legacy API table', () => {
  it('joins each path the scope files declare with its mapping, and its fields', () => {
    expect(LEGACY.map((a) => a.path).sort()).toEqual(Object.keys(LEGACY_MAPPINGS).sort());
    expect(api('peconnect-formations/v1/permits').sources).toEqual(['permis.code', 'permis.libelle']);
    expect(api('peconnect-coordonnees/v1/coordonnees')).toMatchObject({
      technicalScope: 'api_peconnect-coordonneesv1',
      dataScope: null,
    });
    expect(new Set(api('peconnect-coordonnees/v1/coordonnees').sources)).toEqual(
      new Set([
        'profile.given_name',
        'profile.family_name',
        'email.email',
        'email.email_verified',
        'phone.phone_number',
        'address.address',
      ]),
    );
    expect(api('peconnect-competences/v2/langues').technicalScope).toBe('api_peconnect-competencesv2');
  });

  it('releases a field only when consented, covered by the token and registered', () => {
    const a = api('peconnect-competences/v2/competences');
    const all = new Set(['competences']);
    const consentFields = ['competences.code', 'competences.libelle', 'statut.codeStatutIndividu'];
    expect([...releasedFields(a, { consentFields, tokenScopes: all, registeredScopes: all })]).toEqual([
      'competences.code',
      'competences.libelle',
    ]);
    const none = new Set<string>();
    expect(releasedFields(a, { consentFields, tokenScopes: none, registeredScopes: all }).size).toBe(0);
    expect(releasedFields(a, { consentFields, tokenScopes: all, registeredScopes: none }).size).toBe(0);
  });
});

describe('refusals of a read that releases nothing', () => {
  const competences = api('peconnect-competences/v2/competences');
  const userinfo = api('peconnect-individu/v1/userinfo');
  it('serves when a field is released, 401 when registered but nothing released, 403 when not registered', () => {
    const registered = new Set(['openid', 'competences']);
    expect(legacyRefusal(competences, new Set(['competences.code']), registered)).toBeUndefined();
    expect(legacyRefusal(competences, new Set(['openid.sub']), registered)?.status).toBe(401);
    expect(legacyRefusal(competences, new Set(), new Set(['openid', 'statut']))?.status).toBe(403);
    expect(legacyRefusal(competences, new Set(), new Set(['openid', 'statut']))?.error).toBe(
      'insufficient_scope',
    );
  });

  it('serves userinfo whenever the sub is released', () => {
    expect(legacyRefusal(userinfo, new Set(['openid.sub']), new Set(['openid']))).toBeUndefined();
    expect(legacyRefusal(userinfo, new Set(), new Set(['openid']))?.status).toBe(401);
  });

  it('groups the fields sent by scope for the access log, without the sub', () => {
    expect(
      readsByScope(new Set(['openid.sub', 'profile.given_name', 'email.email', 'profile.gender'])),
    ).toEqual(
      new Map([
        ['profile', ['given_name', 'gender']],
        ['email', ['email']],
      ]),
    );
  });
});

describe('full shapes with every field released', () => {
  it('userinfo: sub and idIdentiteExterne, names in capitals, gender, email, updated_at in seconds', () => {
    expect(mapUserinfo(source('peconnect-individu/v1/userinfo'))).toEqual({
      sub: 'pairwise-sub',
      idIdentiteExterne: '0a1b2c3d-4e5f-8a7b-9c8d-0e1f2a3b4c5d',
      given_name: 'MARIE',
      family_name: 'DUPONT',
      gender: 'female',
      email: 'marie.dupont@example.fr',
      updated_at: Date.UTC(2026, 0, 2, 3, 4, 5) / 1000,
    });
    // Only openid: the identifiers and updated_at 0.
    expect(mapUserinfo(source('peconnect-individu/v1/userinfo', ['openid.sub']))).toEqual({
      sub: 'pairwise-sub',
      idIdentiteExterne: '0a1b2c3d-4e5f-8a7b-9c8d-0e1f2a3b4c5d',
      updated_at: 0,
    });
  });

  it('coordonnees: split address lines, INSEE and country codes, identity, national phone', () => {
    expect(mapCoordonnees(source('peconnect-coordonnees/v1/coordonnees'))).toEqual(MARIE_COORDONNEES);
    expect(
      Object.keys(mapCoordonnees(source('peconnect-coordonnees/v1/coordonnees', ['email.email']))),
    ).toEqual(['email']);
  });

  it('statut: the label from the code, with U+2019', () => {
    expect(mapStatut(source('peconnect-statut/v1/statut'))).toEqual({
      codeStatutIndividu: '1',
      libelleStatutIndividu: 'Demandeur d\u2019emploi',
    });
  });

  it('etat-civil: the birth date at midnight in Paris with its offset, the rest null', () => {
    expect(mapEtatCivil(source('peconnect-datenaissance/v1/etat-civil'))).toEqual({
      codeCivilite: null,
      libelleCivilite: null,
      nomPatronymique: null,
      nomMarital: null,
      prenom: null,
      dateDeNaissance: '1990-04-12T00:00:00+02:00',
    });
    expect(parisOffset('1976-03-12')).toBe('+01:00');
    // Change days: the offset of local midnight, before the change at 01:00 UTC.
    expect(parisOffset('2026-03-29')).toBe('+01:00');
    expect(parisOffset('2026-10-25')).toBe('+02:00');
  });

  it('indemnisation: the two booleans', () => {
    expect(mapIndemnisation(source('peconnect-indemnisations/v1/indemnisation'))).toEqual({
      beneficiairePrestationSolidarite: false,
      beneficiaireAssuranceChomage: true,
    });
  });

  it('formations: domaine and niveau as {code, libelle}', () => {
    expect(mapFormations(source('peconnect-formations/v1/formations'))).toEqual([
      {
        anneeFin: 2011,
        description: null,
        diplomeObtenu: true,
        domaine: { code: '34566', libelle: 'Commerce' },
        etranger: false,
        intitule: 'BTS Management commercial opérationnel',
        lieu: 'Lyon',
        niveau: { code: 'NV3', libelle: 'Bac+2 ou équivalents' },
      },
    ]);
  });

  it('permis: code and libelle', () => {
    expect(mapPermis(source('peconnect-formations/v1/permis'))).toEqual([
      { code: 'B', libelle: 'Permis B (véhicule léger)' },
    ]);
  });

  it('competences: type S, Q or L, niveau {code, libelle} or null, no empty code', () => {
    expect(mapCompetences(source('peconnect-competences/v2/competences'))).toEqual([
      {
        code: '100211',
        libelle: 'Accueillir une clientèle',
        type: 'S',
        niveau: { code: '3', libelle: 'Avancé' },
      },
      {
        code: '120558',
        libelle: 'Gérer un stock',
        type: 'S',
        niveau: { code: '2', libelle: 'Intermédiaire' },
      },
      { code: '300122', libelle: 'Sens du service', type: 'Q', niveau: null },
      { code: null, libelle: 'Tenue de caisse enregistreuse', type: 'L', niveau: null },
    ]);
    // Without saisieLibre released, a free entry reads by its type only.
    const withoutFree = api('peconnect-competences/v2/competences').sources.filter(
      (k) => !k.endsWith('saisieLibre'),
    );
    expect(mapCompetences(source('peconnect-competences/v2/competences', withoutFree))[3]?.type).toBe('S');
  });

  it('langues: niveau {code, libelle}', () => {
    expect(mapLangues(source('peconnect-competences/v2/langues'))).toEqual([
      { code: 'EN', libelle: 'Anglais', niveau: { code: '3', libelle: 'Courant' } },
      { code: 'ES', libelle: 'Espagnol', niveau: { code: '1', libelle: 'Débutant' } },
    ]);
  });

  it('experiences: date {debut, fin} without offset, duree in months', () => {
    const [first] = mapExperiences(source('peconnect-experiences/v1/experiences'));
    expect(first).toEqual({
      date: { debut: '2015-09-01T00:00:00', fin: '2025-12-31T00:00:00' },
      description: "Gestion d'une équipe de 4 personnes et des commandes du rayon frais.",
      duree: 124,
      enPoste: false,
      entreprise: 'Supermarché du Parc',
      etranger: false,
      intitule: 'Responsable de rayon',
      lieu: 'Villeurbanne',
    });
    expect(dureeMois('2011-07-01', '2015-08-31', now)).toBe(50);
    expect(dureeMois('2026-11-15', null, now)).toBe(0);
    expect(dureeMois('2026-10-07', null, now)).toBe(2);
    expect(dureeMois(null, '2020-01-01', now)).toBeNull();
    const onlyStart = mapExperiences(
      source('peconnect-experiences/v1/experiences', ['experiences.dateDebut']),
    );
    expect(onlyStart[0]).toEqual({ date: { debut: '2015-09-01T00:00:00' } });
  });

  it('conseillers: civilite "1"/"2", mail, type in capitals', () => {
    expect(mapConseillers(source('peconnect-conseillers/v1/contactspe/conseillers'))).toEqual([
      { nom: 'Prost', prenom: 'Alain', civilite: '1', mail: 'alain.prost@pole-emploi.fr', type: 'PLACEMENT' },
      {
        nom: 'Girard',
        prenom: 'Sophie',
        civilite: '2',
        mail: 'sophie.girard@pole-emploi.fr',
        type: 'INDEMNISATION',
      },
    ]);
  });
});

describe('helpers', () => {
  it('splits address lines from the street upwards', () => {
    expect(addressLines('12 rue X')).toEqual([null, null, null, '12 RUE X']);
    expect(addressLines('Bât. B\n12 rue X')).toEqual([null, null, 'BÂT. B', '12 RUE X']);
    expect(addressLines('a\nb\nc\nd\ne\n12 rue X')).toEqual(['A, B, C', 'D', 'E', '12 RUE X']);
    expect(addressLines(undefined)).toEqual([null, null, null, null]);
  });

  it('writes French numbers in the national format', () => {
    expect(nationalPhone('+33 6 12 34 56 78')).toBe('0612345678');
    expect(nationalPhone('+32 470 12 34 56')).toBe('+32470123456');
    expect(nationalPhone(null)).toBeNull();
  });
});

// Each legacy key and the native fields it needs, per API (what the spec's shapes are made of here).
const NEEDS: Record<string, Record<string, string[]>> = {
  'peconnect-individu/v1/userinfo': {
    given_name: ['profile.given_name'],
    family_name: ['profile.family_name'],
    gender: ['profile.gender'],
    email: ['email.email'],
  },
  'peconnect-statut/v1/statut': {
    codeStatutIndividu: ['statut.codeStatutIndividu'],
    libelleStatutIndividu: ['statut.libelleStatutIndividu'],
  },
  'peconnect-competences/v2/competences': {
    code: ['competences.code'],
    libelle: ['competences.libelle'],
    type: ['competences.type'],
    niveau: ['competences.niveau'],
  },
  'peconnect-experiences/v1/experiences': {
    duree: ['experiences.dateDebut', 'experiences.dateFin'],
    enPoste: ['experiences.enPoste'],
    entreprise: ['experiences.entreprise'],
    etranger: ['experiences.etranger'],
    intitule: ['experiences.intitule'],
    lieu: ['experiences.lieu'],
    description: ['experiences.description'],
  },
  'peconnect-formations/v1/formations': {
    domaine: ['formations.domaine'],
    niveau: ['formations.niveau'],
    anneeFin: ['formations.anneeFin'],
    intitule: ['formations.intitule'],
    description: ['formations.description'],
    diplomeObtenu: ['formations.diplomeObtenu'],
    etranger: ['formations.etranger'],
    lieu: ['formations.lieu'],
  },
};

describe('consented fields only (property)', () => {
  for (const [path, needs] of Object.entries(NEEDS)) {
    it(`${path}: a key is present exactly when its native fields are released`, () => {
      const a = api(path);
      fc.assert(
        fc.property(fc.subarray([...a.sources]), (released) => {
          const body = a.map(source(path, released));
          const items = Array.isArray(body) ? body : [body];
          for (const item of items) {
            for (const [key, from] of Object.entries(needs)) {
              expect(key in item, `${key} with ${released.join(' ')}`).toBe(
                from.every((f) => released.includes(f)),
              );
            }
            // Nothing outside the spec's keys, nothing made of a field not released.
            const allowed = new Set([
              ...Object.keys(needs),
              'sub',
              'idIdentiteExterne',
              'updated_at',
              'date',
            ]);
            for (const key of Object.keys(item)) expect(allowed.has(key), key).toBe(true);
          }
        }),
        { numRuns: 100 },
      );
    });
  }
});

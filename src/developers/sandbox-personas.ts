// The sandbox personas: synthetic jobseekers with realistic data, for developers to sign in with
// through the real login and consent pages before their app is reviewed. Nobody real: names, dates
// and identifiers are made up, and every persona is flagged (jobseekers.sandbox), so that only
// sandbox clients can obtain their consent and sandbox clients can obtain nobody else's (migration
// 101). Their logins and shared password are published on /developpeurs/bac-a-sable. Seeded at every
// start (idempotent), in production too: developers test there.
import type { Catalog } from '../catalog/load-catalog.ts';
import type { Pool } from '../db/pool.ts';
import { saveJobseeker } from '../profiles/jobseeker-import.ts';
import { type JobseekerLine, jobseekerLineSchema } from '../profiles/jobseeker-line.ts';

export const SANDBOX_PASSWORD = 'bac-a-sable-pe-connect';

export interface Persona {
  line: JobseekerLine;
  /** what the persona is for, in the portal's words */
  summary: string;
}

const statut = (categorie: string, dateInscription: string) => ({
  codeStatutIndividu: '1',
  libelleStatutIndividu: "Demandeur d'emploi",
  dateInscription,
  categorieInscription: categorie,
});

export const SANDBOX_PERSONAS: Persona[] = [
  {
    summary:
      'Vendeuse en reconversion vers le commerce en ligne, catégorie A, disponible tout de suite ; données complètes.',
    line: {
      login: 'bac-a-sable.lea',
      password: SANDBOX_PASSWORD,
      claims: {
        given_name: 'Léa',
        family_name: 'Exemple',
        gender: 'female',
        birthdate: '1992-03-14',
        email: 'lea.exemple@bac-a-sable.invalid',
        email_verified: true,
        phone_number: '+33 6 00 00 00 01',
        address: {
          formatted: '1 rue du Test\n35000 Rennes\nFrance',
          street_address: '1 rue du Test',
          postal_code: '35000',
          locality: 'Rennes',
          region: 'Bretagne',
          country: 'France',
        },
      },
      data: {
        statut: statut('A', '2026-05-04'),
        indemnisation: { beneficiaireAssuranceChomage: true, beneficiairePrestationSolidarite: false },
        competences: [
          { code: '100211', libelle: 'Accueillir une clientèle', type: 'savoir_faire', niveau: 'expert' },
          { code: '300122', libelle: 'Sens du service', type: 'savoir_etre', niveau: null },
        ],
        langues: [{ code: 'EN', libelle: 'Anglais', niveau: 'intermediaire' }],
        permis: [{ code: 'B', libelle: 'Permis B (véhicule léger)' }],
        formations: [
          {
            intitule: 'Bac professionnel Commerce',
            domaine: 'Commerce',
            niveau: 'bac',
            anneeFin: 2010,
            diplomeObtenu: true,
            lieu: 'Rennes',
            etranger: false,
            description: null,
          },
        ],
        experiences: [
          {
            intitule: 'Vendeuse en prêt-à-porter',
            entreprise: 'Boutique Fictive',
            lieu: 'Rennes',
            dateDebut: '2012-09-01',
            dateFin: '2026-03-31',
            enPoste: false,
            description: 'Conseil, encaissement et mise en rayon.',
          },
        ],
        projet: {
          metiersRecherches: [{ codeRome: 'D1106', libelle: 'Vente en alimentation' }],
          zoneRecherche: { libelle: 'Rennes et 20 km autour', codePostal: '35000', rayonKm: 20 },
          typesContrat: ['CDI'],
          tempsTravail: 'temps_plein',
          disponibilite: { immediate: true, aPartirDu: null },
          salaireSouhaite: { montant: 22000, periode: 'annuel' },
        },
      },
    },
  },
  {
    summary:
      'Développeur en recherche de CDI, catégorie B, disponible dans quelques mois ; peu de formations, pas de permis.',
    line: {
      login: 'bac-a-sable.samir',
      password: SANDBOX_PASSWORD,
      claims: {
        given_name: 'Samir',
        family_name: 'Fictif',
        gender: 'male',
        birthdate: '1987-10-02',
        email: 'samir.fictif@bac-a-sable.invalid',
        email_verified: true,
      },
      data: {
        statut: statut('B', '2025-11-17'),
        competences: [
          {
            code: '104533',
            libelle: 'Développer une application web',
            type: 'savoir_faire',
            niveau: 'expert',
          },
        ],
        langues: [
          { code: 'AR', libelle: 'Arabe', niveau: 'bilingue' },
          { code: 'EN', libelle: 'Anglais', niveau: 'courant' },
        ],
        permis: [],
        formations: [],
        experiences: [
          {
            intitule: 'Développeur web',
            entreprise: null,
            lieu: 'Marseille',
            dateDebut: '2018-02-05',
            dateFin: null,
            enPoste: true,
            description: 'Missions en indépendant.',
          },
        ],
        projet: {
          metiersRecherches: [{ codeRome: 'M1805', libelle: 'Études et développement informatique' }],
          zoneRecherche: null,
          typesContrat: ['CDI', 'LIB'],
          tempsTravail: 'indifferent',
          disponibilite: { immediate: false, aPartirDu: '2027-03-01' },
          salaireSouhaite: null,
        },
      },
    },
  },
  {
    summary:
      'Jeune sans expérience, première inscription, catégorie A : profil presque vide, pour tester les données absentes.',
    line: {
      login: 'bac-a-sable.jade',
      password: SANDBOX_PASSWORD,
      claims: {
        given_name: 'Jade',
        family_name: 'Essai',
        birthdate: '2006-06-21',
        email: 'jade.essai@bac-a-sable.invalid',
        email_verified: false,
      },
      data: {
        statut: statut('A', '2026-09-01'),
        competences: [],
        langues: [],
        permis: [],
        formations: [],
        experiences: [],
      },
    },
  },
];

export const SANDBOX_LOGINS = SANDBOX_PERSONAS.map((p) => p.line.login);

/** Creates the personas that are missing (hashing only their passwords) and flags them all. */
export async function seedSandboxPersonas(pool: Pool, catalog: Catalog): Promise<void> {
  const { rows } = await pool.query<{ login: string }>('SELECT login FROM jobseekers WHERE login = ANY($1)', [
    SANDBOX_LOGINS,
  ]);
  const present = new Set(rows.map((r) => r.login));
  const schema = jobseekerLineSchema(catalog);
  for (const persona of SANDBOX_PERSONAS) {
    if (present.has(persona.line.login)) continue;
    // Another instance starting at the same moment may have just created it.
    await saveJobseeker(pool, schema.parse(persona.line)).catch((err) => {
      if ((err as { status?: number }).status !== 409) throw err;
    });
  }
  await pool.query('UPDATE jobseekers SET sandbox = true WHERE login = ANY($1) AND NOT sandbox', [
    SANDBOX_LOGINS,
  ]);
}

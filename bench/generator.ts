// Deterministic, realistic jobseekers for benchmarks: line `i` of seed `s` is always the same, whatever
// else is generated (each line has its own PRNG stream), so a million lines can be produced in a
// stream, in any order, and checked against the catalog's zod schema.

// mulberry32: tiny, fast, good enough for test data (not for anything secret).
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const GIVEN_F = [
  'Marie',
  'Camille',
  'Léa',
  'Chloé',
  'Inès',
  'Sarah',
  'Julie',
  'Manon',
  'Aïcha',
  'Sophie',
  'Nathalie',
  'Emma',
];
const GIVEN_M = [
  'Thomas',
  'Karim',
  'Lucas',
  'Nicolas',
  'Julien',
  'Mamadou',
  'Hugo',
  'Pierre',
  'Yanis',
  'Antoine',
  'Éric',
  'Louis',
];
const FAMILY = [
  'Martin',
  'Bernard',
  'Dubois',
  'Thomas',
  'Robert',
  'Richard',
  'Petit',
  'Durand',
  'Leroy',
  'Moreau',
  'Benali',
  'Nguyen',
  'Diallo',
  'Lefebvre',
  'Garcia',
  'Roux',
  'Fournier',
  'Girard',
  'Lambert',
  'Faure',
];
const CITIES = [
  ['Paris', '75011', 'Île-de-France'],
  ['Lyon', '69003', 'Auvergne-Rhône-Alpes'],
  ['Marseille', '13005', "Provence-Alpes-Côte d'Azur"],
  ['Toulouse', '31000', 'Occitanie'],
  ['Lille', '59000', 'Hauts-de-France'],
  ['Nantes', '44000', 'Pays de la Loire'],
  ['Strasbourg', '67000', 'Grand Est'],
  ['Rennes', '35000', 'Bretagne'],
  ['Bordeaux', '33000', 'Nouvelle-Aquitaine'],
  ['Dijon', '21000', 'Bourgogne-Franche-Comté'],
] as const;
const STREETS = [
  'rue des Lilas',
  'avenue Jean Jaurès',
  'rue de la République',
  'boulevard Victor Hugo',
  'place de la Mairie',
  'rue Pasteur',
];
const METIERS = [
  ['D1106', 'Vente en alimentation'],
  ['D1502', 'Management/gestion de rayon produits alimentaires'],
  ['M1805', 'Études et développement informatique'],
  ['J1501', 'Soins d’hygiène, de confort du patient'],
  ['N1103', 'Magasinage et préparation de commandes'],
  ['G1602', 'Personnel de cuisine'],
  ['F1603', 'Installation d’équipements sanitaires et thermiques'],
  ['M1607', 'Secrétariat'],
  ['K1303', 'Assistance auprès d’enfants'],
  ['H2909', 'Montage-assemblage mécanique'],
] as const;
const COMPETENCES = [
  ['100211', 'Accueillir une clientèle', 'savoir_faire'],
  ['120558', 'Gérer un stock', 'savoir_faire'],
  ['300122', 'Sens du service', 'savoir_etre'],
  ['104533', 'Développer une application web', 'savoir_faire'],
  ['121540', 'Réglementation hygiène et sécurité', 'savoir'],
  ['300135', 'Travail en équipe', 'savoir_etre'],
  ['117432', 'Préparer des commandes', 'savoir_faire'],
  ['122049', 'Logiciels de bureautique', 'savoir'],
  ['300101', 'Rigueur', 'savoir_etre'],
  ['108954', 'Encaisser des paiements', 'savoir_faire'],
] as const;
const LANGUES = [
  ['EN', 'Anglais'],
  ['ES', 'Espagnol'],
  ['DE', 'Allemand'],
  ['AR', 'Arabe'],
  ['IT', 'Italien'],
  ['PT', 'Portugais'],
] as const;
const PERMIS = [
  ['B', 'Permis B (véhicule léger)'],
  ['A2', 'Permis A2 (moto)'],
  ['C', 'Permis C (poids lourd)'],
  ['CACES', 'CACES R489 (chariots élévateurs)'],
] as const;
const FORMATIONS = [
  ['BTS Management commercial opérationnel', 'Commerce', 'bac_plus_2'],
  ['CAP Cuisine', 'Hôtellerie-restauration', 'cap_bep'],
  ['Baccalauréat professionnel Logistique', 'Transport-logistique', 'bac'],
  ['Licence professionnelle Métiers de l’informatique', 'Informatique', 'bac_plus_3'],
  ['Diplôme d’État d’aide-soignant', 'Santé', 'cap_bep'],
  ['Master Ressources humaines', 'Gestion', 'bac_plus_5'],
] as const;
const ENTREPRISES = [
  'Supermarché du Parc',
  'Boulangerie Martin',
  'Logistique Express',
  'Clinique des Tilleuls',
  'Restaurant Le Bistrot',
  'Atelier Mécanique Dupuis',
  null,
];
const LEVELS = ['debutant', 'intermediaire', 'expert', null] as const;
const LANGUE_LEVELS = ['debutant', 'intermediaire', 'courant', 'bilingue'] as const;
const CONTRATS = ['CDI', 'CDD', 'MIS', 'SAI', 'LIB'] as const;

export interface GeneratedJobseeker {
  login: string;
  password?: string;
  password_hash?: string;
  claims: Record<string, unknown>;
  data: Record<string, unknown>;
}

const ascii = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-');

/** The login of line `index`, whatever the seed's other choices: `<given>.<family>.<index>`. */
export function generateJobseeker(
  seed: number,
  index: number,
  password: { hash: string } | { clear: string } | undefined = undefined,
): GeneratedJobseeker {
  const random = mulberry32(Math.imul(seed ^ 0x9e3779b9, 2_654_435_761) ^ index);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const chance = (p: number) => random() < p;
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const date = (fromYear: number, toYear: number) =>
    `${int(fromYear, toYear)}-${String(int(1, 12)).padStart(2, '0')}-${String(int(1, 28)).padStart(2, '0')}`;
  const some = <T>(list: readonly T[], max: number) => {
    const count = int(0, max);
    return [...new Set(Array.from({ length: count }, () => pick(list)))];
  };

  const female = chance(0.5);
  const given = pick(female ? GIVEN_F : GIVEN_M);
  const family = pick(FAMILY);
  const [city, postcode, region] = pick(CITIES);
  const street = `${int(1, 120)} ${pick(STREETS)}`;
  const login = `${ascii(given)}.${ascii(family)}.${index}`;
  const claims: Record<string, unknown> = {
    given_name: given,
    family_name: family,
    gender: female ? 'female' : 'male',
    birthdate: date(1960, 2006),
    email: `${login}@example.fr`,
    email_verified: chance(0.8),
    ...(chance(0.7)
      ? { phone_number: `+33 6 ${int(10, 99)} ${int(10, 99)} ${int(10, 99)} ${int(10, 99)}` }
      : {}),
    ...(chance(0.6)
      ? {
          address: {
            formatted: `${street}\n${postcode} ${city}\nFrance`,
            street_address: street,
            postal_code: postcode,
            locality: city,
            region,
            country: 'France',
          },
        }
      : {}),
  };

  const registered = chance(0.9);
  const data: Record<string, unknown> = {
    statut: {
      codeStatutIndividu: registered ? '1' : '0',
      libelleStatutIndividu: registered ? "Demandeur d'emploi" : 'Non demandeur d’emploi',
      dateInscription: registered ? date(2020, 2026) : null,
      categorieInscription: registered ? pick(['A', 'B', 'C', 'D', 'E'] as const) : null,
    },
    competences: some(COMPETENCES, 6).map(([code, libelle, type]) => ({
      code,
      libelle,
      type,
      niveau: pick(LEVELS),
    })),
    langues: some(LANGUES, 2).map(([code, libelle]) => ({ code, libelle, niveau: pick(LANGUE_LEVELS) })),
    permis: some(PERMIS, 2).map(([code, libelle]) => ({ code, libelle })),
    formations: some(FORMATIONS, 2).map(([intitule, domaine, niveau]) => ({
      intitule,
      domaine,
      niveau,
      anneeFin: int(1995, 2025),
      diplomeObtenu: chance(0.8),
      lieu: pick(CITIES)[0],
      etranger: chance(0.05),
      description: null,
    })),
    experiences: Array.from({ length: int(0, 3) }, () => {
      const [, intitule] = pick(METIERS);
      const current = chance(0.2);
      return {
        intitule,
        entreprise: pick(ENTREPRISES),
        lieu: pick(CITIES)[0],
        dateDebut: date(2005, 2020),
        dateFin: current ? null : date(2021, 2025),
        enPoste: current,
        description: chance(0.3) ? 'Missions variées au sein d’une équipe de cinq personnes.' : null,
      };
    }),
    projet: {
      metiersRecherches: some(METIERS, 2).map(([codeRome, libelle]) => ({ codeRome, libelle })),
      zoneRecherche: chance(0.8)
        ? { libelle: `${city} et 30 km autour`, codePostal: postcode, rayonKm: 30 }
        : null,
      typesContrat: some(CONTRATS, 3),
      tempsTravail: pick(['temps_plein', 'temps_partiel', 'indifferent'] as const),
      disponibilite: chance(0.6)
        ? { immediate: true, aPartirDu: null }
        : { immediate: false, aPartirDu: date(2026, 2027) },
      salaireSouhaite: chance(0.5) ? { montant: int(20, 45) * 1000, periode: 'annuel' } : null,
    },
  };
  if (chance(0.6)) {
    data.indemnisation = {
      beneficiaireAssuranceChomage: chance(0.7),
      beneficiairePrestationSolidarite: chance(0.2),
    };
  }
  const secret =
    password === undefined
      ? { password: `mdp-${index}-${Math.floor(random() * 1e9).toString(36)}` }
      : 'hash' in password
        ? { password_hash: password.hash }
        : { password: password.clear };
  return { login, ...secret, claims, data };
}

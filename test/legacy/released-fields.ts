// Which consent releases which key of a legacy answer, and the check that an answer carries exactly
// the consented keys. The mapping is this suite's own reading of the spec (../shared/PECONNECT.md)
// against the catalog's fields as the README lists them (`<scope>.<field>`): the spec describes
// the legacy keys, the README the fields a jobseeker ticks; where the same datum has a legacy and a
// native name, one consent releases both (issue 14: "both shapes derived from one stored value").
import type { z } from 'zod';

/** Always released: the app's identifier for the person (openid `sub`) and metadata. */
export const ALWAYS = 'always';
type Source = string;

/**
 * A code and its label are one choice on the consent page (README, "Scopes and fields": travelsWith);
 * ticking either releases both. Written here from the catalog's documented pairs.
 */
const TRAVELLERS: [string, string][] = [
  ['statut.codeStatutIndividu', 'statut.libelleStatutIndividu'],
  ['competences.code', 'competences.libelle'],
  ['langues.code', 'langues.libelle'],
  ['permis.code', 'permis.libelle'],
  ['formations.domaineCode', 'formations.domaine'],
];

export function withTravellers(ticked: Iterable<string>): Set<string> {
  const out = new Set(ticked);
  for (const [a, b] of TRAVELLERS) {
    if (out.has(a)) out.add(b);
    if (out.has(b)) out.add(a);
  }
  return out;
}

export interface Release {
  /** legacy key → the catalog field whose consent releases it */
  from: Record<string, Source>;
  /** keys the spec shows as `null` in every sample: a withheld one may read `null` (it says nothing) */
  nullWhenWithheld?: string[];
}

/** §2.4 userinfo. `idIdentiteExterne` is an identifier like `sub` (same value in every sample). */
export const USERINFO: Release = {
  from: {
    sub: ALWAYS,
    idIdentiteExterne: ALWAYS,
    updated_at: ALWAYS,
    given_name: 'profile.given_name',
    family_name: 'profile.family_name',
    gender: 'profile.gender',
    email: 'email.email',
  },
};

/** §2.3: the personal claims of an id_token (the others are protocol claims). */
export const ID_TOKEN: Release = {
  from: {
    given_name: 'profile.given_name',
    family_name: 'profile.family_name',
    gender: 'profile.gender',
    birthdate: 'profile.birthdate',
    email: 'email.email',
    email_verified: 'email.email_verified',
    phone_number: 'phone.phone_number',
    address: 'address.address',
    // OIDC `name` is released with both names (README, scope `profile`): checked apart.
  },
};

/**
 * §4.1 coordonnées: the address lines, postcode, INSEE code, commune and country are the postal
 * address (catalog `address.address`); nom/prenom/email the identity and e-mail fields; the phones the
 * phone number; `statutValidationEmail` says whether the e-mail is confirmed (`email.email_verified`).
 */
export const COORDONNEES: Release = {
  from: {
    adresse1: 'address.address',
    adresse2: 'address.address',
    adresse3: 'address.address',
    adresse4: 'address.address',
    codePostal: 'address.address',
    codeINSEE: 'address.address',
    libelleCommune: 'address.address',
    codePays: 'address.address',
    libellePays: 'address.address',
    nom: 'profile.family_name',
    prenom: 'profile.given_name',
    email: 'email.email',
    telephone1: 'phone.phone_number',
    telephone2: 'phone.phone_number',
    statutValidationEmail: 'email.email_verified',
  },
};

/** §4.2 statut. */
export const STATUT: Release = {
  from: {
    codeStatutIndividu: 'statut.codeStatutIndividu',
    libelleStatutIndividu: 'statut.libelleStatutIndividu',
  },
};

/**
 * §4.3 état civil. [G]: the five members that are `null` in every sample are read as the civility
 * (gender), the birth and married names (family name) and the first name: released only with those
 * consents, `null` otherwise.
 */
export const ETAT_CIVIL: Release = {
  from: {
    dateDeNaissance: 'profile.birthdate',
    codeCivilite: 'profile.gender',
    libelleCivilite: 'profile.gender',
    nomPatronymique: 'profile.family_name',
    nomMarital: 'profile.family_name',
    prenom: 'profile.given_name',
  },
  nullWhenWithheld: ['codeCivilite', 'libelleCivilite', 'nomPatronymique', 'nomMarital', 'prenom'],
};

/**
 * §4.14 conseillers. The spec gives no consent model for the advisor (scope `individu`): each key is
 * the catalog's advisor field of that meaning (scope `conseillers`: the e-mail is `email`, the kind of
 * follow-up `role`).
 */
export const CONSEILLERS: Release = {
  from: {
    nom: 'conseillers.nom',
    prenom: 'conseillers.prenom',
    civilite: 'conseillers.civilite',
    mail: 'conseillers.email',
    type: 'conseillers.role',
  },
};

/** The catalog fields a release draws on: an API with none of them consented answers 401 (§5). */
export const sourcesOf = (release: Release) =>
  [...new Set(Object.values(release.from))].filter((s) => s !== ALWAYS);

export const anyConsented = (release: Release, consented: Set<string>) =>
  sourcesOf(release).some((s) => consented.has(s));

/**
 * The sources that oblige the API to answer: those of keys the spec gives a value for. A key that is
 * `null` in every sample (nullWhenWithheld) may stay `null` whatever the consent, so its source alone
 * leaves the API free to answer 200 with it or 401 with nothing.
 */
export const mustAnswer = (release: Release, consented: Set<string>) =>
  Object.entries(release.from).some(
    ([key, source]) => source !== ALWAYS && !release.nullWhenWithheld?.includes(key) && consented.has(source),
  );

/**
 * The problems of one answer object: keys outside the spec's shape or of the wrong type (the schema,
 * made partial: withheld keys are absent), keys released without their consent, and keys consented
 * and required by the spec but missing.
 */
export function releaseProblems(
  what: string,
  schema: z.ZodObject,
  release: Release,
  consented: Set<string>,
  value: unknown,
): string[] {
  const problems: string[] = [];
  const parsed = schema.partial().safeParse(value);
  if (!parsed.success)
    problems.push(`${what}: outside the spec's shape: ${parsed.error.issues.map(describe).join('; ')}`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return problems;
  const record = value as Record<string, unknown>;
  for (const [key, v] of Object.entries(record)) {
    const source = release.from[key];
    if (!source || source === ALWAYS || consented.has(source)) continue;
    if (v === null && release.nullWhenWithheld?.includes(key)) continue;
    problems.push(`${what}: « ${key} » released without consent to ${source}`);
  }
  for (const [key, member] of Object.entries(schema.shape)) {
    const source = release.from[key];
    if (!source || key in record) continue;
    const required = !(member as z.ZodType).safeParse(undefined).success;
    if (required && (source === ALWAYS || consented.has(source)))
      problems.push(
        `${what}: « ${key} » missing although ${source === ALWAYS ? 'always due' : `${source} is consented`}`,
      );
  }
  return problems;
}

const describe = (issue: z.core.$ZodIssue) =>
  `${issue.path.join('.') || '(root)'} ${issue.message}${'keys' in issue ? ` ${JSON.stringify(issue.keys)}` : ''}`;

/** §4.6 formations: each legacy key is the catalog field of the same name. */
export const FORMATIONS: Release = {
  from: Object.fromEntries(
    ['anneeFin', 'description', 'diplomeObtenu', 'domaine', 'etranger', 'intitule', 'lieu', 'niveau'].map(
      (k) => [k, `formations.${k}`],
    ),
  ),
};

/** §4.7 permis. */
export const PERMIS: Release = { from: { code: 'permis.code', libelle: 'permis.libelle' } };

/**
 * §4.8 compétences v2: `niveau` {code, libelle} and the S/Q/L `type` derive from the catalog's fields.
 * The catalog's `saisieLibre` (free entry) has no key of its own: it turns a `type` into `L` when both
 * are consented; consented alone, it releases nothing of this shape, and the API answers as for no
 * consent.
 */
export const COMPETENCES: Release = {
  from: {
    code: 'competences.code',
    libelle: 'competences.libelle',
    type: 'competences.type',
    niveau: 'competences.niveau',
  },
};

/** §4.9 langues. */
export const LANGUES: Release = {
  from: { code: 'langues.code', libelle: 'langues.libelle', niveau: 'langues.niveau' },
};

/**
 * §4.12 expériences. `date` {debut, fin} carries the start and end dates (checked member by member
 * in the test); `duree` is computed from both, so it needs both consents. [G]: `etranger` has no
 * catalog field in the README; read as `experiences.etranger`.
 */
export const EXPERIENCES: Release = {
  from: {
    intitule: 'experiences.intitule',
    entreprise: 'experiences.entreprise',
    lieu: 'experiences.lieu',
    enPoste: 'experiences.enPoste',
    description: 'experiences.description',
    etranger: 'experiences.etranger',
    date: ALWAYS,
    duree: ALWAYS,
  },
};

// What the legacy partner apps send and parse, as zod schemas written from ../shared/PECONNECT.md
// (the spec), never from our implementation: each schema cites its section and the confidence tag of
// the facts it relies on. Optionality is the spec's: a key the spec marks optional may be missing
// even when the jobseeker consented to it; consent filtering (released-fields.ts) is checked apart.
// Objects are strict: a key the spec does not list is an answer outside the contract, and possibly a
// field released without a consent the suite can check.
import { z } from 'zod';

/** §4.6, §4.8, §4.9: `niveau` / `domaine` objects are {code, libelle}, both strings. */
const codeLibelle = z.strictObject({ code: z.string(), libelle: z.string() });

/** ISO-8601 datetime with an offset (or Z), e.g. "1976-03-12T00:00:00+01:00" (§4.3 [C]). */
export const isoDateTimeWithOffset = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;
/** A datetime without an offset, as PERSP parses `LocalDateTime` (§4.12 [C] keys, [G] example). */
const localDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?$/;
/**
 * §2.4: `idIdentiteExterne` is a "string (UUID)" [C], the same value as `sub` in every sample. Any
 * 8-4-4-4-12 hex is accepted, not only RFC 4122 versions. IF stores it as `peExternalId`, validated by
 * shared/src/utils/uuid.ts `zUuidLike` (a string of at most 36 characters): a longer identifier
 * breaks IF's convention binding.
 */
const uuidLike = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// §2.1 and §2.2: the token endpoint.

/**
 * §2.2 response table: every field [C]. `refresh_token` is listed as present [C] (ESTIME, LBB and
 * PEC use it) although no maintained app asks for `offline_access`; `nonce` is the echo of the
 * authorize nonce, compared by the clients. `expires_in` is an integer of seconds, ≥ 1 (IF rejects an
 * expired token, AccessToken.schema.ts).
 */
export const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().regex(/^bearer$/i),
  expires_in: z.number().int().min(1),
  id_token: z.string().regex(/^[\w-]+\.[\w-]+\.[\w-]+$/),
  refresh_token: z.string().min(1),
  scope: z.string().min(1),
  nonce: z.string().min(1),
});

/** §2.2 "Errors (400, JSON {error, error_description})" and §5 last rows [C]. */
export const tokenErrorSchema = z.object({
  error: z.enum([
    'invalid_grant',
    'redirect_uri_mismatch',
    'invalid_client',
    'invalid_scope',
    'invalid_request',
  ]),
  error_description: z.string().min(1),
});

// §2.3: the id_token.

/**
 * §2.3 and §8.2: `iss`, `aud`, `azp` (= client_id), `realm` (`/individu`), `nonce`, `sub` [S]/[C];
 * `exp`, `iat` [G] (standard JWT). Personal claims (`given_name`, `family_name`, …) are checked
 * against the consent by released-fields.ts, so other claims pass through here.
 */
export const idTokenClaimsSchema = z
  .object({
    iss: z.string().min(1),
    sub: z.string().min(1),
    aud: z.union([z.string(), z.array(z.string())]),
    azp: z.string().min(1),
    realm: z.literal('/individu'),
    nonce: z.string().min(1),
    exp: z.number().int(),
    iat: z.number().int(),
    idIdentiteExterne: z.string().regex(uuidLike),
    given_name: z.string().min(1).optional(),
    family_name: z.string().min(1).optional(),
  })
  .passthrough();

/**
 * §2.3 "Discovery/JWKS": both paths serve an OpenID configuration [C] (exact URLs [S]). The members
 * here are the ones the apps that use discovery need (PIX through openid-client, LBB through
 * social-core): where to authorize, where to redeem, where the keys are. [G]: the spec does not
 * give the document's content; these are the OIDC Discovery 1.0 §3 REQUIRED members.
 */
export const discoverySchema = z
  .object({
    issuer: z.string().url(),
    authorization_endpoint: z.string().url(),
    token_endpoint: z.string().url(),
    jwks_uri: z.string().url(),
    response_types_supported: z.array(z.string()).refine((l) => l.includes('code'), 'code not supported'),
    subject_types_supported: z.array(z.string()),
    id_token_signing_alg_values_supported: z.array(z.string()),
  })
  .passthrough();

// §2.4 and §4: the resource APIs.

/**
 * §2.4 userinfo table: `sub` [C], `idIdentiteExterne` [C] (UUID), `given_name`, `family_name` [C],
 * `gender` enum male|female [C] (IF zod enum; PERSP throws on anything else), `email` optional [C],
 * `updated_at` epoch seconds [C] (present in the dumps; no maintained app reads it, so optional).
 */
export const userinfoSchema = z.strictObject({
  sub: z.string().min(1),
  idIdentiteExterne: z.string().regex(uuidLike),
  given_name: z.string().min(1),
  family_name: z.string().min(1),
  gender: z.enum(['male', 'female']),
  email: z.string().email().optional(),
  updated_at: z.number().int().min(0).optional(),
});

/**
 * §4.1 coordonnées: the address lines are string|null [C]; codePostal, codeINSEE, libelleCommune,
 * codePays, libellePays strings [C]; nom, prenom, email strings [C] (post-2023 contract, IF schema and
 * PEC); telephone1/telephone2 optional [S]; statutValidationEmail string [S] (`"V"` in the sample; its
 * other values are not in the spec, so any non-empty string).
 */
export const coordonneesSchema = z.strictObject({
  adresse1: z.string().nullable(),
  adresse2: z.string().nullable(),
  adresse3: z.string().nullable(),
  adresse4: z.string().nullable(),
  codePostal: z.string().regex(/^\d{5}$/),
  codeINSEE: z.string().regex(/^(?:\d{5}|2[AB]\d{3})$/),
  libelleCommune: z.string().min(1),
  codePays: z.string().min(1),
  libellePays: z.string().min(1),
  nom: z.string().min(1),
  prenom: z.string().min(1),
  email: z.string().email(),
  telephone1: z.string().optional(),
  telephone2: z.string().optional(),
  statutValidationEmail: z.string().min(1),
});

/**
 * §4.2 statut [C]: the code is "0" or "1" and the label is exactly « Non demandeur d’emploi » or
 * « Demandeur d’emploi » with U+2019 (IF's zod enum rejects any other apostrophe).
 */
export const statutSchema = z.strictObject({
  codeStatutIndividu: z.enum(['0', '1']),
  libelleStatutIndividu: z.enum(['Non demandeur d\u2019emploi', 'Demandeur d\u2019emploi']),
});
/** §4.2: "1" is « Demandeur d’emploi », "0" « Non demandeur d’emploi ». */
export const STATUT_LABELS = { '0': 'Non demandeur d\u2019emploi', '1': 'Demandeur d\u2019emploi' } as const;

/**
 * §4.3 état civil [C]: five string|null members (`null` in every sample) and `dateDeNaissance`, an
 * ISO-8601 datetime with an offset.
 */
export const etatCivilSchema = z.strictObject({
  codeCivilite: z.string().nullable(),
  libelleCivilite: z.string().nullable(),
  nomPatronymique: z.string().nullable(),
  nomMarital: z.string().nullable(),
  prenom: z.string().nullable(),
  dateDeNaissance: z.string().regex(isoDateTimeWithOffset),
});

/** §4.4 indemnisations [C]: two booleans. */
export const indemnisationSchema = z.strictObject({
  beneficiairePrestationSolidarite: z.boolean(),
  beneficiaireAssuranceChomage: z.boolean(),
});

/**
 * §4.6 formations: `diplomeObtenu`, `etranger` booleans [C]; `intitule` string (documented mandatory,
 * sometimes missing: optional here) [C]; `anneeFin` int, `description`, `lieu` strings, `domaine` and
 * `niveau` {code, libelle}, all optional [C]. `niveau.code` values [S]: NV1–NV5, AFS, CFG, CP4, C3A,
 * C12 (labels [G], not checked).
 */
export const formationSchema = z.strictObject({
  anneeFin: z.number().int().optional(),
  description: z.string().nullable().optional(),
  diplomeObtenu: z.boolean(),
  domaine: codeLibelle.nullable().optional(),
  etranger: z.boolean(),
  intitule: z.string().optional(),
  lieu: z.string().nullable().optional(),
  niveau: z
    .strictObject({
      code: z.enum(['NV1', 'NV2', 'NV3', 'NV4', 'NV5', 'AFS', 'CFG', 'CP4', 'C3A', 'C12']),
      libelle: z.string(),
    })
    .nullable()
    .optional(),
});

/** §4.7 permis [S]: `code` optional string, `libelle` string (the code repeated as a prefix). */
export const permisSchema = z.strictObject({ code: z.string().optional(), libelle: z.string().min(1) });

/**
 * §4.8 compétences v2: `code` numeric string or null [C] (AVRIL parses it as an integer), `libelle`
 * [C], `type` S|Q|L [S], `niveau` {code "1"–"3", libelle} optional [C shape, S enum].
 */
export const competenceSchema = z.strictObject({
  code: z.string().regex(/^\d+$/).nullable(),
  libelle: z.string().min(1),
  type: z.enum(['S', 'Q', 'L']),
  niveau: z
    .strictObject({ code: z.enum(['1', '2', '3']), libelle: z.string() })
    .nullable()
    .optional(),
});

/** §4.9 langues [S]: `code` optional, `libelle`, `niveau` {code "0"–"3", libelle} optional. */
export const langueSchema = z.strictObject({
  code: z.string().optional(),
  libelle: z.string().min(1),
  niveau: z
    .strictObject({ code: z.enum(['0', '1', '2', '3']), libelle: z.string() })
    .nullable()
    .optional(),
});

/**
 * §4.12 expériences: `date` {debut, fin} of offset-less datetimes, optional [C]; `description`,
 * `entreprise`, `lieu` optional strings; `duree` optional integer; `enPoste`, `etranger` booleans;
 * `intitule` string [C]. [G]: `fin` may be null for a job still held (not in the spec's example).
 */
export const experienceSchema = z.strictObject({
  date: z
    .strictObject({
      debut: z.string().regex(localDateTime).optional(),
      fin: z.string().regex(localDateTime).nullable().optional(),
    })
    .optional(),
  description: z.string().nullable().optional(),
  duree: z.number().int().nullable().optional(),
  enPoste: z.boolean(),
  entreprise: z.string().nullable().optional(),
  etranger: z.boolean(),
  intitule: z.string().min(1),
  lieu: z.string().nullable().optional(),
});

/**
 * §4.14 conseillers [S] (IF, consistent over four years): nom, prenom, civilite "1"|"2", mail,
 * type PLACEMENT|CAPEMPLOI|INDEMNISATION. IF's schema requires every member.
 */
export const conseillerSchema = z.strictObject({
  nom: z.string().min(1),
  prenom: z.string().min(1),
  civilite: z.enum(['1', '2']),
  mail: z.string().email(),
  type: z.enum(['PLACEMENT', 'CAPEMPLOI', 'INDEMNISATION']),
});

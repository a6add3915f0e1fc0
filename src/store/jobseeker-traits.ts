// What recommendations may know of a jobseeker: a few traits read from their own profile, inside the
// provider. Pure: it takes the profile as stored and returns plain values, so the rule can be tested
// over synthetic people and nothing here can reach an app, the network or the access log.
import { NOT_REGISTERED } from './audience.ts';
import { regionOfPostcode } from './regions.ts';

export interface JobseekerTraits {
  /** target jobs (projet.metiersRecherches) */
  targetJobs: { code: string; label: string }[];
  /** INSEE region of the search area, else of the postal address */
  region?: { code: string; from: 'zone' | 'address' };
  /** A–E, or non_inscrit; undefined when the profile does not say */
  status?: string;
  /** highest level among the diplomas obtained */
  trainingLevel?: string;
  contractTypes: string[];
  availableNow?: boolean;
  skills: { code: string; label: string }[];
}

// The order of the formations scope's levels, lowest first.
const LEVELS = [
  'infra_cap',
  'cap_bep',
  'bac',
  'bac_plus_2',
  'bac_plus_3',
  'bac_plus_4',
  'bac_plus_5',
  'doctorat',
];

const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

export function jobseekerTraits(
  data: Record<string, unknown>,
  claims: Record<string, unknown> = {},
): JobseekerTraits {
  const projet = obj(data.projet);
  const statut = obj(data.statut);
  const targetJobs = arr(projet.metiersRecherches).flatMap((j) => {
    const code = str(obj(j).codeRome)?.toUpperCase();
    return code ? [{ code, label: str(obj(j).libelle) ?? code }] : [];
  });
  const zoneRegion = regionOfPostcode(obj(projet.zoneRecherche).codePostal);
  const addressRegion = regionOfPostcode(obj(claims.address).postal_code);
  const region = zoneRegion
    ? { code: zoneRegion, from: 'zone' as const }
    : addressRegion
      ? { code: addressRegion, from: 'address' as const }
      : undefined;
  const status =
    statut.codeStatutIndividu === '0' ? NOT_REGISTERED : (str(statut.categorieInscription) ?? undefined);
  const obtained = arr(data.formations)
    .map(obj)
    .filter((f) => f.diplomeObtenu === true)
    .map((f) => LEVELS.indexOf(String(f.niveau)))
    .filter((i) => i >= 0);
  const trainingLevel = obtained.length ? LEVELS[Math.max(...obtained)] : undefined;
  const disponibilite = obj(projet.disponibilite);
  return {
    targetJobs,
    region,
    status,
    trainingLevel,
    contractTypes: arr(projet.typesContrat).filter((t): t is string => typeof t === 'string'),
    availableNow: typeof disponibilite.immediate === 'boolean' ? disponibilite.immediate : undefined,
    skills: arr(data.competences).flatMap((c) => {
      const code = str(obj(c).code);
      return code ? [{ code, label: str(obj(c).libelle) ?? code }] : [];
    }),
  };
}

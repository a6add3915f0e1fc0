// An app's declared audience: who it is for, stated at registration (by the app, later through the
// developer portal) and vetted by an admin before recommendations use it. Each criterion is a list of
// accepted values; a jobseeker is in the audience when every declared criterion matches (AND between
// criteria, OR within one). The accepted values come from the scope catalog's own enums, so an
// audience can only name what a profile can hold.
import { z } from 'zod';
import type { Catalog } from '../catalog/load-catalog.ts';
import { REGIONS } from './regions.ts';

export interface Audience {
  /** ROME: a grand domaine (D), a domaine (D11) or a code (D1106), matched against target jobs */
  rome?: string[];
  /** INSEE region codes, matched against the search area (or the address) */
  regions?: string[];
  /** registration categories A–E, or non_inscrit */
  statuses?: string[];
  /** highest diploma obtained, from the formations scope's levels */
  training_levels?: string[];
  /** contract types the jobseeker accepts, from the projet scope */
  contract_types?: string[];
  /** only jobseekers available at once */
  available_now?: boolean;
  /** skill codes from the competences scope */
  skills?: string[];
}

export const AUDIENCE_CRITERIA = [
  'rome',
  'regions',
  'statuses',
  'training_levels',
  'contract_types',
  'available_now',
  'skills',
] as const satisfies readonly (keyof Audience)[];

export const NOT_REGISTERED = 'non_inscrit';

/** The enum of a field of the catalog, or of the items of a list field. */
export function catalogEnum(catalog: Catalog, scope: string, field: string) {
  const def = catalog.byId.get(scope)?.fields.find((f) => f.id === field);
  const items = def?.items as { enum?: string[]; enumLabels?: Record<string, string> } | undefined;
  return {
    values: def?.enum ?? items?.enum ?? [],
    labels: def?.enumLabels ?? items?.enumLabels ?? {},
  };
}

export function audienceVocabulary(catalog: Catalog) {
  const statuses = catalogEnum(catalog, 'statut', 'categorieInscription');
  return {
    statuses: {
      values: [...statuses.values, NOT_REGISTERED],
      labels: { ...statuses.labels, [NOT_REGISTERED]: 'Non inscrit comme demandeur d’emploi' },
    },
    trainingLevels: catalogEnum(catalog, 'formations', 'niveau'),
    contractTypes: catalogEnum(catalog, 'projet', 'typesContrat'),
    regions: { values: Object.keys(REGIONS), labels: REGIONS },
  };
}

const list = (values: readonly string[], what: string) =>
  z
    .array(z.string().trim())
    .max(50)
    .transform((l) => [...new Set(l)].sort())
    .refine((l) => l.every((v) => values.includes(v)), `${what} inconnu (valeurs : ${values.join(', ')})`)
    .optional();

/** zod schema of a declared audience; empty lists are dropped, an audience without a criterion is null. */
export function audienceSchema(catalog: Catalog) {
  const v = audienceVocabulary(catalog);
  return z
    .object({
      rome: z
        .array(
          z
            .string()
            .trim()
            .toUpperCase()
            .regex(/^[A-N](\d{2}(\d{2})?)?$/, 'code ROME attendu : D, D11 ou D1106'),
        )
        .max(50)
        .transform((l) => [...new Set(l)].sort())
        .optional(),
      regions: list(v.regions.values, 'code de région'),
      statuses: list(v.statuses.values, 'situation'),
      training_levels: list(v.trainingLevels.values, 'niveau de formation'),
      contract_types: list(v.contractTypes.values, 'type de contrat'),
      available_now: z.boolean().optional(),
      skills: z
        .array(
          z
            .string()
            .trim()
            .regex(/^\d{3,8}$/, 'code de compétence attendu (chiffres)'),
        )
        .max(50)
        .transform((l) => [...new Set(l)].sort())
        .optional(),
    })
    .strict()
    .nullish()
    .transform((a): Audience | null => {
      if (!a) return null;
      const kept: Audience = {};
      for (const key of AUDIENCE_CRITERIA) {
        const value = a[key];
        if (Array.isArray(value) ? value.length : value === true) Object.assign(kept, { [key]: value });
      }
      return Object.keys(kept).length ? kept : null;
    });
}

/** How many criteria an audience declares (the recommendation's rank key, see recommend.ts). */
export const criteriaCount = (audience: Audience | null | undefined): number =>
  audience ? AUDIENCE_CRITERIA.filter((k) => audience[k] !== undefined).length : 0;

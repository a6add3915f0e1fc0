// The legacy resource APIs served under /partenaire (PECONNECT.md §2.4, §4). Which native fields each
// is made of, and its technical scope, are in the scope files (legacy.apis in scopes/*.yaml, one
// source of truth with the consent texts); how its shape is derived from them is one pure function
// per API here. legacyApis() joins the two at start-up and refuses any mismatch, so a renamed field
// or path stops the server instead of silently dropping out of an answer.
import type { Catalog } from '../catalog/load-catalog.ts';
import { SUBJECT_FIELD, sharedDataFields } from '../consents/consent-fields.ts';
import type { LegacyBody, LegacySource } from './legacy-source.ts';
import { mapCompetences, mapLangues } from './map-competences.ts';
import { mapCoordonnees } from './map-coordonnees.ts';
import { mapConseillers, mapExperiences } from './map-experiences.ts';
import { mapFormations, mapPermis } from './map-formations.ts';
import { mapUserinfo } from './map-individu.ts';
import { mapEtatCivil, mapIndemnisation, mapStatut } from './map-statut.ts';

export interface LegacyApi {
  /** the path under /partenaire */
  path: string;
  /** the technical scope legacy apps request to call it (PECONNECT.md §3) */
  technicalScope: string;
  /** the data scope whose stored value it reads, or null when it is made of OIDC claims */
  dataScope: string | null;
  /** the native fields ('scope.field') it is made of, as the scope files declare them */
  sources: readonly string[];
  /** answered even when none of `sources` but the sub is released, as long as the token covers openid */
  openidOnly?: boolean;
  map(source: LegacySource): LegacyBody;
}

type Mapping = Pick<LegacyApi, 'dataScope' | 'openidOnly' | 'map'>;

/** How each path is derived; which fields it is made of is in scopes/*.yaml (legacy.apis). */
export const LEGACY_MAPPINGS: Readonly<Record<string, Mapping>> = {
  'peconnect-individu/v1/userinfo': { dataScope: null, openidOnly: true, map: mapUserinfo },
  'peconnect-coordonnees/v1/coordonnees': { dataScope: null, map: mapCoordonnees },
  'peconnect-statut/v1/statut': { dataScope: 'statut', map: mapStatut },
  'peconnect-datenaissance/v1/etat-civil': { dataScope: null, map: mapEtatCivil },
  'peconnect-indemnisations/v1/indemnisation': { dataScope: 'indemnisation', map: mapIndemnisation },
  'peconnect-formations/v1/formations': { dataScope: 'formations', map: mapFormations },
  // ITOU declares /permits, PERSP calls /permis (PECONNECT.md §4.7): both are served.
  'peconnect-formations/v1/permis': { dataScope: 'permis', map: mapPermis },
  'peconnect-formations/v1/permits': { dataScope: 'permis', map: mapPermis },
  'peconnect-competences/v2/competences': { dataScope: 'competences', map: mapCompetences },
  'peconnect-competences/v2/langues': { dataScope: 'langues', map: mapLangues },
  'peconnect-experiences/v1/experiences': { dataScope: 'experiences', map: mapExperiences },
  'peconnect-conseillers/v1/contactspe/conseillers': { dataScope: 'conseillers', map: mapConseillers },
};

/**
 * The legacy APIs: each path the scope files declare (legacy.apis), with the fields every file adds
 * to it and its mapping. Throws — stopping the start — when a declared path has no mapping or a
 * mapping no declaration, when files disagree on its technical scope, or when a data API names a
 * field of another scope (it reads one stored value) or a claims API a data field.
 */
export function legacyApis(catalog: Catalog): LegacyApi[] {
  const declared = new Map<string, { technicalScope: string; sources: string[]; file: string }>();
  for (const scope of catalog.scopes) {
    for (const decl of scope.legacy?.apis ?? []) {
      const entry = declared.get(decl.path) ?? {
        technicalScope: decl.technical_scope,
        sources: [],
        file: scope.file,
      };
      if (entry.technicalScope !== decl.technical_scope) {
        throw new Error(
          `${scope.file}: legacy.apis: ${decl.path} is ${decl.technical_scope} here but ${entry.technicalScope} in ${entry.file}`,
        );
      }
      entry.sources.push(...decl.fields.map((id) => `${scope.id}.${id}`));
      declared.set(decl.path, entry);
    }
  }
  for (const path of Object.keys(LEGACY_MAPPINGS)) {
    if (!declared.has(path)) throw new Error(`legacy API ${path}: no scope file declares it (legacy.apis)`);
  }
  return [...declared].map(([path, { technicalScope, sources, file }]) => {
    const mapping = LEGACY_MAPPINGS[path];
    if (!mapping) throw new Error(`${file}: legacy.apis: no mapping for ${path} (src/legacy-api)`);
    for (const key of sources) {
      const found = catalog.field(key) as NonNullable<ReturnType<Catalog['field']>>;
      const fits =
        mapping.dataScope === null ? found.scope.kind === 'oidc' : found.scope.id === mapping.dataScope;
      if (!fits) {
        throw new Error(
          `${found.scope.file}: legacy.apis: ${path} reads ${mapping.dataScope ?? 'the OIDC claims'}, not ${key}`,
        );
      }
    }
    return { path, technicalScope, sources, ...mapping };
  });
}

/** The scope a native field key belongs to: 'competences.code' → 'competences'. */
export const scopeOf = (key: string) => key.slice(0, key.indexOf('.'));

/**
 * The native fields of an API that may leave with this request: consented now, in a scope the
 * token covers and the app is still registered for. Pure.
 */
export function releasedFields(
  api: Pick<LegacyApi, 'sources'>,
  caller: {
    consentFields: readonly string[];
    tokenScopes: ReadonlySet<string>;
    registeredScopes: ReadonlySet<string>;
  },
): Set<string> {
  const consented = new Set(caller.consentFields);
  return new Set(
    api.sources.filter((key) => {
      const scope = scopeOf(key);
      return consented.has(key) && caller.tokenScopes.has(scope) && caller.registeredScopes.has(scope);
    }),
  );
}

/**
 * Why a read that releases nothing of the API is refused, or undefined when it is served. An app
 * registered for none of the scopes the API is made of never subscribed to it: 403
 * insufficient_scope (RFC 6750 §3.1). Otherwise the token releases nothing of it at this moment (not
 * asked for, refused, narrowed, or the registration narrowed): the legacy server's "wrong-scope
 * token", a 401 (PECONNECT.md §5), which these apps treat as access refused. The userinfo API is
 * served whenever the pairwise sub is released (the token covers openid). Pure.
 */
export function legacyRefusal(
  api: Pick<LegacyApi, 'path' | 'sources' | 'openidOnly'>,
  released: ReadonlySet<string>,
  registeredScopes: ReadonlySet<string>,
): { status: 401 | 403; error: string; description: string } | undefined {
  const served = api.openidOnly ? released.has(SUBJECT_FIELD) : sharedDataFields([...released]).length > 0;
  if (served) return undefined;
  if (api.sources.some((key) => registeredScopes.has(scopeOf(key)))) {
    return {
      status: 401,
      error: 'invalid_token',
      description: `the access token releases no field of ${api.path}: none was consented to, or the consent no longer covers any`,
    };
  }
  return {
    status: 403,
    error: 'insufficient_scope',
    description: `the application is not registered for any scope of ${api.path}`,
  };
}

/** The native fields sent, by scope, for the access log (the pairwise sub always goes: not listed). */
export function readsByScope(released: ReadonlySet<string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const key of released) {
    if (key === SUBJECT_FIELD) continue;
    const scope = scopeOf(key);
    out.set(scope, [...(out.get(scope) ?? []), key.slice(scope.length + 1)]);
  }
  return out;
}

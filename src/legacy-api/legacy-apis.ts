// The legacy resource APIs served under /partenaire (PECONNECT.md §2.4, §4): for each, its path, the
// technical scope legacy apps request for it, the data scope whose stored value it reads (or the OIDC
// claims), the native fields it is made of and the pure function that derives its shape. The paths
// and field lists are checked against the catalog at start-up (legacyApis), so a renamed field stops
// the server instead of silently dropping out of an answer.
import type { Catalog } from '../catalog/load-catalog.ts';
import type { LegacyBody, LegacySource } from './legacy-source.ts';
import { competencesSources, languesSources, mapCompetences, mapLangues } from './map-competences.ts';
import { coordonneesSources, mapCoordonnees } from './map-coordonnees.ts';
import { conseillersSources, experiencesSources, mapConseillers, mapExperiences } from './map-experiences.ts';
import { formationsSources, mapFormations, mapPermis, permisSources } from './map-formations.ts';
import { mapUserinfo, userinfoSources } from './map-individu.ts';
import {
  etatCivilSources,
  indemnisationSources,
  mapEtatCivil,
  mapIndemnisation,
  mapStatut,
  statutSources,
} from './map-statut.ts';

export interface LegacyApi {
  /** the paths under /partenaire that serve it (formations/v1/permis is also served as /permits) */
  paths: string[];
  /** the technical scope legacy apps request to call it (PECONNECT.md §3) */
  technicalScope: string;
  /** the data scope whose stored value it reads, or null when it is made of OIDC claims */
  dataScope: string | null;
  /** the native fields ('scope.field') it is made of */
  sources: readonly string[];
  /** answered even when none of `sources` is released, as long as the token covers openid (userinfo) */
  openidOnly?: boolean;
  map(source: LegacySource): LegacyBody;
}

export const LEGACY_APIS: readonly LegacyApi[] = [
  {
    paths: ['peconnect-individu/v1/userinfo'],
    technicalScope: 'api_peconnect-individuv1',
    dataScope: null,
    sources: ['openid.sub', ...userinfoSources],
    openidOnly: true,
    map: mapUserinfo,
  },
  {
    paths: ['peconnect-coordonnees/v1/coordonnees'],
    technicalScope: 'api_peconnect-coordonneesv1',
    dataScope: null,
    sources: coordonneesSources,
    map: mapCoordonnees,
  },
  {
    paths: ['peconnect-statut/v1/statut'],
    technicalScope: 'api_peconnect-statutv1',
    dataScope: 'statut',
    sources: statutSources,
    map: mapStatut,
  },
  {
    paths: ['peconnect-datenaissance/v1/etat-civil'],
    technicalScope: 'api_peconnect-datenaissancev1',
    dataScope: null,
    sources: etatCivilSources,
    map: mapEtatCivil,
  },
  {
    paths: ['peconnect-indemnisations/v1/indemnisation'],
    technicalScope: 'api_peconnect-indemnisationsv1',
    dataScope: 'indemnisation',
    sources: indemnisationSources,
    map: mapIndemnisation,
  },
  {
    paths: ['peconnect-formations/v1/formations'],
    technicalScope: 'api_peconnect-formationsv1',
    dataScope: 'formations',
    sources: formationsSources,
    map: mapFormations,
  },
  {
    // ITOU declares /permits, PERSP calls /permis (PECONNECT.md §4.7): both are served.
    paths: ['peconnect-formations/v1/permis', 'peconnect-formations/v1/permits'],
    technicalScope: 'api_peconnect-formationsv1',
    dataScope: 'permis',
    sources: permisSources,
    map: mapPermis,
  },
  {
    paths: ['peconnect-competences/v2/competences'],
    technicalScope: 'api_peconnect-competencesv2',
    dataScope: 'competences',
    sources: competencesSources,
    map: mapCompetences,
  },
  {
    paths: ['peconnect-competences/v2/langues'],
    technicalScope: 'api_peconnect-competencesv2',
    dataScope: 'langues',
    sources: languesSources,
    map: mapLangues,
  },
  {
    paths: ['peconnect-experiences/v1/experiences'],
    technicalScope: 'api_peconnect-experiencesv1',
    dataScope: 'experiences',
    sources: experiencesSources,
    map: mapExperiences,
  },
  {
    paths: ['peconnect-conseillers/v1/contactspe/conseillers'],
    technicalScope: 'api_peconnect-conseillersv1',
    dataScope: 'conseillers',
    sources: conseillersSources,
    map: mapConseillers,
  },
];

/** The table, after checking every field it names against the catalog. */
export function legacyApis(catalog: Catalog): readonly LegacyApi[] {
  for (const api of LEGACY_APIS) {
    for (const key of api.sources) {
      const found = catalog.field(key);
      if (!found) throw new Error(`legacy API ${api.paths[0]}: no catalog field ${key}`);
      if (api.dataScope !== null && found.scope.id !== api.dataScope) {
        throw new Error(`legacy API ${api.paths[0]}: ${key} is not in scope ${api.dataScope}`);
      }
      if (api.dataScope === null && found.scope.kind !== 'oidc') {
        throw new Error(`legacy API ${api.paths[0]}: ${key} is not an OIDC claim`);
      }
    }
  }
  return LEGACY_APIS;
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

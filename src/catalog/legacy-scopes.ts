// The two vocabularies of scopes, one catalog. Apps written for Pôle emploi Connect send its strings
// (PECONNECT.md §3): a technical scope per API (api_peconnect-statutv1), applicative scopes that
// release data (statut, pfccompetences, coordonnees…), application_<client_id>, and qos_<tier>_<api>
// tiers. Each scope file names its legacy scopes (`legacy:` in scopes/*.yaml); this turns any request,
// in either vocabulary or both, into the catalog scopes — and so the consent blocks and fields — it
// asks for. Guarantees:
// - a legacy scope releases exactly the fields of the files that name it, never more: consent is
//   still asked and recorded per field of those scopes, by the one consent engine;
// - a technical scope, application_<the app's own id> and qos_* release nothing (they are accepted
//   so that an unchanged app is not refused; what they meant at Pôle emploi — API subscription,
//   quota — is our app registration and rate limits);
// - a string neither vocabulary knows is reported, so the caller refuses it (invalid_scope, as the
//   legacy server did: "scope inconnu").
import type { ScopeDef } from './catalog-schema.ts';

/** OAuth scopes that are permissions, not catalog data: left to oidc-provider as they are. */
const PERMISSIONS = new Set(['offline_access']);
const QOS = /^qos_[A-Za-z0-9]+_[A-Za-z0-9_-]+$/;
const APPLICATION = /^application_(.+)$/;

export interface LegacyIndex {
  /** legacy applicative scope → the catalog scope ids whose fields it releases, in catalog order */
  scopes: ReadonlyMap<string, readonly string[]>;
  /** every technical scope (api_<api><version>) some file declares */
  technicalScopes: ReadonlySet<string>;
}

export interface ResolvedScopes {
  /** catalog scope ids asked for, in catalog (consent page) order */
  scopes: string[];
  /** every '<scope>.<field>' those scopes hold */
  fields: string[];
  /** permissions kept as they are (offline_access) */
  permissions: string[];
  /** technical scopes, application_<own id> and qos_* seen: accepted, release nothing */
  ignored: string[];
  /** strings neither vocabulary knows (including application_<another app's id>) */
  unknown: string[];
  /** whether any string was Pôle emploi Connect vocabulary only */
  legacy: boolean;
}

/** Names as they must be unique across files: a legacy name may not be another file's catalog id. */
export function buildLegacyIndex(
  scopes: readonly ScopeDef[],
  fail: (file: string, fieldPath: string, message: string) => never,
): LegacyIndex {
  const ids = new Map(scopes.map((s) => [s.id, s]));
  const byName = new Map<string, string[]>();
  const technical = new Set<string>();
  for (const scope of scopes) {
    (scope.legacy?.scopes ?? []).forEach((name, i) => {
      const owner = ids.get(name);
      // `statut` may name statut.yaml itself; naming another file would make one string mean two things.
      if (owner && owner !== scope) {
        fail(scope.file, `legacy.scopes[${i}]`, `"${name}" is the id of the scope in ${owner.file}`);
      }
      byName.set(name, [...(byName.get(name) ?? []), scope.id]);
    });
    for (const name of scope.legacy?.technical_scopes ?? []) technical.add(name);
  }
  return { scopes: byName, technicalScopes: technical };
}

/**
 * The catalog scopes a request asks for, whatever its vocabulary. `requested` is a scope parameter
 * (space-separated) or its words; `clientId`, when known, is the only application_<id> accepted.
 */
export function resolveScopes(
  catalogScopes: readonly ScopeDef[],
  index: LegacyIndex,
  requested: string | Iterable<string>,
  clientId?: string,
): ResolvedScopes {
  const words = typeof requested === 'string' ? requested.split(' ') : [...requested];
  const asked = new Set<string>();
  const out: ResolvedScopes = {
    scopes: [],
    fields: [],
    permissions: [],
    ignored: [],
    unknown: [],
    legacy: false,
  };
  const ids = new Set(catalogScopes.map((s) => s.id));
  for (const word of new Set(words.filter(Boolean))) {
    const application = APPLICATION.exec(word);
    const legacyIds = index.scopes.get(word);
    // A legacy name that is also a catalog id (statut) releases that scope either way.
    if (ids.has(word) || legacyIds) {
      if (ids.has(word)) asked.add(word);
      else out.legacy = true;
      for (const id of legacyIds ?? []) asked.add(id);
    } else if (PERMISSIONS.has(word)) out.permissions.push(word);
    else if (
      index.technicalScopes.has(word) ||
      QOS.test(word) ||
      (application && (clientId === undefined || application[1] === clientId))
    ) {
      out.ignored.push(word);
      out.legacy = true;
    } else out.unknown.push(word);
  }
  for (const scope of catalogScopes) {
    if (!asked.has(scope.id)) continue;
    out.scopes.push(scope.id);
    out.fields.push(...scope.fields.map((f) => `${scope.id}.${f.id}`));
  }
  return out;
}

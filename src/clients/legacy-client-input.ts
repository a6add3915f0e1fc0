// What an app registered for Pôle emploi Connect brings along, so that its configuration keeps working:
// - its client identifier, of the form PAR_<app>_<64 hex> (PECONNECT.md §2.1, §6), chosen by the
//   operator instead of a generated one — checked for that form and for uniqueness;
// - its allowed scopes and purposes in Pôle emploi Connect's words (coordonnees, pfccompetences,
//   api_peconnect-individuv1…): stored as the catalog scopes they release, so that one set of rules
//   (client-rules.ts), one consent page and one API check apply. A legacy name in `purposes` gives
//   its purpose to each catalog data scope it releases (unless that scope has its own).
import type { Catalog } from '../catalog/load-catalog.ts';
import { clientValidationError } from './client-rules.ts';

export const LEGACY_CLIENT_ID = /^PAR_[a-z0-9][a-z0-9-]{0,62}_[0-9a-f]{64}$/;

/** Why a client identifier chosen by an operator is refused, or undefined. */
export function chosenClientIdProblem(id: string): string | undefined {
  if (LEGACY_CLIENT_ID.test(id)) return undefined;
  return 'doit avoir la forme Pôle emploi Connect PAR_<application>_<64 chiffres hexadécimaux en minuscules> (l’application en minuscules, chiffres ou -) ; laissez-le vide pour en obtenir un nouveau';
}

export function chosenClientId(id: string): string {
  const problem = chosenClientIdProblem(id);
  if (problem) throw clientValidationError([{ path: ['client_id'], message: problem }]);
  return id;
}

/**
 * Scopes and purposes with every Pôle emploi Connect name replaced by the catalog scopes it releases.
 * Technical scopes, qos_* and application_* release nothing and are dropped; unknown strings are
 * kept, so that the rules refuse them by name.
 */
export function inCatalogWords(
  catalog: Catalog,
  scopes: readonly string[],
  purposes: Readonly<Record<string, string>> = {},
): { scopes: string[]; purposes: Record<string, string> } {
  const resolved = catalog.resolveScopes(scopes);
  // A registration in the catalog's own words is kept exactly as written (its order too).
  if (!resolved.legacy) return { scopes: [...scopes], purposes: { ...purposes } };
  const out: Record<string, string> = {};
  for (const [name, purpose] of Object.entries(purposes)) {
    // Purposes belong to data scopes: a legacy name gives its purpose to the data scopes it releases
    // (coordonnees releases only OIDC ones, which need none); a catalog name is kept for the rules.
    const native = catalog.byId.has(name) || !catalog.legacy.scopes.has(name);
    const ids = native
      ? [name]
      : (catalog.legacy.scopes.get(name) ?? []).filter((id) => catalog.byId.get(id)?.kind === 'data');
    for (const id of ids) if (native || out[id] === undefined) out[id] = purpose;
  }
  return {
    scopes: [...resolved.scopes, ...resolved.permissions, ...resolved.unknown],
    purposes: out,
  };
}

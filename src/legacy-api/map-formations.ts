// peconnect-formations/v1/formations and /permis (PECONNECT.md §4.6–4.7).
import { asItems, coded, type LegacySource, put, text } from './legacy-source.ts';

const f = (id: string) => `formations.${id}`;
// France Travail's education levels (NV1 Bac + 5 and over … NV5 CAP/BEP). The catalog's levels are
// finer above the bac and coarser below the CAP: doctorat and bac + 5 are both NV1, bac + 3 and + 4
// both NV2, and "sans diplôme ou avant le CAP" is CFG, the level below the CAP (docs/LEGACY-APIS.md).
export const NIVEAUX_FORMATION: Readonly<Record<string, { code: string; libelle: string }>> = {
  doctorat: { code: 'NV1', libelle: 'Bac+5 et plus ou équivalents' },
  bac_plus_5: { code: 'NV1', libelle: 'Bac+5 et plus ou équivalents' },
  bac_plus_4: { code: 'NV2', libelle: 'Bac+3, Bac+4 ou équivalents' },
  bac_plus_3: { code: 'NV2', libelle: 'Bac+3, Bac+4 ou équivalents' },
  bac_plus_2: { code: 'NV3', libelle: 'Bac+2 ou équivalents' },
  bac: { code: 'NV4', libelle: 'Bac ou équivalent' },
  cap_bep: { code: 'NV5', libelle: 'CAP, BEP ou équivalents' },
  infra_cap: { code: 'CFG', libelle: 'Niveau inférieur au CAP' },
};

const bool = (v: unknown) => (typeof v === 'boolean' ? v : null);
const int = (v: unknown) => (Number.isInteger(v) ? v : null);

export function mapFormations(source: LegacySource): Record<string, unknown>[] {
  const { released } = source;
  return asItems(source.data).map((item) => {
    const out: Record<string, unknown> = {};
    put(out, released, f('anneeFin'), 'anneeFin', () => int(item.anneeFin));
    put(out, released, f('description'), 'description', () => text(item.description));
    put(out, released, f('diplomeObtenu'), 'diplomeObtenu', () => bool(item.diplomeObtenu));
    // The code travels with the domain (scopes/formations.yaml): released with it.
    put(out, released, f('domaine'), 'domaine', () =>
      text(item.domaine) === null
        ? null
        : { code: released.has(f('domaineCode')) ? text(item.domaineCode) : null, libelle: item.domaine },
    );
    put(out, released, f('etranger'), 'etranger', () => bool(item.etranger));
    put(out, released, f('intitule'), 'intitule', () => text(item.intitule));
    put(out, released, f('lieu'), 'lieu', () => text(item.lieu));
    put(out, released, f('niveau'), 'niveau', () => coded(NIVEAUX_FORMATION, item.niveau));
    return out;
  });
}

export function mapPermis(source: LegacySource): Record<string, unknown>[] {
  return asItems(source.data).map((item) => {
    const out: Record<string, unknown> = {};
    put(out, source.released, 'permis.code', 'code', () => text(item.code));
    put(out, source.released, 'permis.libelle', 'libelle', () => text(item.libelle));
    return out;
  });
}

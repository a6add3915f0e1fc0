// peconnect-competences/v2/competences and /langues (PECONNECT.md §4.8–4.9).
import { asItems, coded, type LegacySource, put, text } from './legacy-source.ts';

const c = (id: string) => `competences.${id}`;
// Type S: savoir-faire (the ROME's know-how and knowledge alike); Q: qualité professionnelle
// (savoir-être); L: saisie libre, a competence the jobseeker wrote in rather than chose.
export const TYPES_COMPETENCE: Readonly<Record<string, string>> = {
  savoir_faire: 'S',
  savoir: 'S',
  savoir_etre: 'Q',
};

export const NIVEAUX_COMPETENCE: Readonly<Record<string, { code: string; libelle: string }>> = {
  debutant: { code: '1', libelle: 'Débutant' },
  intermediaire: { code: '2', libelle: 'Intermédiaire' },
  expert: { code: '3', libelle: 'Avancé' },
};

export function competenceType(type: unknown, saisieLibre: boolean | undefined): string | null {
  if (saisieLibre === true) return 'L';
  return typeof type === 'string' ? (TYPES_COMPETENCE[type] ?? null) : null;
}

export function mapCompetences(source: LegacySource): Record<string, unknown>[] {
  const { released } = source;
  return asItems(source.data).map((item) => {
    const out: Record<string, unknown> = {};
    put(out, released, c('code'), 'code', () => text(item.code));
    put(out, released, c('libelle'), 'libelle', () => text(item.libelle));
    // "L" needs the saisieLibre field released too; without it the type says S or Q only.
    put(out, released, c('type'), 'type', () =>
      competenceType(item.type, released.has(c('saisieLibre')) ? item.saisieLibre === true : undefined),
    );
    put(out, released, c('niveau'), 'niveau', () => coded(NIVEAUX_COMPETENCE, item.niveau));
    return out;
  });
}

// "3" is the highest level the legacy API knows: bilingue reads as courant there.
export const NIVEAUX_LANGUE: Readonly<Record<string, { code: string; libelle: string }>> = {
  debutant: { code: '1', libelle: 'Débutant' },
  intermediaire: { code: '2', libelle: 'Intermédiaire' },
  courant: { code: '3', libelle: 'Courant' },
  bilingue: { code: '3', libelle: 'Courant' },
};

export function mapLangues(source: LegacySource): Record<string, unknown>[] {
  const { released } = source;
  return asItems(source.data).map((item) => {
    const out: Record<string, unknown> = {};
    put(out, released, 'langues.code', 'code', () => text(item.code));
    put(out, released, 'langues.libelle', 'libelle', () => text(item.libelle));
    put(out, released, 'langues.niveau', 'niveau', () => coded(NIVEAUX_LANGUE, item.niveau));
    return out;
  });
}

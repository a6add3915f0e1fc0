// peconnect-experiences/v1/experiences and peconnect-conseillers/v1/contactspe/conseillers
// (PECONNECT.md §4.12, §4.14).
import { asItems, type LegacySource, put, text } from './legacy-source.ts';

const e = (id: string) => `experiences.${id}`;
/** A calendar date as the legacy API's offset-less datetime: "2015-09-01" → "2015-09-01T00:00:00". */
const datetime = (value: unknown) =>
  typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00` : null;

/** Whole months from `debut` to `fin` included (or to `now` for a job still held): the unit of
 * `duree` is not documented anywhere; months is a guess (docs/LEGACY-APIS.md). */
export function dureeMois(debut: unknown, fin: unknown, now: Date): number | null {
  const day = /^\d{4}-\d{2}-\d{2}$/;
  if (typeof debut !== 'string' || !day.test(debut)) return null;
  const end = typeof fin === 'string' && day.test(fin) ? fin : now.toISOString().slice(0, 10);
  const [y1, m1, d1] = debut.split('-').map(Number) as [number, number, number];
  const [y2, m2, d2] = end.split('-').map(Number) as [number, number, number];
  // The day after the end: 2011-07-01 → 2015-08-31 ends before 2015-09-01, 50 months.
  const after = new Date(Date.UTC(y2, m2 - 1, d2 + 1));
  let months = (after.getUTCFullYear() - y1) * 12 + (after.getUTCMonth() + 1 - m1);
  if (after.getUTCDate() < d1) months -= 1;
  return Math.max(0, months);
}

const bool = (v: unknown) => (typeof v === 'boolean' ? v : null);

export function mapExperiences(source: LegacySource): Record<string, unknown>[] {
  const { released } = source;
  return asItems(source.data).map((item) => {
    const out: Record<string, unknown> = {};
    // {debut, fin} with the bounds released: one of them is enough for the object to be sent.
    if (released.has(e('dateDebut')) || released.has(e('dateFin'))) {
      const date: Record<string, unknown> = {};
      put(date, released, e('dateDebut'), 'debut', () => datetime(item.dateDebut));
      put(date, released, e('dateFin'), 'fin', () => datetime(item.dateFin));
      out.date = date;
    }
    put(out, released, e('description'), 'description', () => text(item.description));
    // Made of both dates: sent only when both are released.
    put(out, released, [e('dateDebut'), e('dateFin')], 'duree', () =>
      dureeMois(item.dateDebut, item.dateFin, source.now),
    );
    put(out, released, e('enPoste'), 'enPoste', () => bool(item.enPoste));
    put(out, released, e('entreprise'), 'entreprise', () => text(item.entreprise));
    put(out, released, e('etranger'), 'etranger', () => bool(item.etranger));
    put(out, released, e('intitule'), 'intitule', () => text(item.intitule));
    put(out, released, e('lieu'), 'lieu', () => text(item.lieu));
    return out;
  });
}

// "1" and "2" are the only values seen; which is which is a guess (PECONNECT.md §4.14 [G]).
export const CIVILITES: Readonly<Record<string, string>> = { monsieur: '1', madame: '2' };
export const TYPES_CONSEILLER: Readonly<Record<string, string>> = {
  placement: 'PLACEMENT',
  cap_emploi: 'CAPEMPLOI',
  indemnisation: 'INDEMNISATION',
};

export function mapConseillers(source: LegacySource): Record<string, unknown>[] {
  const { released } = source;
  const k = (id: string) => `conseillers.${id}`;
  return asItems(source.data).map((item) => {
    const out: Record<string, unknown> = {};
    put(out, released, k('nom'), 'nom', () => text(item.nom));
    put(out, released, k('prenom'), 'prenom', () => text(item.prenom));
    put(out, released, k('civilite'), 'civilite', () =>
      typeof item.civilite === 'string' ? (CIVILITES[item.civilite] ?? null) : null,
    );
    put(out, released, k('email'), 'mail', () => text(item.email));
    put(out, released, k('role'), 'type', () =>
      typeof item.role === 'string' ? (TYPES_CONSEILLER[item.role] ?? null) : null,
    );
    return out;
  });
}

// peconnect-statut/v1/statut, peconnect-datenaissance/v1/etat-civil and
// peconnect-indemnisations/v1/indemnisation (PECONNECT.md §4.2–4.4).
import { asRecord, type LegacySource, put, text } from './legacy-source.ts';

// The labels exactly as the legacy API writes them, with U+2019 (immersion facile's zod enum refuses
// any other apostrophe), whatever the stored label says: they are derived from the code.
export const STATUT_LABELS: Readonly<Record<string, string>> = {
  '0': 'Non demandeur d’emploi',
  '1': 'Demandeur d’emploi',
};

export function mapStatut(source: LegacySource): Record<string, unknown> {
  const data = asRecord(source.data);
  const code = text(data.codeStatutIndividu);
  const out: Record<string, unknown> = {};
  put(out, source.released, 'statut.codeStatutIndividu', 'codeStatutIndividu', () => code);
  // The label says what the code says: it is released with the label (the code travels with it).
  put(out, source.released, 'statut.libelleStatutIndividu', 'libelleStatutIndividu', () =>
    code !== null ? (STATUT_LABELS[code] ?? null) : null,
  );
  return out;
}

/** The UTC offset of Europe/Paris at the start of a calendar day: "+01:00" or "+02:00". */
export function parisOffset(isoDate: string): string {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  // 22:30 UTC the day before is local midnight's side of any change (France changes at 01:00 UTC).
  const instant = new Date(Date.UTC(y, m - 1, d) - 90 * 60_000);
  const name = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', timeZoneName: 'longOffset' })
    .formatToParts(instant)
    .find((p) => p.type === 'timeZoneName')?.value;
  const offset = /GMT([+-]\d{2}:\d{2})/.exec(name ?? '')?.[1];
  return offset ?? '+00:00';
}

export function mapEtatCivil(source: LegacySource): Record<string, unknown> {
  const birthdate = text(source.claims.birthdate);
  // The civil-status fields are null in every sample and have no stored value here: always null.
  const out: Record<string, unknown> = {
    codeCivilite: null,
    libelleCivilite: null,
    nomPatronymique: null,
    nomMarital: null,
    prenom: null,
  };
  put(out, source.released, 'profile.birthdate', 'dateDeNaissance', () =>
    birthdate && /^\d{4}-\d{2}-\d{2}$/.test(birthdate)
      ? `${birthdate}T00:00:00${parisOffset(birthdate)}`
      : null,
  );
  return out;
}

export function mapIndemnisation(source: LegacySource): Record<string, unknown> {
  const data = asRecord(source.data);
  const out: Record<string, unknown> = {};
  for (const key of ['beneficiairePrestationSolidarite', 'beneficiaireAssuranceChomage']) {
    put(out, source.released, `indemnisation.${key}`, key, () =>
      typeof data[key] === 'boolean' ? data[key] : null,
    );
  }
  return out;
}

// peconnect-coordonnees/v1/coordonnees, from the address claim and the identity, email and phone
// claims (PECONNECT.md §4.1). The OIDC street_address holds the complement lines first and the
// street last (OIDC Core §5.1.1 allows several lines): the last line is adresse4, the lines before
// it fill adresse3, adresse2, adresse1 from the street upwards.
import { asRecord, type LegacySource, put, text, upper } from './legacy-source.ts';

/** "Appt 4\nBât. B\n12 rue X" → [null, "APPT 4", "BÂT. B", "12 RUE X"]; extra lines join adresse1. */
export function addressLines(street: unknown): (string | null)[] {
  const lines = (text(street) ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => upper(l) as string);
  const out: (string | null)[] = [null, null, null, null];
  if (!lines.length) return out;
  out[3] = lines.pop() as string;
  if (lines.length > 3) lines.splice(0, lines.length - 2, lines.slice(0, lines.length - 2).join(', '));
  for (let i = 0; i < lines.length; i++) out[3 - lines.length + i] = lines[i] as string;
  return out;
}

/** "+33 6 12 34 56 78" → "0612345678" (the national format of the samples); other countries as given. */
export function nationalPhone(value: unknown): string | null {
  const compact = text(value)?.replace(/[\s.\-()]/g, '');
  if (!compact) return null;
  return compact.startsWith('+33') ? `0${compact.slice(3)}` : compact;
}

export function mapCoordonnees(source: LegacySource): Record<string, unknown> {
  const { claims, released } = source;
  const out: Record<string, unknown> = {};
  if (released.has('address.address')) {
    const address = asRecord(claims.address);
    const [a1, a2, a3, a4] = addressLines(address.street_address);
    Object.assign(out, {
      adresse1: a1,
      adresse2: a2,
      adresse3: a3,
      adresse4: a4,
      codePostal: text(address.postal_code),
      codeINSEE: text(address.code_insee),
      libelleCommune: upper(address.locality),
      codePays: upper(address.country_code),
      libellePays: upper(address.country),
    });
  }
  put(out, released, 'profile.family_name', 'nom', () => upper(claims.family_name));
  put(out, released, 'profile.given_name', 'prenom', () => upper(claims.given_name));
  put(out, released, 'email.email', 'email', () => text(claims.email));
  put(out, released, 'phone.phone_number', 'telephone1', () => nationalPhone(claims.phone_number));
  // "V" is the only value seen; "N" for an address not confirmed is a guess (PECONNECT.md §4.1 [S]).
  put(out, released, 'email.email_verified', 'statutValidationEmail', () =>
    typeof claims.email_verified === 'boolean' ? (claims.email_verified ? 'V' : 'N') : null,
  );
  return out;
}

// A login is normalised once, the same way wherever one is typed or imported (issue 10): Unicode
// compatibility normalisation (NFKC: fullwidth "ｍａｒｉｅ" is "marie"), surrounding spaces trimmed,
// lower case (RFC 8265 §3.3.2's case mapping, Unicode toLowerCase), then NFKC again so that the
// result is stable. A login that still holds an invisible, zero-width, control, format, unassigned
// or private-use character, or any space inside, is refused: such characters make look-alike
// accounts. Migration 015 gives stored logins the same form (normalize(…, NFKC) and ICU lower-case).
const INVISIBLE =
  /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Default_Ignorable_Code_Point}\p{White_Space}\u115F\u1160\u3164\uFFA0]/u;

export type NormalisedLogin = { ok: true; login: string } | { ok: false; reason: string };

export function normaliseLogin(raw: string): NormalisedLogin {
  const login = raw.normalize('NFKC').trim().toLowerCase().normalize('NFKC');
  if (!login) return { ok: false, reason: 'identifiant vide' };
  if (INVISIBLE.test(login))
    return { ok: false, reason: 'l’identifiant contient un espace ou un caractère invisible ou de contrôle' };
  return { ok: true, login };
}

// The Pôle emploi Connect scopes of APIs this provider does not serve (scopes/legacy-unserved.yaml,
// PECONNECT.md §3). Apps written for Pôle emploi Connect send them verbatim (pass emploi's démarches,
// Pix's serviceDigitauxExposition, Perspectives' pfccentresinteret): refusing them would break the
// app's whole sign-in, granting them would promise data that does not exist here. Each listed name
// is accepted and granted to no one (legacy-scopes.ts `ignored`), as qos_* tiers are. The list is
// declared, one name per line with the spec section that shows an app sending it, so that a reviewer
// sees every name; no pattern: a string neither listed nor in a scope file stays invalid_scope.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export const UNSERVED_FILE = 'legacy-unserved.yaml';

const unservedFileSchema = z.strictObject({
  unserved: z
    .array(
      z.strictObject({
        // As apps send it: technical (api_…) and applicative names alike.
        name: z
          .string()
          .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'must be a scope name as apps send it (letters, digits, _ or -)')
          .refine(
            (n) => !/^(application|qos)_/.test(n),
            'application_* and qos_* are recognised, not declared',
          ),
        /** where PECONNECT.md shows an app sending it, e.g. "§3, §4.15" */
        spec: z.string().regex(/^§\d/, 'must name the PECONNECT.md section, e.g. "§3, §4.15"'),
      }),
    )
    .min(1)
    .refine((list) => new Set(list.map((e) => e.name)).size === list.length, 'names must be unique'),
});

export interface UnservedScopes {
  file: string;
  names: ReadonlySet<string>;
}

/**
 * The names listed in `dir`/legacy-unserved.yaml; none when the file is absent. `fail` stops the
 * start-up with the file and the field, as for a scope file.
 */
export function readUnservedScopes(
  dir: string,
  fail: (file: string, fieldPath: string, message: string) => never,
): UnservedScopes {
  const file = path.join(dir, UNSERVED_FILE);
  if (!existsSync(file)) return { file, names: new Set() };
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    fail(file, '(yaml)', (err as Error).message);
  }
  const result = unservedFileSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0] as z.core.$ZodIssue;
    fail(file, issue.path.join('.') || '(file)', issue.message);
  }
  return { file, names: new Set(result.data.unserved.map((e) => e.name)) };
}

// One line of a JSON Lines import: a jobseeker's login, password, OIDC claims and data scopes, each
// data scope in exactly the shape the API returns with every field consented. The login comes out
// normalised (login-normalisation.ts), with the spelling it was given in `givenLogin`. A password
// hash must be at least as strong as the server's own (argon2id, m = 19 MiB, t = 2).
import { z } from 'zod';
import { claimsSchema, dataScopeValueSchema } from '../catalog/field-value-schema.ts';
import type { Catalog } from '../catalog/load-catalog.ts';
import { normaliseLogin } from './login-normalisation.ts';
import { ARGON2ID_MIN } from './password-hasher.ts';

// NIST SP 800-63B: at least 8 characters, long ones allowed, no composition rules.
const password = z.string().min(8).max(1024);

// An argon2id hash in the PHC string format, as @node-rs/argon2 (and the reference implementation)
// write it: `$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>`, both in unpadded base64.
export const ARGON2ID_PHC =
  /^\$argon2id\$v=19\$m=(\d{1,10}),t=(\d{1,10}),p=(\d{1,3})\$[A-Za-z0-9+/]{11,64}\$[A-Za-z0-9+/]{16,128}$/;
const passwordHash = z
  .string()
  .regex(ARGON2ID_PHC, 'must be an argon2id hash ($argon2id$v=19$m=…,t=…,p=…$…$…)')
  .refine((value) => {
    const [, m, t] = ARGON2ID_PHC.exec(value) ?? [];
    return Number(m) >= ARGON2ID_MIN.memoryCost && Number(t) >= ARGON2ID_MIN.timeCost;
  }, `argon2id parameters below the server's own (m=${ARGON2ID_MIN.memoryCost} KiB, t=${ARGON2ID_MIN.timeCost}): a hash this weak is refused`);

const login = z
  .string()
  .max(200)
  .superRefine((raw, ctx) => {
    const normalised = normaliseLogin(raw);
    if (!normalised.ok) ctx.addIssue({ code: 'custom', message: normalised.reason });
    else if (normalised.login.length < 3)
      ctx.addIssue({ code: 'custom', message: 'l’identifiant doit faire au moins 3 caractères' });
  });

/** The login as the database keeps it, and as it was written. */
const withNormalisedLogin = <T extends { login: string }>(line: T) => ({
  ...line,
  login: (normaliseLogin(line.login) as { login: string }).login,
  givenLogin: line.login,
});

function lineShape(catalog: Catalog) {
  const data = z
    .object(Object.fromEntries(catalog.dataScopes.map((s) => [s.id, dataScopeValueSchema(s).optional()])))
    .strict();
  return {
    login,
    claims: claimsSchema(catalog).default({}),
    data: data.default({}),
  };
}

/** A line with a clear password (demo data, tests). */
export function jobseekerLineSchema(catalog: Catalog) {
  return z
    .object({ ...lineShape(catalog), password })
    .strict()
    .transform(withNormalisedLogin);
}

/**
 * A line of an import file: a clear password to hash, or — when migrating accounts from another
 * system — an existing argon2id hash, stored as is (hashing a million passwords would take hours).
 * Exactly one of the two.
 */
export function importLineSchema(catalog: Catalog) {
  return z
    .object({ ...lineShape(catalog), password: password.optional(), password_hash: passwordHash.optional() })
    .strict()
    .refine((line) => (line.password === undefined) !== (line.password_hash === undefined), {
      path: ['password'],
      message: 'exactly one of password and password_hash is required',
    })
    .transform(withNormalisedLogin);
}

/** A line as written (the demo data, test factories): what jobseekerLineSchema parses. */
export interface JobseekerLine {
  login: string;
  password: string;
  claims: Record<string, unknown>;
  data: Record<string, unknown>;
}
export type ImportLine = z.infer<ReturnType<typeof importLineSchema>>;

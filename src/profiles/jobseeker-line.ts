// One line of a JSON Lines import: a jobseeker's login, password, OIDC claims and data scopes, each
// data scope in exactly the shape the API returns with every field consented.
import { z } from 'zod';
import { claimsSchema, dataScopeValueSchema } from '../catalog/field-value-schema.ts';
import type { Catalog } from '../catalog/load-catalog.ts';

export function jobseekerLineSchema(catalog: Catalog) {
  const data = z
    .object(Object.fromEntries(catalog.dataScopes.map((s) => [s.id, dataScopeValueSchema(s).optional()])))
    .strict();
  return z
    .object({
      login: z.string().trim().min(3).max(200),
      // NIST SP 800-63B: at least 8 characters, long ones allowed, no composition rules.
      password: z.string().min(8).max(1024),
      claims: claimsSchema(catalog).default({}),
      data: data.default({}),
    })
    .strict();
}

export type JobseekerLine = z.infer<ReturnType<typeof jobseekerLineSchema>>;

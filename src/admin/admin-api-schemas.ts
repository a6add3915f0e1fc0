// Request bodies of the admin API, in RFC 7591 client metadata names plus ours. The same schemas
// validate requests and generate the OpenAPI document.
import { z } from 'zod';
import { AUTH_METHODS } from '../clients/client-auth-methods.ts';
import { STORE_CATEGORY_IDS } from '../store/categories.ts';

const url = z.string().max(2000);
export const clientBody = z
  .object({
    client_name: z.string(),
    description: z.string(),
    operator_name: z.string(),
    operator_siret: z.string().nullable(),
    client_uri: url.nullable(),
    contacts: z.array(z.string().max(254)).max(5),
    logo_uri: url.nullable(),
    policy_uri: url.nullable(),
    tos_uri: url.nullable(),
    redirect_uris: z.array(url).max(10),
    post_logout_redirect_uris: z.array(url).max(10),
    scope: z.string().max(1000),
    purposes: z.record(z.string(), z.string()),
    consent_duration_days: z.number().int().nullable(),
    // null: back to the default, a secret sent with client_secret_basic or client_secret_post.
    token_endpoint_auth_method: z.enum(AUTH_METHODS).nullable(),
    jwks_uri: url.nullable(),
    jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).nullable(),
    high_assurance: z.boolean(),
    free_for_jobseekers: z.boolean(),
    status: z.enum(['pending', 'active', 'suspended']),
    // Emploi Store: category (src/store/categories.ts), « Se connecter » address, declared audience.
    category: z.enum(STORE_CATEGORY_IDS).nullable(),
    start_url: url.nullable(),
    audience: z
      .object({
        rome: z.array(z.string().max(5)).max(50),
        regions: z.array(z.string().max(3)).max(50),
        statuses: z.array(z.string().max(20)).max(50),
        training_levels: z.array(z.string().max(20)).max(50),
        contract_types: z.array(z.string().max(10)).max(50),
        available_now: z.boolean(),
        skills: z.array(z.string().max(8)).max(50),
      })
      .partial()
      .strict()
      .nullable(),
    // Only an admin vets; a change of audience without this un-vets it.
    audience_vetted: z.boolean(),
  })
  .partial()
  .strict();
// client_id: only at creation, and only of the Pôle emploi Connect form (legacy-client-input.ts), so a
// partner keeps its identifier; left out, a new one is generated.
export const createBody = clientBody
  .extend({ client_id: z.string().max(200) })
  .partial({ client_id: true })
  .required({ client_name: true, redirect_uris: true, scope: true });
export const tokenBody = z
  .object({ name: z.string().trim().min(1).max(100), expires_at: z.iso.datetime().optional() })
  .strict();
export const iatBody = z.object({ expires_in_days: z.number().int().min(1).max(90).default(7) }).strict();

// Client registration: one path for the CLI (and later the admin console and API). Validates the
// metadata, issues an identifier and a secret shown once, and stores the secret sealed.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Catalog } from '../catalog/load-catalog.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { Pool } from '../db/pool.ts';
import { AppError } from '../http/app-error.ts';
import { type ClientRow, type ClientStatus, findClient, insertClient } from './client-queries.ts';
import { redirectUriProblem } from './redirect-uri-rules.ts';

export const CLIENT_SECRET_PURPOSE = 'client-secret';

export interface NewClientInput {
  name: string;
  description?: string;
  operatorName?: string;
  website?: string;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  scopes: string[];
  purposes?: Record<string, string>;
  consentDurationDays?: number;
  status?: ClientStatus;
  clientId?: string;
  clientSecret?: string;
}

export interface CreatedClient {
  client_id: string;
  client_secret: string;
}

export function createClientService(deps: {
  pool: Pool;
  catalog: Catalog;
  box: SecretBox;
  production: boolean;
}) {
  const { pool, catalog, box, production } = deps;
  const knownScopes = new Set([...catalog.byId.keys(), 'offline_access']);

  const uri = (label: string) =>
    z.string().superRefine((value, ctx) => {
      const problem = redirectUriProblem(value, production);
      if (problem) ctx.addIssue({ code: 'custom', message: `${label} ${value} ${problem}` });
    });

  const inputSchema = z
    .object({
      name: z.string().trim().min(1).max(120),
      description: z.string().trim().max(1000).default(''),
      operatorName: z.string().trim().max(200).default(''),
      website: z.url({ protocol: /^https?$/ }).optional(),
      redirectUris: z.array(uri('redirect URI')).min(1).max(10),
      postLogoutRedirectUris: z.array(uri('post-logout redirect URI')).max(10).default([]),
      scopes: z
        .array(z.string())
        .min(1)
        .refine((list) => list.includes('openid'), 'scopes must include openid')
        .refine((list) => list.every((s) => knownScopes.has(s)), 'unknown scope (see scopes/)'),
      purposes: z.record(z.string(), z.string().trim().min(1).max(500)).default({}),
      consentDurationDays: z.number().int().min(1).max(3650).optional(),
      status: z.enum(['pending', 'active', 'suspended']).default('active'),
      clientId: z
        .string()
        .regex(/^[A-Za-z0-9_-]{8,64}$/)
        .optional(),
      clientSecret: z.string().min(32).max(128).optional(),
    })
    .refine((c) => new Set(c.redirectUris.map((u) => new URL(u).host)).size === 1, {
      // Pairwise subjects are derived per client; oidc-provider would otherwise require a
      // sector_identifier_uri, which we do not fetch.
      message: 'all redirect URIs must share one host',
      path: ['redirectUris'],
    });

  return {
    async create(input: NewClientInput): Promise<CreatedClient> {
      const parsed = inputSchema.safeParse(input);
      if (!parsed.success) {
        const detail = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
        throw new AppError(400, 'invalid_client_metadata', detail);
      }
      const c = parsed.data;
      const clientId = c.clientId ?? randomBytes(16).toString('base64url');
      const clientSecret = c.clientSecret ?? randomBytes(32).toString('base64url');
      await insertClient(pool, {
        id: clientId,
        name: c.name,
        description: c.description,
        operator_name: c.operatorName,
        website: c.website ?? null,
        secret_ciphertext: box.seal(clientSecret, CLIENT_SECRET_PURPOSE),
        token_endpoint_auth_method: 'client_secret_basic',
        redirect_uris: c.redirectUris,
        post_logout_redirect_uris: c.postLogoutRedirectUris,
        scopes: [...new Set(c.scopes)],
        purposes: c.purposes,
        consent_duration_days: c.consentDurationDays ?? null,
        status: c.status,
      });
      return { client_id: clientId, client_secret: clientSecret };
    },

    find: (clientId: string): Promise<ClientRow | undefined> => findClient(pool, clientId),
  };
}

export type ClientService = ReturnType<typeof createClientService>;

// The metadata oidc-provider sees. Only active apps exist for it: a pending or suspended app cannot
// start a flow, redeem a code, refresh or introspect.
// oidc-provider accepts only its own (OIDC) scopes in `scope`; the data scopes an app may request
// travel in `data_scopes` and are enforced in the resource indicator hook.
export function toProviderMetadata(
  row: ClientRow,
  box: SecretBox,
  dataScopeIds: ReadonlySet<string>,
): Record<string, unknown> | undefined {
  if (row.status !== 'active') return undefined;
  return {
    client_id: row.id,
    client_secret: row.secret_ciphertext ? box.open(row.secret_ciphertext, CLIENT_SECRET_PURPOSE) : undefined,
    client_name: row.name,
    redirect_uris: row.redirect_uris,
    post_logout_redirect_uris: row.post_logout_redirect_uris,
    response_types: ['code'],
    grant_types: row.scopes.includes('offline_access')
      ? ['authorization_code', 'refresh_token']
      : ['authorization_code'],
    scope: row.scopes.filter((s) => !dataScopeIds.has(s)).join(' '),
    data_scopes: row.scopes.filter((s) => dataScopeIds.has(s)),
    token_endpoint_auth_method: row.token_endpoint_auth_method,
  };
}

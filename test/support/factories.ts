// Small factories: each test builds what it needs.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { loadCatalog } from '../../src/catalog/load-catalog.ts';
import { sensitiveScopes } from '../../src/clients/client-rules.ts';
import type { NewClientInput } from '../../src/clients/client-service.ts';
import { demoJobseekers } from '../../src/demo/demo-jobseekers.ts';
import { saveJobseeker } from '../../src/profiles/jobseeker-import.ts';
import { jobseekerLineSchema } from '../../src/profiles/jobseeker-line.ts';
import type { TestServer } from './test-server.ts';

const unique = () => randomBytes(4).toString('hex');

// The scope lists come from the catalog (scopes/), as the server reads it: a scope added there is
// offered to every test app without a second list to keep in step.
const catalog = loadCatalog(path.resolve('scopes'));

/** Every data scope of the catalog. */
export const ALL_DATA_SCOPES = catalog.dataScopes.map((s) => s.id);

/** The data scopes a standard (not high-assurance) app may be allowed: all but the sensitive ones. */
export const STANDARD_DATA_SCOPES = ALL_DATA_SCOPES.filter((s) => !sensitiveScopes(catalog).has(s));

/** The OpenID Connect scopes of the catalog (openid, profile, email…). */
export const OIDC_SCOPES = catalog.oidcScopes.map((s) => s.id);

export async function createJobseeker(
  server: TestServer,
  overrides: { login?: string; password?: string } = {},
) {
  const base = demoJobseekers[0] as (typeof demoJobseekers)[number];
  const line = jobseekerLineSchema(server.app.catalog).parse({
    ...base,
    login: overrides.login ?? `jobseeker-${unique()}`,
    password: overrides.password ?? `password-${unique()}`,
  });
  const id = await saveJobseeker(server.pool, line);
  return {
    id,
    login: line.login,
    password: line.password,
    claims: line.claims,
    data: line.data as Record<string, unknown>,
  };
}

export async function createClient(server: TestServer, overrides: Partial<NewClientInput> = {}) {
  const redirectUri = overrides.redirect_uris?.[0] ?? `http://127.0.0.1:9/cb-${unique()}`;
  const created = await server.app.services.clients.create({
    name: `App ${unique()}`,
    description: 'Une application de test',
    operator_name: 'Opérateur de test',
    redirect_uris: [redirectUri],
    post_logout_redirect_uris: ['http://127.0.0.1:9/after-logout'],
    scopes: [...OIDC_SCOPES, 'offline_access', ...STANDARD_DATA_SCOPES],
    // A purpose for every data scope the app may ask for: required to be active.
    purposes: Object.fromEntries(
      (overrides.scopes ?? STANDARD_DATA_SCOPES)
        .filter((s) => ALL_DATA_SCOPES.includes(s))
        .map((s) => [s, s === 'competences' ? 'Remplir votre CV.' : `Utiliser vos données « ${s} ».`]),
    ),
    free_for_jobseekers: true,
    // An app's own privacy notice and contact: required to be active.
    policy_uri: 'https://app.example.fr/confidentialite',
    contact_email: 'donnees-personnelles@app.example.fr',
    status: 'active',
    ...overrides,
  });
  return { client_id: created.client_id, client_secret: created.client_secret as string, redirectUri };
}

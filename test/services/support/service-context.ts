// The services of the composition root on a database of their own, without a server: each test file
// calls `createServiceContext()` once (in beforeAll) and `close()` at the end. The database is cloned
// from the migrated template by test/support/test-database.ts, so the rules run on the real schema.
// What is wired is what src/app.ts wires (createServices): the same factories, the same catalog,
// the real grant builder. Consents made here have no oidc-provider Grant (no authorization ran), so
// the builder never needs a provider; should a change reach for one, it fails loudly.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { filterScopeValue, grantedFieldIds } from '../../../src/api/filter-fields.ts';
import { type Catalog, loadCatalog } from '../../../src/catalog/load-catalog.ts';
import type { NewClientInput } from '../../../src/clients/client-service.ts';
import { createClientService } from '../../../src/clients/client-service.ts';
import { createConsentChanges } from '../../../src/consents/consent-changes.ts';
import { createConsentService, type GrantDecision } from '../../../src/consents/consent-service.ts';
import { createGrantBuilder } from '../../../src/consents/grant-builder.ts';
import { createSecretBox } from '../../../src/crypto/secret-box.ts';
import { demoJobseekers } from '../../../src/demo/demo-jobseekers.ts';
import { saveJobseeker } from '../../../src/profiles/jobseeker-import.ts';
import { importLineSchema } from '../../../src/profiles/jobseeker-line.ts';
import { findAllJobseekerData, findJobseekerWithConsent } from '../../../src/profiles/jobseeker-queries.ts';
import { hashPassword } from '../../../src/profiles/password-hasher.ts';
import { ALL_DATA_SCOPES, STANDARD_DATA_SCOPES } from '../../support/factories.ts';
import { createTestDatabase } from '../../support/test-database.ts';

/** The default validity of a consent when the app has none of its own (CONSENT_DURATION_DAYS). */
export const DEFAULT_CONSENT_DAYS = 365;
const KEY = 'service-tests-key-0123456789abcdef0123456789';
const unique = () => randomBytes(4).toString('hex');

export type ServiceContext = Awaited<ReturnType<typeof createServiceContext>>;

export async function createServiceContext(options: { production?: boolean } = {}) {
  const db = await createTestDatabase();
  const { pool } = db;
  const catalog: Catalog = loadCatalog(path.resolve(import.meta.dirname, '../../../scopes'));
  const clients = createClientService({
    pool,
    catalog,
    box: createSecretBox(KEY),
    production: options.production ?? false,
  });
  const grants = createGrantBuilder({
    provider: () => {
      throw new Error('no oidc-provider in the service tests: this consent should have no Grant');
    },
    catalog,
    apiAudience: 'http://127.0.0.1/api',
  });
  const consents = createConsentService({ pool, catalog });
  const consentChanges = createConsentChanges({
    pool,
    durationDays: async (clientId) =>
      (await clients.find(clientId))?.consent_duration_days ?? DEFAULT_CONSENT_DAYS,
    grants,
  });
  // One password hash for every jobseeker of the file: argon2id per jobseeker would dominate the run.
  const passwordHash = await hashPassword(`password-${unique()}`);

  /** A jobseeker with the first demo jobseeker's claims and data. */
  async function createJobseeker() {
    const { password: _, ...base } = demoJobseekers[0] as (typeof demoJobseekers)[number];
    const line = importLineSchema(catalog).parse({
      ...base,
      login: `jobseeker-${unique()}`,
      password_hash: passwordHash,
    });
    const id = await saveJobseeker(pool, line);
    return { id, data: line.data as Record<string, unknown> };
  }

  /** An active app allowed every standard scope, with a purpose for each. */
  async function createClient(overrides: Partial<NewClientInput> = {}) {
    const created = await clients.create({
      name: `App ${unique()}`,
      redirect_uris: [`https://app-${unique()}.example.fr/callback`],
      scopes: ['openid', 'profile', 'email', 'offline_access', ...STANDARD_DATA_SCOPES],
      purposes: Object.fromEntries(
        STANDARD_DATA_SCOPES.filter((s) => ALL_DATA_SCOPES.includes(s)).map((s) => [s, `Utiliser « ${s} ».`]),
      ),
      free_for_jobseekers: true,
      policy_uri: 'https://app.example.fr/confidentialite',
      contact_email: 'dpo@app.example.fr',
      status: 'active',
      ...overrides,
    });
    return created.client_id;
  }

  /** A jobseeker, an app, and the consent page between them: `decide` records what was ticked. */
  async function createPair(clientOverrides: Partial<NewClientInput> = {}) {
    const [jobseeker, clientId] = await Promise.all([createJobseeker(), createClient(clientOverrides)]);
    const decide = (d: Pick<GrantDecision, 'requested' | 'ticked'> & Partial<GrantDecision>) =>
      consents.grant({
        jobseekerId: jobseeker.id,
        clientId,
        purposes: {},
        durationDays: DEFAULT_CONSENT_DAYS,
        interactionUid: randomBytes(12).toString('hex'),
        ...d,
      });
    return { jobseeker, clientId, decide };
  }

  /** The consent's history, oldest first. */
  async function eventsOf(consentId: string) {
    const { rows } = await pool.query<{
      kind: string;
      fields_added: string[];
      fields_removed: string[];
      fields_after: string[];
      texts_hash: string | null;
      actor: string;
      request_id: string | null;
      created_at: Date;
    }>('SELECT * FROM consent_events WHERE consent_id = $1 ORDER BY id', [consentId]);
    return rows;
  }

  /** Moves a consent's expiry into the past (time passing, without waiting). */
  async function backdate(consentId: string, interval = '1 minute') {
    await pool.query('UPDATE consents SET expires_at = now() - $2::interval WHERE id = $1', [
      consentId,
      interval,
    ]);
  }

  /**
   * What the next read would release to the app: the live consent's fields as the ID token, userinfo
   * and resource API read them (findJobseekerWithConsent), applied to the jobseeker's stored data by
   * the API's own filter. '<scope>.<key>' of every value handed over.
   */
  async function released(jobseekerId: string, clientId: string): Promise<string[]> {
    const account = await findJobseekerWithConsent(pool, jobseekerId, clientId);
    const fields = account?.consent_fields ?? [];
    const data = await findAllJobseekerData(pool, jobseekerId);
    const out = new Set<string>();
    for (const scope of catalog.dataScopes) {
      const value = filterScopeValue(scope, data[scope.id], grantedFieldIds(scope.id, fields));
      for (const item of Array.isArray(value) ? value : [value])
        for (const key of Object.keys(item)) out.add(`${scope.id}.${key}`);
    }
    if (fields.includes('openid.sub')) out.add('openid.sub');
    return [...out].sort();
  }

  /**
   * Gives the consent a Grant id and two of oidc-provider's rows under it (an access and a refresh
   * token, as the adapter stores them): what a revocation or an expiry must delete.
   */
  async function attachTokens(consentId: string): Promise<string> {
    const grantId = `grant-${unique()}`;
    await consents.attachGrant(consentId, grantId);
    for (const model of ['AccessToken', 'RefreshToken'])
      await pool.query(
        "INSERT INTO oidc_models (model, id, payload, grant_id, expires_at) VALUES ($1, $2, '{}', $3, now() + interval '1 hour')",
        [model, `${model}-${unique()}`, grantId],
      );
    return grantId;
  }
  const tokensOf = async (grantId: string) =>
    (await pool.query('SELECT model FROM oidc_models WHERE grant_id = $1', [grantId])).rowCount;

  /** Every '<scope>.<field>' of these scopes, as a consent page showing them asks for them. */
  const fieldsOf = (...scopes: string[]) =>
    [...catalog.fieldKeys].filter((key) => scopes.includes(key.split('.')[0] as string)).sort();

  return {
    pool,
    fieldsOf,
    catalog,
    clients,
    consents,
    consentChanges,
    createJobseeker,
    createClient,
    createPair,
    eventsOf,
    backdate,
    released,
    attachTokens,
    tokensOf,
    close: () => db.drop(),
  };
}

// Data for the bench databases. The population (jobseekers with their data scopes, and consents) is
// written with bulk SQL: it is the backdrop whose size the scale runs vary, not what is measured. The
// jobseekers that the load generator logs in as are part of it, with one known password.
import { hash } from '@node-rs/argon2';
import type { Catalog } from '../src/catalog/load-catalog.ts';
import { createClientService } from '../src/clients/client-service.ts';
import { createSecretBox } from '../src/crypto/secret-box.ts';
import type { Pool } from '../src/db/pool.ts';
import { generateJobseeker } from './generator.ts';

// Production refuses equal or low-entropy secrets (src/config.ts): three random-looking ones.
export const BENCH_SECRET = 'Wq7tLm2Xv9KpR4nZc8Hb3Jd6Fs5Ga1Ue';
export const BENCH_COOKIE_SECRET = 'Tn5yPq8Lr2Vw7Kx4Mz9Bc3Hj6Dg1Sf8A';
export const BENCH_PAIRWISE_SALT = 'Ry4Nc7Qw2Xt9Lp5Kv8Zm3Bh6Jd1Gs7Fe';
export const BENCH_PASSWORD = 'mot-de-passe-du-banc-d-essai';
export const BENCH_SEED = 42;
/** The one client every measured flow uses; its redirect URI is never fetched (the RP stops there). */
export const REDIRECT_URI = 'https://rp.bench.example.fr/callback';

/** argon2id with the provider's own parameters (src/profiles/password-hasher.ts). */
export const benchPasswordHash = () =>
  hash(BENCH_PASSWORD, { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 });

export const sampleLogin = (index: number) => generateJobseeker(BENCH_SEED, index).login;

/** The indexes of `count` jobseekers spread evenly over a population of `population`. */
export const sampleIndexes = (population: number, count: number) =>
  Array.from({ length: Math.min(count, population) }, (_, k) =>
    Math.floor((k * population) / Math.min(count, population)),
  );

export async function seedPopulation(
  pool: Pool,
  options: { from: number; to: number; hash: string; onProgress?: (done: number) => void },
): Promise<void> {
  const BATCH = 1_000;
  for (let start = options.from; start < options.to; start += BATCH) {
    const lines = [];
    for (let i = start; i < Math.min(start + BATCH, options.to); i++) {
      lines.push(generateJobseeker(BENCH_SEED, i, { hash: options.hash }));
    }
    await pool.query(
      `WITH input AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(login text, password_hash text, claims jsonb, data jsonb)
       ), inserted AS (
         INSERT INTO jobseekers (login, password_hash, claims)
         SELECT login, password_hash, claims FROM input ON CONFLICT (login) DO NOTHING RETURNING id, login
       )
       INSERT INTO jobseeker_data (jobseeker_id, scope, value)
       SELECT inserted.id, d.key, d.value FROM inserted JOIN input USING (login), jsonb_each(input.data) AS d`,
      [JSON.stringify(lines)],
    );
    options.onProgress?.(Math.min(start + BATCH, options.to));
  }
}

export function benchClients(pool: Pool, catalog: Catalog) {
  return createClientService({ pool, catalog, box: createSecretBox(BENCH_SECRET), production: false });
}

/** An active app allowed the scenarios' scopes, with a purpose for each data scope. */
export async function createBenchClient(
  pool: Pool,
  catalog: Catalog,
  name: string,
  redirectUri = REDIRECT_URI,
) {
  const created = await benchClients(pool, catalog).create({
    name,
    description: 'Application du banc d’essai',
    operator_name: 'Banc d’essai',
    redirect_uris: [redirectUri],
    scopes: ['openid', 'profile', 'email', 'offline_access', 'competences', 'statut'],
    purposes: { competences: 'Remplir votre CV.', statut: 'Adapter nos conseils à votre situation.' },
    free_for_jobseekers: true,
    policy_uri: 'https://banc-essai.example/confidentialite',
    contact_email: 'donnees@banc-essai.example',
    status: 'active',
  });
  return { clientId: created.client_id, clientSecret: created.client_secret as string, redirectUri };
}

/**
 * One active consent per jobseeker that has none yet, to one of `clientIds`, with its 'granted' event,
 * its oidc-provider Grant and a live refresh token in oidc_models: what a consent brings along in
 * production, so that every table the hot paths read has the population's size.
 */
export async function seedConsents(
  pool: Pool,
  clientIds: string[],
  /** at most `limit` consents, given first to the jobseekers of `first` (the ones the load signs in as) */
  options: { limit?: number; first?: string[] } = {},
): Promise<number> {
  await pool.query(
    `INSERT INTO consent_texts (hash, texts) VALUES ('bench-seed', '{"catalog": [], "purposes": {}}')
     ON CONFLICT (hash) DO NOTHING`,
  );
  const inserted = await pool.query(
    `INSERT INTO consents (jobseeker_id, client_id, status, fields, texts_hash, grant_id, granted_at, expires_at)
     SELECT j.id, ($1::text[])[1 + (hashtext(j.login) & 2147483647) % cardinality($1::text[])], 'active',
            ARRAY['competences.code', 'competences.libelle', 'openid.sub', 'statut.libelleStatutIndividu'],
            'bench-seed', 'seed-grant-' || j.id, now() - interval '10 days', now() + interval '355 days'
       FROM jobseekers j
      WHERE NOT EXISTS (SELECT 1 FROM consents c WHERE c.jobseeker_id = j.id)
      ORDER BY j.login = ANY($3::text[]) DESC, j.id
      LIMIT $2`,
    [clientIds, options.limit ?? null, options.first ?? []],
  );
  await pool.query(
    `INSERT INTO consent_events (consent_id, jobseeker_id, client_id, kind, fields_added, fields_after, texts_hash, actor, created_at)
     SELECT id, jobseeker_id, client_id, 'granted', fields, fields, texts_hash, 'jobseeker', granted_at
       FROM consents c WHERE texts_hash = 'bench-seed'
        AND NOT EXISTS (SELECT 1 FROM consent_events e WHERE e.consent_id = c.id)`,
  );
  await pool.query(
    `INSERT INTO oidc_models (model, id, payload, grant_id, expires_at)
     -- A refresh token is keyed by the hash of its value (src/oidc/hashed-ids.ts), here of one nobody holds.
     SELECT m.model, CASE m.model WHEN 'Grant' THEN c.grant_id
              ELSE rtrim(translate(encode(sha256(convert_to(c.id::text, 'UTF8')), 'base64'), '+/', '-_'), '=') END,
            jsonb_build_object('kind', m.model, 'accountId', c.jobseeker_id, 'clientId', c.client_id,
              'grantId', c.grant_id, 'iat', extract(epoch FROM c.granted_at)::bigint,
              'exp', extract(epoch FROM c.granted_at)::bigint + 2592000,
              'openid', jsonb_build_object('scope', 'openid profile offline_access'),
              'resources', jsonb_build_object('https://bench/api', 'competences statut')),
            c.grant_id, c.granted_at + interval '30 days'
       FROM consents c CROSS JOIN (VALUES ('Grant'), ('RefreshToken')) AS m(model)
      WHERE c.texts_hash = 'bench-seed'
     ON CONFLICT (model, id) DO NOTHING`,
  );
  await pool.query('ANALYZE');
  return inserted.rowCount ?? 0;
}

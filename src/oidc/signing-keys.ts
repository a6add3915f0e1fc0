// Signing keys live in the database, sealed with the configured key, never in the repository. The
// first instance to start generates them under an advisory lock, so concurrent starts agree on one set.
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { Pool } from '../db/pool.ts';
import { withTransaction } from '../db/transaction.ts';

// RS256 is what every OIDC relying party supports by default; ES256 and PS256 serve clients that
// register for them (and the high-assurance profile).
const ALGORITHMS = [
  { alg: 'RS256', options: { modulusLength: 2048 } },
  { alg: 'PS256', options: { modulusLength: 2048 } },
  { alg: 'ES256', options: {} },
] as const;

const PURPOSE = 'signing-key';
const LOCK_ID = 727_001;

async function generate(alg: string, options: { modulusLength?: number }): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { ...options, extractable: true });
  return { ...(await exportJWK(privateKey)), alg, use: 'sig', kid: randomUUID() };
}

export async function loadSigningKeys(pool: Pool, box: SecretBox): Promise<JWK[]> {
  return withTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_ID]);
    const { rows } = await client.query<{ alg: string; encrypted_jwk: string }>(
      'SELECT alg, encrypted_jwk FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC, kid',
    );
    const keys = rows.map((row) => JSON.parse(box.open(row.encrypted_jwk, PURPOSE)) as JWK);
    for (const { alg, options } of ALGORITHMS) {
      if (keys.some((key) => key.alg === alg)) continue;
      const jwk = await generate(alg, options);
      await client.query('INSERT INTO signing_keys (kid, alg, encrypted_jwk) VALUES ($1, $2, $3)', [
        jwk.kid,
        alg,
        box.seal(JSON.stringify(jwk), PURPOSE),
      ]);
      keys.push(jwk);
    }
    return keys;
  });
}

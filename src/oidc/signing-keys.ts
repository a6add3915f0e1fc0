// Signing keys live in the database, sealed with the configured key (KEYS_ENCRYPTION_KEY), never in
// the repository. The first instance to start generates them under an advisory lock, so concurrent
// starts agree on one set.
//
// Life of a key (migrations/012_signing_key_rotation.sql), always judged by the database's clock so
// that every instance agrees:
//   published — in the JWKS from its creation;
//   active    — signs from activates_at on (`keys rotate` sets it a delay after creation, so that
//               every instance, and the relying parties' JWKS caches, know the key before it signs);
//   retired   — out of the JWKS from retires_at, set when a successor is created: the successor's
//               activation plus the longest lifetime of anything the old key may have signed.
// oidc-provider signs with the first key of the wanted algorithm in its keystore: KeyStore#selectForSign
// keeps the configured order among candidates of equal score (helpers/keystore.js, a stable sort) and
// models/id_token.js and models/formats/jwt.js take element [0]. The key set is therefore ordered
// active keys first, the most recently activated first, and keys not yet active last.
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { Pool, Queryable } from '../db/pool.ts';
import { withTransaction } from '../db/transaction.ts';

// RS256 is what every OIDC relying party supports by default; ES256 and PS256 serve clients that
// register for them (and the high-assurance profile).
export const SIGNING_ALGORITHMS = [
  { alg: 'RS256', options: { modulusLength: 2048 } },
  { alg: 'PS256', options: { modulusLength: 2048 } },
  { alg: 'ES256', options: {} },
] as const;

/** ttl.IdToken in provider-config.ts: the longest-lived thing our keys sign (access tokens are opaque). */
export const ID_TOKEN_TTL_SECONDS = 3600;

const PURPOSE = 'signing-key';
const LOCK_ID = 727_001;

/** How long an old key must stay published after its successor starts signing. */
export function retireAfterSeconds(config: {
  accessTokenTtlSeconds: number;
  keys: { pollIntervalSeconds: number };
}): number {
  // An instance may go on signing with the old key until its next poll after the activation.
  return Math.max(ID_TOKEN_TTL_SECONDS, config.accessTokenTtlSeconds) + config.keys.pollIntervalSeconds;
}

async function generate(alg: string, options: { modulusLength?: number }): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { ...options, extractable: true });
  return { ...(await exportJWK(privateKey)), alg, use: 'sig', kid: randomUUID() };
}

const PUBLISHED = 'retired_at IS NULL AND (retires_at IS NULL OR retires_at > now())';

export interface KeyMarker {
  /** the published kids, in keystore order, each with whether it signs: changes when a provider must be rebuilt */
  fingerprint: string;
  /** milliseconds until the next known activation or retirement, if any */
  nextChangeMs: number | undefined;
}

export interface KeySet extends KeyMarker {
  keys: JWK[];
}

type MarkerRow = { kid: string; active: boolean; next_change: number | null };

function markerOf(rows: MarkerRow[]): KeyMarker {
  const next = rows
    .map((r) => r.next_change)
    .filter((s): s is number => s !== null)
    .map(Number);
  return {
    fingerprint: rows.map((r) => `${r.kid}:${r.active ? 'active' : 'pending'}`).join(','),
    nextChangeMs: next.length ? Math.max(0, Math.min(...next) * 1000) : undefined,
  };
}

const MARKER_COLUMNS = `kid, activates_at <= now() AS active,
  extract(epoch FROM least(
    CASE WHEN activates_at > now() THEN activates_at END,
    CASE WHEN retires_at > now() THEN retires_at END) - now())::float8 AS next_change`;
const KEYSTORE_ORDER = 'ORDER BY activates_at <= now() DESC, activates_at DESC, kid';

/** The cheap poll: which keys are published and active now, without reading or opening them. */
export async function readKeyMarker(db: Queryable): Promise<KeyMarker> {
  const { rows } = await db.query<MarkerRow>(
    `SELECT ${MARKER_COLUMNS} FROM signing_keys WHERE ${PUBLISHED} ${KEYSTORE_ORDER}`,
  );
  return markerOf(rows);
}

/** The published keys, opened, in the order oidc-provider must see them. */
export async function loadKeySet(db: Queryable, box: SecretBox): Promise<KeySet> {
  const { rows } = await db.query<MarkerRow & { encrypted_jwk: string }>(
    `SELECT ${MARKER_COLUMNS}, encrypted_jwk FROM signing_keys WHERE ${PUBLISHED} ${KEYSTORE_ORDER}`,
  );
  return {
    ...markerOf(rows),
    keys: rows.map((row) => JSON.parse(box.open(row.encrypted_jwk, PURPOSE)) as JWK),
  };
}

/** At start: an active key for every algorithm, generated (active at once) where there is none. */
export async function ensureSigningKeys(pool: Pool, box: SecretBox): Promise<void> {
  await withTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_ID]);
    // clock_timestamp(), not now(): now() is when this transaction began, possibly before another
    // instance that held the lock committed its keys, which would then look not yet active.
    const { rows } = await client.query<{ alg: string }>(
      `SELECT DISTINCT alg FROM signing_keys WHERE ${PUBLISHED} AND activates_at <= clock_timestamp()`,
    );
    const present = new Set(rows.map((r) => r.alg));
    for (const { alg, options } of SIGNING_ALGORITHMS) {
      if (present.has(alg)) continue;
      const jwk = await generate(alg, options);
      await client.query(
        'INSERT INTO signing_keys (kid, alg, encrypted_jwk, activates_at) VALUES ($1, $2, $3, now())',
        [jwk.kid, alg, box.seal(JSON.stringify(jwk), PURPOSE)],
      );
    }
  });
}

export interface RotatedKey {
  kid: string;
  alg: string;
  activates_at: Date;
}

export interface RetiringKey {
  kid: string;
  alg: string;
  retires_at: Date;
}

/**
 * A new key per algorithm, published now and active after `activationDelaySeconds`. The key signing
 * until then is given its retirement date: the new key's activation + `retireAfterSeconds`. A key of
 * an earlier rotation that is not active yet has never signed anything: it is withdrawn at once.
 */
export async function rotateSigningKeys(
  pool: Pool,
  box: SecretBox,
  options: { activationDelaySeconds: number; retireAfterSeconds: number },
): Promise<{ created: RotatedKey[]; retiring: RetiringKey[]; withdrawn: string[] }> {
  const jwks = await Promise.all(SIGNING_ALGORITHMS.map(({ alg, options: o }) => generate(alg, o)));
  return withTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_ID]);
    const created: RotatedKey[] = [];
    const retiring: RetiringKey[] = [];
    const withdrawn: string[] = [];
    for (const jwk of jwks) {
      const { rows } = await client.query<RotatedKey>(
        `INSERT INTO signing_keys (kid, alg, encrypted_jwk, activates_at)
         VALUES ($1, $2, $3, now() + make_interval(secs => $4))
         RETURNING kid, alg, activates_at`,
        [jwk.kid, jwk.alg, box.seal(JSON.stringify(jwk), PURPOSE), options.activationDelaySeconds],
      );
      const key = rows[0] as RotatedKey;
      created.push(key);
      const pending = await client.query<{ kid: string }>(
        `UPDATE signing_keys SET retired_at = now()
          WHERE alg = $1 AND kid <> $2 AND ${PUBLISHED} AND activates_at > now()
          RETURNING kid`,
        [key.alg, key.kid],
      );
      withdrawn.push(...pending.rows.map((r) => r.kid));
      // The current signer (the most recently activated key) signs until the new key is active; any
      // other active key without a retirement date gets the same one.
      const superseded = await client.query<RetiringKey>(
        `UPDATE signing_keys SET retires_at = $3::timestamptz + make_interval(secs => $4)
          WHERE alg = $1 AND kid <> $2 AND ${PUBLISHED} AND activates_at <= now()
            AND (retires_at IS NULL OR kid = (
              SELECT kid FROM signing_keys
               WHERE alg = $1 AND kid <> $2 AND ${PUBLISHED} AND activates_at <= now()
               ORDER BY activates_at DESC, kid LIMIT 1))
          RETURNING kid, alg, retires_at`,
        [key.alg, key.kid, key.activates_at, options.retireAfterSeconds],
      );
      retiring.push(...superseded.rows);
    }
    return { created, retiring, withdrawn };
  });
}

export interface SigningKeyRow {
  kid: string;
  alg: string;
  state: 'pending' | 'active' | 'superseded' | 'retired';
  created_at: Date;
  activates_at: Date;
  retires_at: Date | null;
}

/** Every key with its state now (the operator's view; no key material). */
export async function listSigningKeys(db: Queryable): Promise<SigningKeyRow[]> {
  const { rows } = await db.query<SigningKeyRow>(
    `SELECT kid, alg, created_at, activates_at, coalesce(retired_at, retires_at) AS retires_at,
            CASE WHEN NOT (${PUBLISHED}) THEN 'retired'
                 WHEN activates_at > now() THEN 'pending'
                 WHEN EXISTS (SELECT 1 FROM signing_keys n
                               WHERE n.alg = k.alg AND n.activates_at > k.activates_at
                                 AND n.activates_at <= now() AND n.retired_at IS NULL) THEN 'superseded'
                 ELSE 'active' END AS state
       FROM signing_keys k
      ORDER BY alg, activates_at DESC`,
  );
  return rows;
}

/** The key that signs with `alg` now (the most recently activated), opened: for tokens we sign
 * ourselves outside oidc-provider (security events, src/ssf/). */
export async function loadActiveSigningKey(
  db: Queryable,
  box: SecretBox,
  alg: string,
): Promise<JWK | undefined> {
  const { rows } = await db.query<{ encrypted_jwk: string }>(
    `SELECT encrypted_jwk FROM signing_keys
      WHERE alg = $1 AND ${PUBLISHED} AND activates_at <= now()
      ORDER BY activates_at DESC, kid LIMIT 1`,
    [alg],
  );
  return rows[0] ? (JSON.parse(box.open(rows[0].encrypted_jwk, PURPOSE)) as JWK) : undefined;
}

export interface PublicKeyEver {
  jwk: JWK;
  activates_at: Date;
  /** when it stopped being published (null: still published, without a date yet) */
  retires_at: Date | null;
}

/** Every key we ever signed with, public parts only, with its signing period: what verifies a signed
 * consent receipt after its key has left the JWKS (src/receipts/). */
export async function listPublicKeysEver(db: Queryable, box: SecretBox): Promise<PublicKeyEver[]> {
  const { rows } = await db.query<{ encrypted_jwk: string; activates_at: Date; retires_at: Date | null }>(
    `SELECT encrypted_jwk, activates_at, coalesce(retired_at, retires_at) AS retires_at
       FROM signing_keys ORDER BY activates_at DESC, kid`,
  );
  return rows.map((row) => {
    const {
      d: _d,
      p: _p,
      q: _q,
      dp: _dp,
      dq: _dq,
      qi: _qi,
      ...pub
    } = JSON.parse(box.open(row.encrypted_jwk, PURPOSE)) as JWK;
    return { jwk: pub, activates_at: row.activates_at, retires_at: row.retires_at };
  });
}

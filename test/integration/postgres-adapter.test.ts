// oidc-provider's adapter contract on a real PostgreSQL: what the provider stores is what it reads
// back, expired rows are invisible, a code is consumed once, and a replay wipes the whole grant.
import { randomBytes } from 'node:crypto';
import { type AdapterPayload, errors } from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../src/db/pool.ts';
import { createLogger } from '../../src/logger.ts';
import { storedId } from '../../src/oidc/hashed-ids.ts';
import { purgeExpiredModels } from '../../src/oidc/oidc-model-queries.ts';
import { createPostgresAdapterClass } from '../../src/oidc/postgres-adapter.ts';
import { eventually } from '../support/eventually.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

let db: TestDatabase;
let Adapter: ReturnType<typeof createPostgresAdapterClass>;
beforeAll(async () => {
  db = await createTestDatabase();
  Adapter = createPostgresAdapterClass(db.pool);
});
afterAll(() => db?.drop());

const newId = () => randomBytes(12).toString('base64url');
const payload = (over: Partial<AdapterPayload> = {}): AdapterPayload => ({
  jti: newId(),
  kind: 'AccessToken',
  accountId: 'account-1',
  clientId: 'client-1',
  ...over,
});

async function countRows(where: string, params: unknown[]): Promise<number> {
  const { rows } = await db.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM oidc_models WHERE ${where}`,
    params,
  );
  return (rows[0] as { n: number }).n;
}

async function expireNow(model: string, id: string) {
  await db.pool.query(
    "UPDATE oidc_models SET expires_at = now() - interval '1 second' WHERE model = $1 AND id = $2",
    [model, storedId(model, id)],
  );
}

// One grant with everything oidc-provider hangs off it.
async function storeGrant(grantId = newId()) {
  const ids = { code: newId(), access: newId(), refresh: newId() };
  await new Adapter('Grant').upsert(grantId, payload({ kind: 'Grant', jti: grantId }), 3600);
  await new Adapter('AuthorizationCode').upsert(
    ids.code,
    payload({ kind: 'AuthorizationCode', grantId }),
    60,
  );
  await new Adapter('AccessToken').upsert(ids.access, payload({ grantId }), 600);
  await new Adapter('RefreshToken').upsert(ids.refresh, payload({ kind: 'RefreshToken', grantId }), 3600);
  return { grantId, ...ids };
}

describe('postgres adapter', () => {
  it('returns what was upserted, under its own model only', async () => {
    const id = newId();
    const stored = payload({ jti: id, scope: 'openid competences', extra: { nested: [1, 'two'] } });
    await new Adapter('AccessToken').upsert(id, stored, 600);
    expect(await new Adapter('AccessToken').find(id)).toEqual(stored);
    expect(await new Adapter('RefreshToken').find(id)).toBeUndefined();
    expect(await new Adapter('AccessToken').find(newId())).toBeUndefined();
  });

  it('replaces the payload when the same id is upserted again', async () => {
    const id = newId();
    const adapter = new Adapter('Session');
    await adapter.upsert(id, payload({ jti: id, kind: 'Session', accountId: 'first', transient: true }), 600);
    const second = payload({ jti: id, kind: 'Session', accountId: 'second' });
    await adapter.upsert(id, second, 600);
    const found = await adapter.find(id);
    expect(found).toEqual(second);
    expect(found).not.toHaveProperty('transient');
    expect(await countRows('model = $1 AND id = $2', ['Session', storedId('Session', id)])).toBe(1);
  });

  it('never returns an expired row from find or findByUid', async () => {
    const adapter = new Adapter('Session');
    const id = newId();
    const uid = newId();
    await adapter.upsert(id, payload({ kind: 'Session', uid }), 600);
    expect(await adapter.find(id)).toBeDefined();
    expect(await adapter.findByUid(uid)).toBeDefined();
    await expireNow('Session', id);
    expect(await adapter.find(id)).toBeUndefined();
    expect(await adapter.findByUid(uid)).toBeUndefined();
  });

  it('lets a row expire on its own after expiresIn seconds', async () => {
    const adapter = new Adapter('Interaction');
    const id = newId();
    await adapter.upsert(id, payload({ kind: 'Interaction' }), 1);
    expect(await adapter.find(id)).toBeDefined();
    // Gone once its second is past, without anything deleting it.
    await eventually(async () => expect(await adapter.find(id)).toBeUndefined(), { timeoutMs: 5_000 });
  });

  it('finds a session by its uid', async () => {
    const adapter = new Adapter('Session');
    const id = newId();
    const uid = newId();
    const { jti: _, ...stored } = payload({ jti: id, kind: 'Session', uid });
    await adapter.upsert(id, { ...stored, jti: id }, 600);
    // Found by its uid, the session comes back without its id, which only its cookie holds.
    expect(await adapter.findByUid(uid)).toEqual(stored);
    expect(await adapter.findByUid(newId())).toBeUndefined();
    expect(await new Adapter('Interaction').findByUid(uid)).toBeUndefined();
  });

  it('marks a consumed row with `consumed` in epoch seconds', async () => {
    const { code } = await storeGrant();
    const adapter = new Adapter('AuthorizationCode');
    expect(await adapter.find(code)).not.toHaveProperty('consumed');
    const before = Math.floor(Date.now() / 1000);
    await adapter.consume(code);
    const found = await adapter.find(code);
    expect(Number.isInteger(found?.consumed)).toBe(true);
    expect(found?.consumed).toBeGreaterThanOrEqual(before - 5);
    expect(found?.consumed).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 5);
  });

  it('fails a second consume with InvalidGrant and deletes every row of that grant, grant included', async () => {
    const target = await storeGrant();
    const other = await storeGrant();
    const adapter = new Adapter('AuthorizationCode');
    await adapter.consume(target.code);
    expect(await countRows('grant_id = $1', [target.grantId])).toBe(4);

    const second = adapter.consume(target.code);
    await expect(second).rejects.toBeInstanceOf(errors.InvalidGrant);
    await expect(second).rejects.toMatchObject({ error: 'invalid_grant', statusCode: 400 });

    expect(await countRows('grant_id = $1 OR id = $1', [target.grantId])).toBe(0);
    expect(await new Adapter('Grant').find(target.grantId)).toBeUndefined();
    expect(await new Adapter('AccessToken').find(target.access)).toBeUndefined();
    expect(await new Adapter('RefreshToken').find(target.refresh)).toBeUndefined();
    // Another grant is untouched.
    expect(await countRows('grant_id = $1', [other.grantId])).toBe(4);
  });

  it('lets exactly one of many parallel consumes succeed', async () => {
    const { code, grantId } = await storeGrant();
    const adapter = new Adapter('AuthorizationCode');
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => adapter.consume(code)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes.filter((o) => o.status === 'rejected')) {
      expect(o.reason).toBeInstanceOf(errors.InvalidGrant);
    }
    expect(await countRows('grant_id = $1', [grantId])).toBe(0);
  });

  it('destroys one row', async () => {
    const { access, refresh } = await storeGrant();
    await new Adapter('AccessToken').destroy(access);
    expect(await new Adapter('AccessToken').find(access)).toBeUndefined();
    expect(await new Adapter('RefreshToken').find(refresh)).toBeDefined();
  });

  it("revokes by grant id only that model's rows of that grant", async () => {
    const target = await storeGrant();
    const other = await storeGrant();
    await new Adapter('AccessToken').revokeByGrantId(target.grantId);
    expect(await new Adapter('AccessToken').find(target.access)).toBeUndefined();
    expect(await new Adapter('RefreshToken').find(target.refresh)).toBeDefined();
    expect(await new Adapter('AuthorizationCode').find(target.code)).toBeDefined();
    expect(await new Adapter('Grant').find(target.grantId)).toBeDefined();
    expect(await new Adapter('AccessToken').find(other.access)).toBeDefined();
  });

  it('keys tokens, codes, sessions and interactions by a hash, and keeps the value out of the payload', async () => {
    const { grantId, code, access, refresh } = await storeGrant();
    const session = newId();
    await new Adapter('Session').upsert(
      session,
      payload({ jti: session, kind: 'Session', uid: newId() }),
      600,
    );
    for (const [model, id] of [
      ['AuthorizationCode', code],
      ['AccessToken', access],
      ['RefreshToken', refresh],
      ['Session', session],
    ] as const) {
      const { rows } = await db.pool.query<{ id: string; payload: string }>(
        'SELECT id, payload::text FROM oidc_models WHERE model = $1 AND id = $2',
        [model, storedId(model, id)],
      );
      expect(rows, model).toHaveLength(1);
      expect(rows[0]?.id, model).toMatch(/^[\w-]{43}$/);
      expect(rows[0]?.id, model).not.toBe(id);
      expect(rows[0]?.payload, model).not.toContain(id);
      expect(await countRows('model = $1 AND id = $2', [model, id]), model).toBe(0);
    }
    // A grant is named by its tokens: it stays under its own id.
    expect(await countRows("model = 'Grant' AND id = $1", [grantId])).toBe(1);
  });

  it("stores an interaction without the session cookie's value or its own id, and gives both back", async () => {
    const uid = newId();
    const cookie = newId();
    const interaction = payload({
      jti: uid,
      kind: 'Interaction',
      returnTo: `https://issuer.example/auth/${uid}`,
      session: { accountId: 'account-1', uid: newId(), cookie },
    });
    const adapter = new Adapter('Interaction');
    await adapter.upsert(uid, interaction, 600);
    const { rows } = await db.pool.query<{ row: string }>(
      "SELECT id || ' ' || payload::text AS row FROM oidc_models WHERE model = 'Interaction'",
    );
    const stored = rows.map((r) => r.row).join('\n');
    expect(stored).not.toContain(uid);
    expect(stored).not.toContain(cookie);
    const found = await adapter.find(uid);
    expect(found?.returnTo).toBe(`https://issuer.example/auth/${uid}`);
    expect(found?.jti).toBe(uid);
    expect(found?.session).toEqual({ accountId: 'account-1', uid: interaction.session?.uid });
  });

  it('purges only expired rows, at most `batch` at a time', async () => {
    await db.pool.query('DELETE FROM oidc_models');
    const adapter = new Adapter('AccessToken');
    const expired = Array.from({ length: 5 }, newId);
    const live = Array.from({ length: 3 }, newId);
    for (const id of [...expired, ...live]) await adapter.upsert(id, payload(), 600);
    const eternal = newId();
    await new Adapter('Grant').upsert(eternal, payload({ kind: 'Grant' }), 0);
    for (const id of expired) await expireNow('AccessToken', id);

    expect(await purgeExpiredModels(db.pool, 2)).toBe(2);
    expect(await countRows('true', [])).toBe(7);
    expect(await purgeExpiredModels(db.pool, 2)).toBe(2);
    expect(await purgeExpiredModels(db.pool, 2)).toBe(1);
    expect(await purgeExpiredModels(db.pool, 2)).toBe(0);

    const { rows } = await db.pool.query<{ id: string }>('SELECT id FROM oidc_models');
    expect(rows.map((r) => r.id).sort()).toEqual(
      [...live.map((id) => storedId('AccessToken', id)), eternal].sort(),
    );
  });
});

describe('postgres adapter without a database', () => {
  it('fails fast with a 503 when the database cannot be reached', async () => {
    const pool = createPool(
      {
        connectionString: 'postgres://postgres@127.0.0.1:1/x',
        max: 1,
        connectTimeoutMs: 500,
        statementTimeoutMs: 1000,
      },
      createLogger('silent'),
    );
    try {
      const adapter = new (createPostgresAdapterClass(pool))('AccessToken');
      const started = performance.now();
      const error = await adapter.find('whatever').then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(performance.now() - started).toBeLessThan(3_000);
      expect(error).toMatchObject({ statusCode: 503, error: 'temporarily_unavailable' });
      await expect(adapter.upsert('x', payload(), 60)).rejects.toMatchObject({ statusCode: 503 });
    } finally {
      await pool.end();
    }
  });
});

describe('replay detection', () => {
  it('records a jti once: a parallel second record of the same jti fails', async () => {
    const Adapter = createPostgresAdapterClass(db.pool);
    const replay = new Adapter('ReplayDetection');
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => replay.upsert('jti-once', { iss: 'client' } as never, 60)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(
      results
        .filter((r) => r.status === 'rejected')
        .every((r) => (r as PromiseRejectedResult).reason.error === 'invalid_request'),
    ).toBe(true);
  });
});

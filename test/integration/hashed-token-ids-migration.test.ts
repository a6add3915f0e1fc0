// migrations/020_hashed_token_ids.sql on rows as the previous version stored them (value as id and
// as jti): afterwards the values are nowhere in the table, and the adapter finds every row by the
// value it was issued as, so nobody is logged out and no app loses its tokens.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresAdapterClass } from '../../src/oidc/postgres-adapter.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.drop());

const MIGRATION = readFileSync(new URL('../../migrations/020_hashed_token_ids.sql', import.meta.url), 'utf8');
const newId = () => randomBytes(32).toString('base64url').slice(0, 43);

describe('migration 020: token ids hashed at rest', () => {
  it('moves clear rows forward: no value left in the table, every one still found', async () => {
    const grantId = newId();
    const ids = {
      AccessToken: newId(),
      RefreshToken: newId(),
      AuthorizationCode: newId(),
      InitialAccessToken: newId(),
      PushedAuthorizationRequest: newId(),
      Session: newId(),
      Interaction: newId(),
    };
    const sessionUid = newId();
    const old = (
      model: string,
      id: string,
      extra: Record<string, unknown> = {},
    ): { model: string; id: string; payload: Record<string, unknown> } => ({
      model,
      id,
      payload: {
        jti: id,
        kind: model,
        iat: 1,
        exp: 4_000_000_000,
        accountId: 'a',
        clientId: 'c',
        ...extra,
      },
    });
    const rows = [
      old('Grant', grantId),
      old('AccessToken', ids.AccessToken, { grantId }),
      old('RefreshToken', ids.RefreshToken, { grantId }),
      old('AuthorizationCode', ids.AuthorizationCode, { grantId }),
      old('InitialAccessToken', ids.InitialAccessToken),
      old('PushedAuthorizationRequest', ids.PushedAuthorizationRequest),
      old('Session', ids.Session, { uid: sessionUid }),
      old('Interaction', ids.Interaction, {
        returnTo: `https://issuer.example/auth/${ids.Interaction}`,
        session: { accountId: 'a', uid: sessionUid, cookie: ids.Session },
      }),
      // An interaction saved before any redirect target was known.
      old('Interaction', newId()),
    ];
    for (const r of rows) {
      await db.pool.query(
        `INSERT INTO oidc_models (model, id, payload, grant_id, uid, expires_at)
         VALUES ($1, $2, $3, $4, $5, now() + interval '1 hour')`,
        [
          r.model,
          r.id,
          r.payload,
          r.payload.grantId ?? (r.model === 'Grant' ? r.id : null),
          r.payload.uid ?? null,
        ],
      );
    }

    await db.pool.query(MIGRATION);

    const { rows: after } = await db.pool.query<{ row: string }>(
      "SELECT concat_ws(' ', model, id, payload::text) AS row FROM oidc_models",
    );
    expect(after).toHaveLength(rows.length);
    for (const [model, id] of Object.entries(ids)) {
      expect(
        after.filter((r) => r.row.includes(id)),
        `${model} still in clear`,
      ).toEqual([]);
    }
    const Adapter = createPostgresAdapterClass(db.pool);
    for (const [model, id] of Object.entries(ids)) {
      const found = await new Adapter(model).find(id);
      expect(found, model).toMatchObject({ jti: id, kind: model });
    }
    expect((await new Adapter('Interaction').find(ids.Interaction))?.returnTo).toBe(
      `https://issuer.example/auth/${ids.Interaction}`,
    );
    expect(await new Adapter('Session').findByUid(sessionUid)).toMatchObject({ accountId: 'a' });
    expect(await new Adapter('Grant').find(grantId)).toMatchObject({ jti: grantId });
  });
});

// A minimal oidc-provider adapter on PostgreSQL for the baseline: one table, a jsonb payload, the
// lookups oidc-provider needs and nothing else (no 503 mapping, no replay revocation).
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type pg from 'pg';

export const BARE_SCHEMA = `
CREATE TABLE IF NOT EXISTS bare_oidc_models (
  model text NOT NULL, id text NOT NULL, payload jsonb NOT NULL, grant_id text, uid text,
  expires_at timestamptz, consumed_at timestamptz, PRIMARY KEY (model, id));
CREATE INDEX IF NOT EXISTS bare_oidc_models_grant_idx ON bare_oidc_models (grant_id);
CREATE INDEX IF NOT EXISTS bare_oidc_models_uid_idx ON bare_oidc_models (uid);`;

export function bareAdapter(pool: pg.Pool) {
  return class BarePostgresAdapter implements Adapter {
    readonly model: string;
    constructor(model: string) {
      this.model = model;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      await pool.query(
        `INSERT INTO bare_oidc_models (model, id, payload, grant_id, uid, expires_at)
         VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))
         ON CONFLICT (model, id) DO UPDATE SET payload = EXCLUDED.payload, expires_at = EXCLUDED.expires_at`,
        [this.model, id, payload, payload.grantId ?? null, payload.uid ?? null, expiresIn],
      );
    }

    private async findBy(column: 'id' | 'uid', value: string): Promise<AdapterPayload | undefined> {
      const { rows } = await pool.query<{ payload: AdapterPayload; consumed: string | null }>(
        `SELECT payload, extract(epoch FROM consumed_at)::bigint AS consumed FROM bare_oidc_models
          WHERE model = $1 AND ${column} = $2 AND expires_at > now()`,
        [this.model, value],
      );
      const row = rows[0];
      if (!row) return undefined;
      return row.consumed ? { ...row.payload, consumed: Number(row.consumed) } : row.payload;
    }

    find(id: string) {
      return this.findBy('id', id);
    }

    findByUid(uid: string) {
      return this.findBy('uid', uid);
    }

    async findByUserCode(): Promise<undefined> {
      return undefined; // the device flow is not enabled
    }

    async consume(id: string): Promise<void> {
      await pool.query('UPDATE bare_oidc_models SET consumed_at = now() WHERE model = $1 AND id = $2', [
        this.model,
        id,
      ]);
    }

    async destroy(id: string): Promise<void> {
      await pool.query('DELETE FROM bare_oidc_models WHERE model = $1 AND id = $2', [this.model, id]);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await pool.query('DELETE FROM bare_oidc_models WHERE model = $1 AND grant_id = $2', [
        this.model,
        grantId,
      ]);
    }
  };
}

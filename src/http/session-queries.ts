import type { Queryable } from '../db/pool.ts';

export async function findSession(
  db: Queryable,
  idHash: string,
): Promise<Record<string, unknown> | undefined> {
  const { rows } = await db.query<{ data: Record<string, unknown> }>({
    name: 'web-session-find',
    text: 'SELECT data FROM web_sessions WHERE id_hash = $1 AND expires_at > now()',
    values: [idHash],
  });
  return rows[0]?.data;
}

export async function saveSession(
  db: Queryable,
  idHash: string,
  data: object,
  maxAgeMs: number,
): Promise<void> {
  await db.query({
    name: 'web-session-save',
    text: `INSERT INTO web_sessions (id_hash, data, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3::double precision))
           ON CONFLICT (id_hash) DO UPDATE SET data = EXCLUDED.data, expires_at = EXCLUDED.expires_at`,
    values: [idHash, data, maxAgeMs / 1000],
  });
}

export async function deleteSession(db: Queryable, idHash: string): Promise<void> {
  await db.query('DELETE FROM web_sessions WHERE id_hash = $1', [idHash]);
}

export async function purgeExpiredSessions(db: Queryable, batch: number): Promise<number> {
  const result = await db.query(
    'DELETE FROM web_sessions WHERE id_hash IN (SELECT id_hash FROM web_sessions WHERE expires_at < now() LIMIT $1)',
    [batch],
  );
  return result.rowCount ?? 0;
}

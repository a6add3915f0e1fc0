import type pg from 'pg';
import type { Pool } from './pool.ts';

// Runs fn in one transaction. Serialisation failures and deadlocks are retried a few times, since the
// callers (consent changes) are written to be replayed from the start.
// A checked-out client has no error listener of the pool's: if its connection dies (the server is
// stopped, the backend terminated) pg emits 'error' on it, which would crash the process. The listener
// below takes it; the query in flight fails on its own and the broken client is discarded on release.
export async function withTransaction<T>(
  pool: Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
  isolation: 'READ COMMITTED' | 'SERIALIZABLE' = 'READ COMMITTED',
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken: Error | undefined;
    const onError = (err: Error) => {
      broken = err;
    };
    client.on('error', onError);
    try {
      await client.query(`BEGIN ISOLATION LEVEL ${isolation}`);
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        broken ??= rollbackError;
      });
      const code = (err as { code?: string }).code;
      if ((code === '40001' || code === '40P01') && attempt < 5) continue;
      throw err;
    } finally {
      client.removeListener('error', onError);
      client.release(broken);
    }
  }
}

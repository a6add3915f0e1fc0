// LISTEN ssf_outbox (migrations/094_ssf_outbox_notify.sql) on a connection of its own, so that a
// consent change reaches the app within milliseconds rather than at the worker's next periodic pass.
// Best effort: a lost connection is re-opened after a pause, and the periodic pass covers what a
// missed notification would have woken (or a PgBouncer in transaction mode, where LISTEN does not work).
import pg from 'pg';
import type { Logger } from 'pino';
import type { Pool } from '../db/pool.ts';

const RECONNECT_MS = 5_000;

export function listenForOutbox(pool: Pool, logger: Logger, wake: () => void): () => Promise<void> {
  let client: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  const connect = async () => {
    if (closed) return;
    const c = new pg.Client({
      ...(pool.options as pg.ClientConfig),
      application_name: 'pole-emploi-connect-ssf',
    });
    c.on('notification', () => wake());
    c.on('error', (err) => {
      logger.warn({ err: { message: err.message } }, 'SET wake-up connection lost; reconnecting');
      c.end().catch(() => undefined);
      if (client === c) client = undefined;
      if (!closed) retry = setTimeout(connect, RECONNECT_MS).unref();
    });
    try {
      await c.connect();
      await c.query('LISTEN ssf_outbox');
      if (closed) await c.end();
      else client = c;
    } catch (err) {
      logger.warn(
        { err: { message: (err as Error).message } },
        'cannot LISTEN for SETs; periodic delivery only',
      );
      c.end().catch(() => undefined);
      if (!closed) retry = setTimeout(connect, RECONNECT_MS).unref();
    }
  };
  void connect();

  return async () => {
    closed = true;
    if (retry) clearTimeout(retry);
    await client?.end().catch(() => undefined);
  };
}

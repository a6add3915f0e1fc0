import type { Queryable } from '../db/pool.ts';

export async function insertOutboxMessage(
  db: Queryable,
  message: { to: string; subject: string; body: string },
): Promise<string | undefined> {
  const { rows } = await db.query<{ id: string }>(
    'INSERT INTO mail_outbox (recipient, subject, body) VALUES ($1, $2, $3) RETURNING id::text',
    [message.to, message.subject, message.body],
  );
  return rows[0]?.id;
}

/** The latest messages, newest first (the CLI's `mail outbox`, for development). */
export async function latestOutboxMessages(db: Queryable, limit: number) {
  const { rows } = await db.query<{
    id: string;
    recipient: string;
    subject: string;
    body: string;
    created_at: Date;
  }>('SELECT id::text, recipient, subject, body, created_at FROM mail_outbox ORDER BY id DESC LIMIT $1', [
    limit,
  ]);
  return rows;
}

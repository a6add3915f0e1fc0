// Verifies the hash chains of the append-only logs (migrations/013_hash_chains.sql): walks each chain
// in order, recomputes every hash here (sha256 of the previous hash and the row's canonical content,
// which the database renders with the same function its trigger uses) and checks every link. Reports
// the first row that does not hold: its content changed, a row before it was removed or inserted out
// of band, or it carries no link at all. The head (last position and hash) is reported so that it can
// be recorded elsewhere: removing rows from the end of a chain is only visible against such a record.
import { createHash } from 'node:crypto';
import type { Queryable } from '../db/pool.ts';

export const CHAINS = {
  consent_events: 'consent_events_canonical',
  admin_audit: 'admin_audit_canonical',
} as const;

export type ChainName = keyof typeof CHAINS;

export const GENESIS = '0'.repeat(64);

export interface ChainReport {
  chain: ChainName;
  ok: boolean;
  rows: number;
  head: { seq: number; hash: string } | null;
  /** the first row that breaks the chain */
  brokenId?: string;
  reason?: string;
}

type LinkRow = {
  id: string;
  chain_seq: string | null;
  prev_hash: string | null;
  hash: string | null;
  content: string;
};

const BATCH = 5_000;

export async function verifyChain(db: Queryable, chain: ChainName): Promise<ChainReport> {
  const canonical = CHAINS[chain];
  // Names come from the fixed map above, never from input.
  const select = `SELECT id::text, chain_seq::text, prev_hash, hash, ${canonical}(t) AS content FROM ${chain} t`;
  const report = (
    rows: number,
    head: ChainReport['head'],
    broken?: { id: string; reason: string },
  ): ChainReport => ({
    chain,
    ok: !broken,
    rows,
    head,
    ...(broken ? { brokenId: broken.id, reason: broken.reason } : {}),
  });

  let expectedPrev = GENESIS;
  let position = 0;
  let head: ChainReport['head'] = null;
  for (;;) {
    const { rows } = await db.query<LinkRow>(
      // t.chain_seq, the bigint: the output column of that name is text.
      `${select} WHERE t.chain_seq > $1 ORDER BY t.chain_seq LIMIT ${BATCH}`,
      [position],
    );
    for (const row of rows) {
      position += 1;
      if (Number(row.chain_seq) !== position)
        return report(position - 1, head, {
          id: row.id,
          reason: `expected position ${position}, found ${row.chain_seq}`,
        });
      if (row.prev_hash !== expectedPrev)
        return report(position - 1, head, { id: row.id, reason: 'does not follow the row before it' });
      const hash = createHash('sha256').update(`${row.prev_hash}${row.content}`, 'utf8').digest('hex');
      if (hash !== row.hash)
        return report(position - 1, head, { id: row.id, reason: 'content does not match its hash' });
      expectedPrev = hash;
      head = { seq: position, hash };
    }
    if (rows.length < BATCH) break;
  }
  // A row outside the chain (inserted with the trigger disabled) is a break too.
  const stray = await db.query<{ id: string }>(
    `SELECT id::text FROM ${chain} WHERE chain_seq IS NULL OR hash IS NULL ORDER BY id LIMIT 1`,
  );
  if (stray.rows[0])
    return report(position, head, { id: stray.rows[0].id, reason: 'not linked into the chain' });
  return report(position, head);
}

export async function verifyChains(db: Queryable): Promise<ChainReport[]> {
  const reports: ChainReport[] = [];
  for (const chain of Object.keys(CHAINS) as ChainName[]) reports.push(await verifyChain(db, chain));
  return reports;
}

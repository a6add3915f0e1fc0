// Streams a JSON Lines file of jobseekers into the database: constant memory whatever the size,
// each line validated with zod, bad lines reported by number without stopping the good ones,
// idempotent on login (a re-run updates in place, and a jobseeker's data scopes become exactly the
// line's). A line carries a clear password, hashed here, or an existing argon2id hash (a migration
// from another system) at least as strong as the server's own, stored as is. Logins are normalised
// (login-normalisation.ts); a line whose login only becomes an existing, differently written login
// once normalised is refused by its number, and that account is left as it was.
//
// Lines are stored in batches of up to BATCH_SIZE, one transaction each: a multi-row upsert of the
// jobseekers, then one DELETE and one INSERT of their data scopes. A few batches are in flight, and
// the file is read no faster than they are stored. A batch the database refuses is stored again line
// by line, so a refused line is reported by its number and every other line of its batch is stored.
// Lines of one login are applied in file order: a batch ends where its login repeats, and a batch
// waits for any batch in flight that writes one of its logins.
import type { Readable } from 'node:stream';
import type { Catalog } from '../catalog/load-catalog.ts';
import type { Pool } from '../db/pool.ts';
import { withTransaction } from '../db/transaction.ts';
import { AppError } from '../http/app-error.ts';
import { type ImportLine, importLineSchema } from './jobseeker-line.ts';
import {
  analyzeJobseekerTables,
  type JobseekerToSave,
  replaceJobseekersData,
  upsertJobseekers,
} from './jobseeker-queries.ts';
import { parseJsonLine, readLines } from './json-lines.ts';
import { hashPassword } from './password-hasher.ts';

// Measured on 100,000 generated lines: 250 lines a batch and 3 batches in flight import about as fast
// as 500 or 1,000 lines a batch, with less memory; the database, not Node, sets the pace.
const BATCH_SIZE = 250;
const BATCHES_IN_FLIGHT = 3;
// Clear passwords hashed ahead of their batch: enough to keep the hasher busy, well under its queue
// bound (HASH_QUEUE in password-hasher.ts), beyond which a hash is refused at once.
const HASHES_AHEAD = 16;

export interface ImportReport {
  imported: number;
  rejected: { line: number; reason: string }[];
}

type Jobseeker = JobseekerToSave & { data: Record<string, unknown> };

/**
 * Saves jobseekers in one transaction (their logins distinct); returns their ids, in order, undefined
 * for a line whose login collides with a differently written existing login (nothing saved for it).
 */
async function storeJobseekers(
  pool: Pool,
  jobseekers: readonly Jobseeker[],
): Promise<(string | undefined)[]> {
  return withTransaction(pool, async (db) => {
    const saved = new Map((await upsertJobseekers(db, jobseekers)).map((row) => [row.login, row]));
    const entries = jobseekers.flatMap((j) => {
      const row = saved.get(j.login);
      return row ? [{ jobseekerId: row.id, created: row.created, data: j.data }] : [];
    });
    if (entries.length) await replaceJobseekersData(db, entries);
    return jobseekers.map((j) => saved.get(j.login)?.id);
  });
}

export const collision = (j: { login: string; givenLogin: string }) =>
  `l’identifiant « ${j.givenLogin} » devient « ${j.login} » une fois normalisé, qui est un autre compte déjà enregistré : ligne refusée, ce compte n’est pas modifié`;

export async function saveJobseeker(pool: Pool, line: ImportLine): Promise<string> {
  const passwordHash = line.password_hash ?? (await hashPassword(line.password as string));
  const jobseeker = toJobseeker(line, passwordHash);
  const [id] = await storeJobseekers(pool, [jobseeker]);
  if (!id) throw new AppError(409, 'conflict', collision(jobseeker));
  return id;
}

function toJobseeker(line: ImportLine, passwordHash: string): Jobseeker {
  return {
    login: line.login,
    givenLogin: line.givenLogin,
    passwordHash,
    claims: line.claims as Record<string, unknown>,
    data: line.data as Record<string, unknown>,
  };
}

const refusal = (err: Error) => `enregistrement impossible (${(err as { code?: string }).code ?? err.name})`;

interface PendingLine {
  number: number;
  line: ImportLine;
  passwordHash: string | Promise<string>;
}

interface Batch {
  lines: PendingLine[];
  logins: Set<string>;
  /** Batches in flight that write one of this batch's logins: this one is stored after them. */
  after: Set<Promise<void>>;
}

const newBatch = (): Batch => ({ lines: [], logins: new Set(), after: new Set() });

const ANALYZE_AFTER_ROWS = 10_000;

export async function importJobseekers(
  pool: Pool,
  catalog: Catalog,
  input: string | Readable,
  options: {
    /** batches in flight */
    concurrency?: number;
    batchSize?: number;
    onProgress?: (report: ImportReport, lines: number) => void;
  } = {},
): Promise<ImportReport> {
  const schema = importLineSchema(catalog);
  const concurrency = options.concurrency ?? BATCHES_IN_FLIGHT;
  const batchSize = options.batchSize ?? BATCH_SIZE;
  const lines = readLines(input);
  const report: ImportReport = { imported: 0, rejected: [] };
  const reject = (line: number, reason: string) => report.rejected.push({ line, reason });

  async function store(pending: PendingLine[]): Promise<void> {
    const ready: { number: number; jobseeker: Jobseeker }[] = [];
    for (const { number, line, passwordHash } of pending) {
      try {
        ready.push({ number, jobseeker: toJobseeker(line, await passwordHash) });
      } catch (err) {
        reject(number, refusal(err as Error));
      }
    }
    if (!ready.length) return;
    const tally = (stored: (string | undefined)[], lines: typeof ready) =>
      stored.forEach((id, i) => {
        const { number, jobseeker } = lines[i] as (typeof ready)[number];
        if (id) report.imported++;
        else reject(number, collision(jobseeker));
      });
    try {
      tally(
        await storeJobseekers(
          pool,
          ready.map((r) => r.jobseeker),
        ),
        ready,
      );
    } catch {
      // A line the database refuses (a NUL character, say) fails its whole batch: the lines are
      // stored again one by one, to report that line by its number and store all the others.
      for (const line of ready) {
        try {
          tally(await storeJobseekers(pool, [line.jobseeker]), [line]);
        } catch (err) {
          reject(line.number, refusal(err as Error));
        }
      }
    }
  }

  const inFlight = new Set<Promise<void>>();
  // The batch in flight that writes each login, to keep a login's lines in file order.
  const writer = new Map<string, Promise<void>>();
  const hashing = new Set<Promise<void>>();
  let batch = newBatch();

  async function dispatch(): Promise<void> {
    const current = batch;
    batch = newBatch();
    if (!current.lines.length) return;
    const task = Promise.all(current.after)
      .then(() => store(current.lines))
      .finally(() => {
        inFlight.delete(task);
        for (const login of current.logins) if (writer.get(login) === task) writer.delete(login);
      });
    for (const login of current.logins) writer.set(login, task);
    inFlight.add(task);
    // Back-pressure: the file is read no faster than batches are stored.
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
  }

  let number = 0;
  for await (const text of lines) {
    number++;
    if (number % 1000 === 0) options.onProgress?.(report, number);
    if (!text.trim()) continue;
    const read = parseJsonLine(schema, text);
    if (!read.ok) {
      reject(number, read.reason);
      continue;
    }
    const line: ImportLine = read.value;
    let passwordHash: string | Promise<string>;
    if (line.password_hash !== undefined) passwordHash = line.password_hash;
    else {
      passwordHash = hashPassword(line.password as string);
      // Settled either way: a failed hash is reported when its batch is stored.
      const settled = passwordHash.then(
        () => undefined,
        () => undefined,
      );
      hashing.add(settled);
      void settled.then(() => hashing.delete(settled));
      if (hashing.size >= HASHES_AHEAD) await Promise.race(hashing);
    }
    // ON CONFLICT cannot update a row twice in one statement, and a batch is one statement.
    if (batch.logins.has(line.login)) await dispatch();
    const earlier = writer.get(line.login);
    if (earlier) batch.after.add(earlier);
    batch.lines.push({ number, line, passwordHash });
    batch.logins.add(line.login);
    if (batch.lines.length >= batchSize) await dispatch();
  }
  await dispatch();
  await Promise.all(inFlight);
  options.onProgress?.(report, number);
  report.rejected.sort((a, b) => a.line - b.line);
  // PostgreSQL's advice after a bulk load: fresh statistics, so that the next re-import's batched
  // DELETE and the lookups by login use their indexes without waiting for autovacuum (measured: a
  // re-import into 1 M never-analysed rows ran at 628 rows/s, 5,379 after ANALYZE).
  if (report.imported >= ANALYZE_AFTER_ROWS) await analyzeJobseekerTables(pool);
  return report;
}

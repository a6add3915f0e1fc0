// Streams a JSON Lines file of jobseekers into the database: constant memory whatever the size,
// each line validated with zod, bad lines reported by number without stopping the good ones,
// idempotent on login (a re-run updates in place). A line carries a clear password, hashed here, or
// an existing argon2id hash (a migration from another system), stored as is.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Catalog } from '../catalog/load-catalog.ts';
import type { Pool } from '../db/pool.ts';
import { withTransaction } from '../db/transaction.ts';
import { type ImportLine, importLineSchema } from './jobseeker-line.ts';
import { replaceJobseekerData, upsertJobseeker } from './jobseeker-queries.ts';
import { hashPassword } from './password-hasher.ts';

export interface ImportReport {
  imported: number;
  rejected: { line: number; reason: string }[];
}

export async function saveJobseeker(pool: Pool, line: ImportLine): Promise<string> {
  const passwordHash = line.password_hash ?? (await hashPassword(line.password as string));
  return withTransaction(pool, async (db) => {
    const id = await upsertJobseeker(db, {
      login: line.login,
      passwordHash,
      claims: line.claims as Record<string, unknown>,
    });
    await replaceJobseekerData(db, id, line.data as Record<string, unknown>);
    return id;
  });
}

function describe(error: unknown): string {
  if (error instanceof SyntaxError) return 'JSON invalide';
  const issues = (error as { issues?: { path: PropertyKey[]; message: string }[] }).issues;
  if (issues)
    return issues.map((i) => `${i.path.map(String).join('.') || '(ligne)'}: ${i.message}`).join('; ');
  return 'erreur';
}

export async function importJobseekers(
  pool: Pool,
  catalog: Catalog,
  input: string | Readable,
  options: { concurrency?: number; onProgress?: (report: ImportReport, lines: number) => void } = {},
): Promise<ImportReport> {
  const schema = importLineSchema(catalog);
  const concurrency = options.concurrency ?? 4;
  const stream = typeof input === 'string' ? createReadStream(input, 'utf8') : input;
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  const report: ImportReport = { imported: 0, rejected: [] };
  const inFlight = new Set<Promise<void>>();
  let number = 0;

  for await (const text of lines) {
    number++;
    if (!text.trim()) continue;
    const lineNumber = number;
    let parsed: ImportLine;
    try {
      parsed = schema.parse(JSON.parse(text));
    } catch (err) {
      report.rejected.push({ line: lineNumber, reason: describe(err) });
      continue;
    }
    const task = saveJobseeker(pool, parsed)
      .then(() => {
        report.imported++;
      })
      .catch((err: Error) => {
        report.rejected.push({
          line: lineNumber,
          reason: `enregistrement impossible (${(err as { code?: string }).code ?? err.name})`,
        });
      })
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
    // Back-pressure: the file is read no faster than lines are stored.
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
    if (number % 1000 === 0) options.onProgress?.(report, number);
  }
  await Promise.all(inFlight);
  options.onProgress?.(report, number);
  report.rejected.sort((a, b) => a.line - b.line);
  return report;
}

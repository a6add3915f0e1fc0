// `advisors assign FILE`: streams a JSON Lines file of assignments, `{"advisor": "<email>",
// "jobseeker": "<login>"}`, into advisors' portfolios, like the jobseeker import
// (../profiles/jobseeker-import.ts): constant memory, each line validated with zod, bad lines reported
// by number without stopping the good ones, idempotent (a line that repeats the current assignment
// changes nothing). Lines are stored in batches, one transaction each; a jobseeker's lines apply in
// file order (a batch ends where a jobseeker repeats). A reassignment withdraws the mandate the
// jobseeker gave their previous advisor, recorded as a consent event: the new advisor gets nothing
// until the jobseeker agrees again.
import type { Readable } from 'node:stream';
import { z } from 'zod';
import type { Pool } from '../db/pool.ts';
import { withTransaction } from '../db/transaction.ts';
import { parseJsonLine, readLines } from '../profiles/json-lines.ts';
import { normaliseLogin } from '../profiles/login-normalisation.ts';
import { withdrawOnReassignment } from './mandate-queries.ts';
import { resolveAssignments, upsertAssignments } from './portfolio-queries.ts';

const BATCH_SIZE = 500;

const lineSchema = z
  .object({
    advisor: z
      .string()
      .trim()
      .min(3)
      .max(254)
      .refine((v) => !/\p{Cc}/u.test(v), 'caractère de contrôle refusé'),
    jobseeker: z.string().min(1).max(200),
  })
  .strict();

export interface AssignReport {
  assigned: number;
  unchanged: number;
  reassigned: number;
  rejected: { line: number; reason: string }[];
}

export async function importAssignments(pool: Pool, input: string | Readable): Promise<AssignReport> {
  const lines = readLines(input);
  const report: AssignReport = { assigned: 0, unchanged: 0, reassigned: 0, rejected: [] };
  const reject = (line: number, reason: string) => report.rejected.push({ line, reason });
  let batch: { n: number; advisor: string; login: string }[] = [];
  let logins = new Set<string>();

  async function flush() {
    const current = batch;
    batch = [];
    logins = new Set();
    if (!current.length) return;
    await withTransaction(pool, async (db) => {
      const resolved = await resolveAssignments(db, current);
      const pairs: { jobseekerId: string; advisorId: string }[] = [];
      for (const r of resolved) {
        if (!r.advisor_id) reject(r.n, 'conseiller inconnu (aucun compte conseiller avec cette adresse)');
        else if (r.advisor_disabled) reject(r.n, 'ce compte conseiller est désactivé');
        else if (!r.jobseeker_id)
          reject(r.n, 'demandeur d’emploi inconnu (aucun compte avec cet identifiant)');
        else pairs.push({ jobseekerId: r.jobseeker_id, advisorId: r.advisor_id });
      }
      if (!pairs.length) return;
      const changed = await upsertAssignments(db, pairs);
      report.unchanged += pairs.length - changed.length;
      for (const row of changed) {
        if (row.previous) {
          report.reassigned++;
          await withdrawOnReassignment(db, row.jobseeker_id, row.previous);
        } else report.assigned++;
      }
    });
  }

  let number = 0;
  for await (const text of lines) {
    number++;
    if (!text.trim()) continue;
    const read = parseJsonLine(lineSchema, text);
    if (!read.ok) {
      reject(number, read.reason);
      continue;
    }
    const parsed = read.value;
    const login = normaliseLogin(parsed.jobseeker);
    if (!login.ok) {
      reject(number, `jobseeker: ${login.reason}`);
      continue;
    }
    // One row per jobseeker per statement, and a jobseeker's lines in file order.
    if (logins.has(login.login)) await flush();
    batch.push({ n: number, advisor: parsed.advisor, login: login.login });
    logins.add(login.login);
    if (batch.length >= BATCH_SIZE) await flush();
  }
  await flush();
  report.rejected.sort((a, b) => a.line - b.line);
  return report;
}

// `jobseekers import`: jobseekers and their profile data from a JSON Lines file, streamed.
import { parseArgs } from 'node:util';
import { importJobseekers } from '../profiles/jobseeker-import.ts';
import { type Command, printJson, usage, withServices } from './cli-services.ts';

const IMPORT_HELP = `Usage: npm run cli -- jobseekers import FILE

Reads JSON Lines, one jobseeker a line:
  {"login": "...", "password": "...", "claims": {<OIDC claims>}, "data": {"<scope>": <value>}}
A line may carry "password_hash" (an existing argon2id hash, e.g. from a migration) instead of "password";
its parameters must be at least the server's own (m=19456, t=2), or the line is refused.
Each data scope's value has exactly the shape the API returns with every field consented.
Logins are normalised (NFKC, trimmed, lower case; invisible characters refused); a line whose login
only becomes another, differently written existing login once normalised is refused.
Bad lines are reported by number (on stderr) and skipped; the good ones are imported. Re-running the
same file updates jobseekers in place (idempotent on login). Prints a JSON summary on stdout.
Exit status: 0 when every line was imported, 1 when some lines were rejected.`;

const jobseekersImport: Command = async (args) => {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { help: { type: 'boolean' } },
  });
  if (values.help) return usage(IMPORT_HELP, true);
  const file = positionals[0];
  if (!file) {
    process.stderr.write(`A FILE is required.\n\n${IMPORT_HELP}\n`);
    return 2;
  }
  const started = Date.now();
  const report = await withServices(({ db, catalog }) =>
    importJobseekers(db.pool, catalog, file, {
      onProgress: (r, lines) =>
        process.stderr.write(
          `\r${lines} lignes lues, ${r.imported} importées, ${r.rejected.length} rejetées`,
        ),
    }),
  );
  process.stderr.write('\n');
  for (const { line, reason } of report.rejected) process.stderr.write(`ligne ${line} : ${reason}\n`);
  const seconds = (Date.now() - started) / 1000;
  printJson({
    imported: report.imported,
    rejected: report.rejected.length,
    seconds,
    rows_per_second: Math.round(report.imported / seconds),
  });
  return report.rejected.length ? 1 : 0;
};

export const jobseekersCommands: Record<string, Command> = { 'jobseekers import': jobseekersImport };

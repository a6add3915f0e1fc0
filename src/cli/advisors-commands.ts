// `advisors create`, `advisors assign`, `advisors reset-totp` and `advisors unlock`: the advisors'
// accounts and their portfolios of jobseekers.
import { importAssignments } from '../advisors/portfolio-import.ts';
import { accountByEmail, readPassword, resetTotp, unlock } from './account-commands.ts';
import {
  CLI_ACTOR,
  type Command,
  parseStringOptions,
  printJson,
  usage,
  withServices,
} from './cli-services.ts';

const ADVISORS_CREATE_HELP = `Usage: npm run cli -- advisors create --email EMAIL --name "NAME" --agency "AGENCY"

Creates an advisor account (conseiller) for the workspace at /conseiller. The password (12+
characters) is prompted without echo on a terminal, or read from the first line of standard input.
Prints {"id", "email", "display_name", "agency", "enrolment_code", "enrolment_code_expires_at"}: the
TOTP second factor (the admins' rules) is enrolled at the first sign-in with that code (24 hours,
used once, shown only here). Audited as "cli".`;

const ADVISORS_ASSIGN_HELP = `Usage: npm run cli -- advisors assign FILE

Reads JSON Lines, one assignment a line: {"advisor": "<advisor email>", "jobseeker": "<login>"}.
Each jobseeker has one advisor; a later line for the same jobseeker reassigns them, and the mandate
they gave their previous advisor ends (a consent event): the new advisor sees nothing until the
jobseeker gives them a mandate. Streamed; bad lines (bad JSON, unknown advisor or jobseeker) are
reported by number on stderr and skipped. Re-running the same file changes nothing (idempotent).
Prints {"assigned", "reassigned", "unchanged", "rejected"} on stdout.
Exit status: 0 when every line was taken, 1 when some lines were rejected.`;

const advisorsHelp = (name: string) => `Usage: npm run cli -- advisors ${name} --email EMAIL`;

const advisorsCreate: Command = async (args) => {
  const values = parseStringOptions(args, 'email', 'name', 'agency');
  if (values.help || !values.email || !values.name || !values.agency)
    return usage(ADVISORS_CREATE_HELP, values.help);
  const password = await readPassword();
  const created = await withServices(({ advisors }) =>
    advisors.create(
      {
        email: values.email as string,
        displayName: values.name as string,
        agency: values.agency as string,
        password,
      },
      CLI_ACTOR,
    ),
  );
  printJson({
    id: created.advisor.id,
    email: created.advisor.email,
    display_name: created.advisor.display_name,
    agency: created.advisor.agency,
    enrolment_code: created.enrolmentCode,
    enrolment_code_expires_at: created.expiresAt.toISOString(),
  });
  return 0;
};

const advisorsAssign: Command = async (args) => {
  const file = args.find((a) => !a.startsWith('--'));
  if (args.includes('--help') || !file) return usage(ADVISORS_ASSIGN_HELP, args.includes('--help'));
  const report = await withServices(({ db }) => importAssignments(db.pool, file));
  for (const r of report.rejected) process.stderr.write(`line ${r.line}: ${r.reason}\n`);
  printJson({
    assigned: report.assigned,
    reassigned: report.reassigned,
    unchanged: report.unchanged,
    rejected: report.rejected.length,
  });
  return report.rejected.length ? 1 : 0;
};

export const advisorsCommands: Record<string, Command> = {
  'advisors create': advisorsCreate,
  'advisors assign': advisorsAssign,
  'advisors reset-totp': accountByEmail(
    advisorsHelp('reset-totp'),
    'advisors',
    'no advisor with email',
    resetTotp,
  ),
  'advisors unlock': accountByEmail(advisorsHelp('unlock'), 'advisors', 'no advisor with email', unlock),
};

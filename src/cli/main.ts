// Operator commands: `npm run cli -- <command> [options]`. Output meant for machines goes to stdout
// (one JSON object); progress and messages go to stderr.
// This file only dispatches: each command lives with its peers in a `*-commands.ts` file beside it.
import { AppError } from '../http/app-error.ts';
import { describeStartupError } from '../startup-error.ts';
import { adminsCommands } from './admins-commands.ts';
import { advisorsCommands } from './advisors-commands.ts';
import { type Command, usage } from './cli-services.ts';
import { clientsCommands } from './clients-commands.ts';
import { jobseekersCommands } from './jobseekers-commands.ts';
import { keysCommands } from './keys-commands.ts';
import { mailCommands } from './mail-commands.ts';
import { verifyCommands } from './verify-commands.ts';

const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  clients create     register a client app; prints {"client_id", "client_secret"} (the secret is shown once)
  admins create      create an admin account for the console (password prompted, or read from stdin);
                     prints its one-time enrolment code
  admins reset-totp  forget an admin's authenticator and print a new enrolment code
  admins unlock      lift an admin's second-factor lock
  admins token create  print a new admin API token (for deployment pipelines)
  advisors create    create an advisor account (conseiller) with an agency; prints its enrolment code
  advisors assign    assign jobseekers to advisors from a JSON Lines file (portfolios)
  advisors reset-totp / advisors unlock   as for admins, for an advisor
  jobseekers import  import jobseekers from a JSON Lines file
  keys rotate        new signing keys: published at once, signing after KEY_ACTIVATION_DELAY_SECONDS
  keys list          the signing keys and their state (no key material)
  audit verify       check the hash chains of the consent events and of the admin audit log
  receipts verify    check a signed consent receipt (a .jwt file from a jobseeker's history)
  mail outbox        the latest messages of the mail outbox (developer portal), one JSON line each

Run a command with --help for its options.`;

const COMMANDS: Record<string, Command> = {
  ...clientsCommands,
  ...adminsCommands,
  ...advisorsCommands,
  ...jobseekersCommands,
  ...keysCommands,
  ...verifyCommands,
  ...mailCommands,
};

async function run(argv: string[]): Promise<number> {
  const command = COMMANDS[argv.slice(0, 2).join(' ')];
  if (!command) {
    return usage(USAGE, argv.length === 0 || argv.includes('--help'));
  }
  return command(argv.slice(2));
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    // Configuration, database and start-up failures print their one line (src/startup-error.ts).
    const message =
      err instanceof AppError || err.name === 'TypeError' ? err.message : describeStartupError(err);
    process.stderr.write(`Error: ${message}\n`);
    process.exit(err instanceof AppError ? 2 : 1);
  },
);

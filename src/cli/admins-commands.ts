// `admins create`, `admins reset-totp`, `admins unlock` and `admins token create`: the console's
// accounts and the admin API's tokens.
import { AppError } from '../http/app-error.ts';
import { accountByEmail, readPassword, resetTotp, unlock } from './account-commands.ts';
import {
  CLI_ACTOR,
  type Command,
  parseStringOptions,
  printJson,
  usage,
  wholeNumberOption,
  withServices,
} from './cli-services.ts';

const ADMINS_CREATE_HELP = `Usage: npm run cli -- admins create --email EMAIL

Creates an admin account for the console (/admin). The password (12+ characters) is prompted without
echo on a terminal, or read from the first line of standard input otherwise. Prints
{"id", "email", "enrolment_code", "enrolment_code_expires_at"}: the TOTP second factor is enrolled at
the first console login with that enrolment code (valid 24 hours, used once, shown only here). Hand
it to the new admin by a safe channel, apart from the password.`;

const ADMINS_RESET_TOTP_HELP = `Usage: npm run cli -- admins reset-totp --email EMAIL

For an admin who lost their authenticator: their TOTP secret is forgotten and a new enrolment code
(valid 24 hours, used once) is printed as {"email", "enrolment_code", "enrolment_code_expires_at"}.
They enrol again at their next console login. Audited as "cli".`;

const ADMINS_UNLOCK_HELP = `Usage: npm run cli -- admins unlock --email EMAIL

Lifts the lock that wrong second-factor codes put on an admin account, and forgets its failures.
Prints {"email", "failures"} (the failures forgotten). Audited as "cli".`;

const ADMINS_TOKEN_HELP = `Usage: npm run cli -- admins token create --email EMAIL --name NAME [--expires-in-days N]

Prints a new admin API token on stdout (shown once; only its hash is stored). Use it as
"Authorization: Bearer <token>" on /admin/api.`;

const adminsCreate: Command = async (args) => {
  const values = parseStringOptions(args, 'email');
  if (values.help || !values.email) return usage(ADMINS_CREATE_HELP, values.help);
  const password = await readPassword();
  const admin = await withServices(({ admins }) =>
    admins.create(values.email as string, password, CLI_ACTOR),
  );
  printJson({
    id: admin.id,
    email: admin.email,
    enrolment_code: admin.enrolmentCode,
    enrolment_code_expires_at: admin.enrolmentCodeExpiresAt.toISOString(),
  });
  return 0;
};

const adminsTokenCreate: Command = async (args) => {
  const values = parseStringOptions(args, 'email', 'name', 'expires-in-days');
  if (values.help || !values.email || !values.name) return usage(ADMINS_TOKEN_HELP, values.help);
  const days = wholeNumberOption('--expires-in-days', values['expires-in-days'], 'days', [1, 3650]);
  const token = await withServices(async ({ admins }) => {
    const admin = await admins.findByEmail(values.email as string);
    if (!admin || admin.disabled_at)
      throw new AppError(404, 'not_found', `no admin with the email ${values.email}`);
    const expiresAt = days ? new Date(Date.now() + days * 86_400_000) : null;
    return admins.createToken(admin.id, values.name as string, expiresAt, CLI_ACTOR);
  });
  process.stdout.write(`${token.token}\n`);
  return 0;
};

export const adminsCommands: Record<string, Command> = {
  'admins create': adminsCreate,
  'admins reset-totp': accountByEmail(ADMINS_RESET_TOTP_HELP, 'admins', 'no admin with the email', resetTotp),
  'admins unlock': accountByEmail(ADMINS_UNLOCK_HELP, 'admins', 'no admin with the email', unlock),
  'admins token': async (args) => {
    if (args[0] === 'create') return adminsTokenCreate(args.slice(1));
    return usage(ADMINS_TOKEN_HELP, args.includes('--help'));
  },
};

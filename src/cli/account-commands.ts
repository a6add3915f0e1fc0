// What the admins and advisors commands share: the password typed (or piped) for a new account,
// and `reset-totp` / `unlock` on an account found by its email.
import { createInterface } from 'node:readline';
import { read } from 'read';
import { AppError } from '../http/app-error.ts';
import {
  CLI_ACTOR,
  type Command,
  parseStringOptions,
  printJson,
  type Services,
  usage,
  withServices,
} from './cli-services.ts';

/** The accounts with a second factor that `reset-totp` and `unlock` act on. */
type SecondFactorAccounts = Services['admins'] | Services['advisors'];

/** Prompted twice without echo on a terminal, else the first line of standard input. */
export async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) {
    const first = await read({
      prompt: 'Mot de passe : ',
      silent: true,
      replace: '*',
      output: process.stderr,
    });
    const again = await read({ prompt: 'Confirmez : ', silent: true, replace: '*', output: process.stderr });
    if (first !== again) throw new AppError(400, 'invalid_request', 'les deux saisies diffèrent');
    return String(first);
  }
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) return line;
  return '';
}

/**
 * `admins|advisors reset-totp` and `… unlock`: one account, found by its email (`notFound` when
 * there is none), and what is done to it, printed as JSON.
 */
export function accountByEmail(
  help: string,
  kind: 'admins' | 'advisors',
  notFound: string,
  action: (accounts: SecondFactorAccounts, id: string) => Promise<unknown>,
): Command {
  return async (args) => {
    const values = parseStringOptions(args, 'email');
    if (values.help || !values.email) return usage(help, values.help);
    const result = await withServices(async (services) => {
      const accounts = services[kind];
      const account = await accounts.findByEmail(values.email as string);
      if (!account) throw new AppError(404, 'not_found', `${notFound} ${values.email}`);
      return action(accounts, account.id);
    });
    printJson(result);
    return 0;
  };
}

/** `reset-totp`: the authenticator forgotten, and the new enrolment code. */
export async function resetTotp(accounts: SecondFactorAccounts, id: string) {
  const issued = await accounts.resetTotp(id, CLI_ACTOR);
  return {
    email: issued.email,
    enrolment_code: issued.code,
    enrolment_code_expires_at: issued.expiresAt.toISOString(),
  };
}

/** `unlock`: the second-factor lock lifted, and the failures it forgot. */
export const unlock = (accounts: SecondFactorAccounts, id: string) => accounts.unlock(id, CLI_ACTOR);

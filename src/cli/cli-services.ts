// What every operator command shares: the services it opens from the configuration (and closes
// once it is done), the actor its changes are audited as, its options and how it prints.
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { createAdminAccounts } from '../admin/admin-accounts.ts';
import { createAdvisorAccounts } from '../advisors/advisor-accounts.ts';
import { loadCatalog } from '../catalog/load-catalog.ts';
import { createClientService } from '../clients/client-service.ts';
import { loadConfig } from '../config.ts';
import { createSecretBox } from '../crypto/secret-box.ts';
import { openDatabase } from '../db/database.ts';
import { AppError } from '../http/app-error.ts';
import { createLogger } from '../logger.ts';

/** Changes made from the CLI are audited as made by "cli". */
export const CLI_ACTOR = { actor: 'cli' };

/** A command: its arguments after its name in, its exit status out. */
export type Command = (args: string[]) => Promise<number>;

export type Services = Awaited<ReturnType<typeof openServices>>;

async function openServices() {
  const config = loadConfig();
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn', process.stderr as never);
  const catalog = loadCatalog(config.scopesDir);
  const db = await openDatabase(config, logger);
  const box = createSecretBox(config.secrets.keysEncryptionKey);
  return {
    config,
    db,
    box,
    catalog,
    clients: createClientService({ pool: db.pool, catalog, box, production: config.production }),
    admins: createAdminAccounts({ pool: db.pool, box, totpRequired: config.adminTotpRequired }),
    advisors: createAdvisorAccounts({ pool: db.pool, box, totpRequired: config.adminTotpRequired }),
  };
}

/** Runs `fn` with the services, and closes the database whatever it does. */
export async function withServices<T>(fn: (services: Services) => Promise<T>): Promise<T> {
  const services = await openServices();
  try {
    return await fn(services);
  } finally {
    await services.db.close();
  }
}

/** The command's help on stdout: exit status 0 when it was asked for, 2 when the command was wrong. */
export function usage(help: string, asked: boolean | undefined): number {
  process.stdout.write(`${help}\n`);
  return asked ? 0 : 2;
}

/** One JSON object on its own line of stdout: what a machine reads. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** `--help` and the given `--name VALUE` options of a command that takes only those. */
export function parseStringOptions<const N extends string>(args: string[], ...names: N[]) {
  const options: ParseArgsOptionsConfig = { help: { type: 'boolean' } };
  for (const name of names) options[name] = { type: 'string' };
  const { values } = parseArgs({ args, options });
  return values as { help?: boolean } & { [K in N]?: string };
}

/** A whole-number option within [min, max] `unit`, undefined when it was not given. */
export function wholeNumberOption(
  flag: string,
  given: string | undefined,
  unit: 'days' | 'seconds',
  [min, max]: [number, number],
): number | undefined {
  if (given === undefined) return undefined;
  const value = given.trim() === '' ? Number.NaN : Number(given);
  if (!(Number.isInteger(value) && value >= min && value <= max)) {
    throw new AppError(
      400,
      'invalid_request',
      `${flag} must be a whole number of ${unit} (${min} to ${max})`,
    );
  }
  return value;
}

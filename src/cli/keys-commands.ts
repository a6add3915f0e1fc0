// `keys rotate` and `keys list`: the provider's signing keys.
import { listSigningKeys, retireAfterSeconds, rotateSigningKeys } from '../oidc/signing-keys.ts';
import {
  type Command,
  parseStringOptions,
  printJson,
  usage,
  wholeNumberOption,
  withServices,
} from './cli-services.ts';

const KEYS_ROTATE_HELP = `Usage: npm run cli -- keys rotate [--activate-in SECONDS]

Generates a new signing key for each algorithm (RS256, PS256, ES256), sealed with KEYS_ENCRYPTION_KEY.
Every instance publishes it in its JWKS at its next check (KEY_POLL_INTERVAL_SECONDS); it signs only
after --activate-in seconds (default KEY_ACTIVATION_DELAY_SECONDS). The key it replaces keeps
verifying until every token it may have signed has expired (the longest token lifetime after the new
key's activation), then leaves the JWKS. Prints {"created", "retiring", "withdrawn"} as JSON.`;

const KEYS_LIST_HELP = `Usage: npm run cli -- keys list

Prints the signing keys, one JSON object a line.`;

const keysRotate: Command = async (args) => {
  const values = parseStringOptions(args, 'activate-in');
  if (values.help) return usage(KEYS_ROTATE_HELP, true);
  const delay = wholeNumberOption('--activate-in', values['activate-in'], 'seconds', [0, 30 * 86_400]);
  const result = await withServices(async ({ config, db, box }) => {
    const activationDelaySeconds = delay ?? config.keys.activationDelaySeconds;
    if (activationDelaySeconds < config.keys.pollIntervalSeconds)
      process.stderr.write(
        `Warning: the new keys sign in ${activationDelaySeconds} s, before every instance has necessarily published them (KEY_POLL_INTERVAL_SECONDS=${config.keys.pollIntervalSeconds}).\n`,
      );
    return rotateSigningKeys(db.pool, box, {
      activationDelaySeconds,
      retireAfterSeconds: retireAfterSeconds(config),
    });
  });
  printJson(result);
  return 0;
};

const keysList: Command = async (args) => {
  if (args.includes('--help')) return usage(KEYS_LIST_HELP, true);
  const rows = await withServices(({ db }) => listSigningKeys(db.pool));
  for (const row of rows) printJson(row);
  return 0;
};

export const keysCommands: Record<string, Command> = { 'keys rotate': keysRotate, 'keys list': keysList };

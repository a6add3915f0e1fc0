// Operator commands: `npm run cli -- <command> [options]`. Output meant for machines goes to stdout
// (one JSON object); progress and messages go to stderr.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { read } from 'read';
import { createAdminAccounts } from '../admin/admin-accounts.ts';
import { createAdvisorAccounts } from '../advisors/advisor-accounts.ts';
import { importAssignments } from '../advisors/portfolio-import.ts';
import { loadCatalog } from '../catalog/load-catalog.ts';
import { AUTH_METHODS, type AuthMethod, allowedAuthMethods } from '../clients/client-auth-methods.ts';
import { createClientService } from '../clients/client-service.ts';
import type { ClientInput } from '../clients/client-values.ts';
import { inCatalogWords } from '../clients/legacy-client-input.ts';
import { loadConfig } from '../config.ts';
import { createSecretBox } from '../crypto/secret-box.ts';
import { openDatabase } from '../db/database.ts';
import { latestOutboxMessages } from '../developers/mail-outbox-queries.ts';
import { AppError, badRequest } from '../http/app-error.ts';
import { createLogger } from '../logger.ts';
import {
  listPublicKeysEver,
  listSigningKeys,
  retireAfterSeconds,
  rotateSigningKeys,
} from '../oidc/signing-keys.ts';
import { importJobseekers } from '../profiles/jobseeker-import.ts';
import { fromPublishedReceiptKeys } from '../receipts/receipt-service.ts';
import { verifyReceipt } from '../receipts/verify-receipt.ts';
import { verifyChains } from '../security/hash-chains.ts';
import { describeStartupError } from '../startup-error.ts';

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

const CLIENTS_CREATE_HELP = `Usage: npm run cli -- clients create --name NAME --redirect-uri URI [--redirect-uri URI2]
                                     --scope "openid profile competences …" [options]

Options:
  --name NAME                      the app's name, shown to jobseekers
  --client-id PAR_<app>_<64 hex>   keep the app's Pôle emploi Connect identifier (default: a new one)
  --redirect-uri URI               an exact redirect URI (https; http only on localhost outside production); repeatable
  --post-logout-redirect-uri URI   where RP-initiated logout may return; repeatable
  --scope "S1 S2 …"                the scopes the app may request (must include openid; see scopes/);
                                   Pôle emploi Connect names (coordonnees, pfccompetences…) are
                                   stored as the catalog scopes they release
  --description TEXT               what the app does, shown on the consent page
  --operator NAME                  the organisation that runs it
  --purpose SCOPE=TEXT             why the app needs a data scope, shown next to its fields; repeatable
  --operator-siret SIRET           the operator's SIRET (14 digits)
  --website URL
  --policy-uri URL                 the app's privacy policy, shown on the consent page
  --contact-email EMAIL            who jobseekers write to about their data, shown on the consent page
  --free-for-jobseekers            attest that the app is free of charge for jobseekers
  --consent-duration-days N        how long a consent to this app lasts (default: CONSENT_DURATION_DAYS)
  --token-endpoint-auth-method M   restrict how the app authenticates: client_secret_basic,
                                   client_secret_post, private_key_jwt or none (default: a secret, sent
                                   with client_secret_basic or client_secret_post, as the app prefers)
  --public                         a public client (browser or native app, RFC 8252): no secret, PKCE
                                   only (the same as --token-endpoint-auth-method none)
  --high-assurance                 a FAPI 2.0 app (required for the sensitive scopes): private_key_jwt,
                                   PAR and DPoP; give its public keys with --jwks or --jwks-uri
  --jwks FILE                      a JSON file {"keys": [ … ]} with the app's public keys (private_key_jwt)
  --jwks-uri URL                   the https URL of the app's public keys (private_key_jwt)
  --category ID                    Emploi Store category: cv, offres, formation, orientation, mobilite,
                                   creation_entreprise, accompagnement, vie_quotidienne
  --start-url URL                  where the catalog's « Se connecter » leads (on the redirect URIs' host)
  --audience JSON                  the declared audience, e.g. '{"rome":["D11"],"regions":["84"]}'
                                   (rome, regions, statuses, training_levels, contract_types,
                                   available_now, skills; see the README's Emploi Store section)
  --audience-vetted                the audience has been checked: recommendations may use it
  --status pending|active|suspended  default: active when vetted (a --purpose for every data scope,
                                   --free-for-jobseekers, --policy-uri and --contact-email), pending otherwise`;

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

/** The command's help on stdout: exit status 0 when it was asked for, 2 when the command was wrong. */
function usage(help: string, asked: boolean | undefined): number {
  process.stdout.write(`${help}\n`);
  return asked ? 0 : 2;
}

async function withServices<T>(fn: (deps: Awaited<ReturnType<typeof open>>) => Promise<T>): Promise<T> {
  const deps = await open();
  try {
    return await fn(deps);
  } finally {
    await deps.db.close();
  }
}

async function open() {
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

const CLI_ACTOR = { actor: 'cli' };

async function clientsCreate(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      help: { type: 'boolean' },
      name: { type: 'string' },
      'client-id': { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true },
      'post-logout-redirect-uri': { type: 'string', multiple: true },
      scope: { type: 'string' },
      description: { type: 'string' },
      operator: { type: 'string' },
      purpose: { type: 'string', multiple: true },
      'operator-siret': { type: 'string' },
      website: { type: 'string' },
      'policy-uri': { type: 'string' },
      'contact-email': { type: 'string' },
      'free-for-jobseekers': { type: 'boolean' },
      'consent-duration-days': { type: 'string' },
      status: { type: 'string' },
      'token-endpoint-auth-method': { type: 'string' },
      public: { type: 'boolean' },
      'high-assurance': { type: 'boolean' },
      jwks: { type: 'string' },
      'jwks-uri': { type: 'string' },
      category: { type: 'string' },
      'start-url': { type: 'string' },
      audience: { type: 'string' },
      'audience-vetted': { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(`${CLIENTS_CREATE_HELP}\n`);
    return 0;
  }
  if (!values.name || !values['redirect-uri']?.length || !values.scope) {
    process.stderr.write(`--name, --redirect-uri and --scope are required.\n\n${CLIENTS_CREATE_HELP}\n`);
    return 2;
  }
  const auth = authOptions(values);
  if (typeof auth === 'string') {
    process.stderr.write(`${auth}\n\n${CLIENTS_CREATE_HELP}\n`);
    return 2;
  }
  let audience: ClientInput['audience'];
  if (values.audience) {
    try {
      audience = JSON.parse(values.audience) as ClientInput['audience'];
    } catch {
      process.stderr.write(`--audience must be a JSON object, e.g. '{"rome":["D1106"]}'.\n`);
      return 2;
    }
  }
  const purposes = Object.fromEntries(
    (values.purpose ?? []).map((p) => {
      const at = p.indexOf('=');
      return at > 0 ? [p.slice(0, at), p.slice(at + 1)] : [p, ''];
    }),
  );
  const input = {
    ...(values['client-id'] === undefined ? {} : { clientId: values['client-id'] }),
    name: values.name as string,
    redirectUris: values['redirect-uri'] as string[],
    postLogoutRedirectUris: values['post-logout-redirect-uri'],
    scopes: (values.scope as string).split(/\s+/).filter(Boolean),
    description: values.description,
    operatorName: values.operator,
    operatorSiret: values['operator-siret'],
    website: values.website,
    policyUri: values['policy-uri'],
    contactEmail: values['contact-email'],
    consentDurationDays: values['consent-duration-days']
      ? Number(values['consent-duration-days'])
      : undefined,
    freeForJobseekers: values['free-for-jobseekers'] ?? false,
    purposes,
    category: values.category,
    startUrl: values['start-url'],
    audience,
    audienceVetted: values['audience-vetted'] ?? false,
    ...auth,
  };
  const created = await withServices(async ({ clients, catalog }) => {
    // The vetting below reads the scopes in the catalog's words, as they are stored.
    Object.assign(input, inCatalogWords(catalog, input.scopes, input.purposes));
    // Without --status the app is active when it is fully vetted (a purpose for every data scope, the
    // free-of-charge attestation, its privacy notice), otherwise pending until an admin completes and
    // approves it.
    const missing = input.scopes.filter((s) => catalog.byId.get(s)?.kind === 'data' && !input.purposes[s]);
    const vetted = input.freeForJobseekers && missing.length === 0 && input.policyUri && input.contactEmail;
    const status =
      (values.status as 'pending' | 'active' | 'suspended' | undefined) ?? (vetted ? 'active' : 'pending');
    if (!values.status && !vetted) {
      const why = [
        ...(missing.length ? [`no --purpose for ${missing.join(', ')}`] : []),
        ...(input.freeForJobseekers ? [] : ['no --free-for-jobseekers attestation']),
        ...(input.policyUri ? [] : ['no --policy-uri']),
        ...(input.contactEmail ? [] : ['no --contact-email']),
      ];
      process.stderr.write(
        `Note: created as pending (${why.join('; ')}); an admin can complete and approve it.\n`,
      );
    }
    const created = await clients.create({ ...input, status }, CLI_ACTOR);
    return {
      ...created,
      status,
      token_endpoint_auth_methods: allowedAuthMethods(input.tokenEndpointAuthMethod),
    };
  });
  process.stdout.write(`${JSON.stringify(created)}\n`);
  return 0;
}

// How the app authenticates, from --token-endpoint-auth-method, --public, --high-assurance, --jwks
// and --jwks-uri; a message when they do not fit together (the registration rules check the rest).
function authOptions(values: {
  'token-endpoint-auth-method'?: string;
  public?: boolean;
  'high-assurance'?: boolean;
  jwks?: string;
  'jwks-uri'?: string;
}): Pick<ClientInput, 'tokenEndpointAuthMethod' | 'highAssurance' | 'jwks' | 'jwksUri'> | string {
  const given = values['token-endpoint-auth-method'];
  if (given !== undefined && !(AUTH_METHODS as readonly string[]).includes(given)) {
    return `--token-endpoint-auth-method must be one of ${AUTH_METHODS.join(', ')}.`;
  }
  let method = given as AuthMethod | undefined;
  if (values.public) {
    if (method && method !== 'none') return '--public cannot go with another --token-endpoint-auth-method.';
    method = 'none';
  }
  const keys = values.jwks !== undefined || values['jwks-uri'] !== undefined;
  if (values['high-assurance'] || keys) {
    if (method && method !== 'private_key_jwt') {
      return '--high-assurance, --jwks and --jwks-uri are for private_key_jwt apps.';
    }
    method = 'private_key_jwt';
  }
  if (values['high-assurance'] && !keys) return '--high-assurance needs --jwks FILE or --jwks-uri URL.';
  let jwks: ClientInput['jwks'];
  if (values.jwks !== undefined) {
    try {
      jwks = JSON.parse(readFileSync(values.jwks, 'utf8'));
    } catch (err) {
      return `--jwks ${values.jwks}: not a readable JSON file (${(err as Error).message}).`;
    }
  }
  return {
    tokenEndpointAuthMethod: method ?? null,
    highAssurance: values['high-assurance'] ?? false,
    jwks,
    jwksUri: values['jwks-uri'],
  };
}

async function jobseekersImport(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { help: { type: 'boolean' } },
  });
  if (values.help) {
    process.stdout.write(`${IMPORT_HELP}\n`);
    return 0;
  }
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
  process.stdout.write(
    `${JSON.stringify({ imported: report.imported, rejected: report.rejected.length, seconds, rows_per_second: Math.round(report.imported / seconds) })}\n`,
  );
  return report.rejected.length ? 1 : 0;
}

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

async function readPassword(): Promise<string> {
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

async function adminsCreate(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { help: { type: 'boolean' }, email: { type: 'string' } } });
  if (values.help || !values.email) return usage(ADMINS_CREATE_HELP, values.help);
  const password = await readPassword();
  const admin = await withServices(({ admins }) =>
    admins.create(values.email as string, password, CLI_ACTOR),
  );
  process.stdout.write(
    `${JSON.stringify({
      id: admin.id,
      email: admin.email,
      enrolment_code: admin.enrolmentCode,
      enrolment_code_expires_at: admin.enrolmentCodeExpiresAt.toISOString(),
    })}\n`,
  );
  return 0;
}

type Services = Awaited<ReturnType<typeof open>>;
/** The accounts with a second factor that `reset-totp` and `unlock` act on. */
type SecondFactorAccounts = Services['admins'] | Services['advisors'];

/**
 * `admins|advisors reset-totp` and `… unlock`: one account, found by its email (`notFound` when
 * there is none), and what is done to it, printed as JSON.
 */
function accountByEmail(
  help: string,
  kind: 'admins' | 'advisors',
  notFound: string,
  action: (accounts: SecondFactorAccounts, id: string) => Promise<unknown>,
) {
  return async (args: string[]): Promise<number> => {
    const { values } = parseArgs({ args, options: { help: { type: 'boolean' }, email: { type: 'string' } } });
    if (values.help || !values.email) return usage(help, values.help);
    const result = await withServices(async (services) => {
      const accounts = services[kind];
      const account = await accounts.findByEmail(values.email as string);
      if (!account) throw new AppError(404, 'not_found', `${notFound} ${values.email}`);
      return action(accounts, account.id);
    });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  };
}

/** `reset-totp`: the authenticator forgotten, and the new enrolment code. */
async function resetTotp(accounts: SecondFactorAccounts, id: string) {
  const issued = await accounts.resetTotp(id, CLI_ACTOR);
  return {
    email: issued.email,
    enrolment_code: issued.code,
    enrolment_code_expires_at: issued.expiresAt.toISOString(),
  };
}
const unlock = (accounts: SecondFactorAccounts, id: string) => accounts.unlock(id, CLI_ACTOR);

const adminsResetTotp = accountByEmail(
  ADMINS_RESET_TOTP_HELP,
  'admins',
  'no admin with the email',
  resetTotp,
);
const adminsUnlock = accountByEmail(ADMINS_UNLOCK_HELP, 'admins', 'no admin with the email', unlock);

async function adminsTokenCreate(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      help: { type: 'boolean' },
      email: { type: 'string' },
      name: { type: 'string' },
      'expires-in-days': { type: 'string' },
    },
  });
  if (values.help || !values.email || !values.name) return usage(ADMINS_TOKEN_HELP, values.help);
  const days = values['expires-in-days'] ? Number(values['expires-in-days']) : undefined;
  if (days !== undefined && !(Number.isInteger(days) && days > 0 && days <= 3650)) {
    throw new AppError(
      400,
      'invalid_request',
      '--expires-in-days must be a whole number of days (1 to 3650)',
    );
  }
  const token = await withServices(async ({ admins }) => {
    const admin = await admins.findByEmail(values.email as string);
    if (!admin || admin.disabled_at)
      throw new AppError(404, 'not_found', `no admin with the email ${values.email}`);
    const expiresAt = days ? new Date(Date.now() + days * 86_400_000) : null;
    return admins.createToken(admin.id, values.name as string, expiresAt, CLI_ACTOR);
  });
  process.stdout.write(`${token.token}\n`);
  return 0;
}

const KEYS_ROTATE_HELP = `Usage: npm run cli -- keys rotate [--activate-in SECONDS]

Generates a new signing key for each algorithm (RS256, PS256, ES256), sealed with KEYS_ENCRYPTION_KEY.
Every instance publishes it in its JWKS at its next check (KEY_POLL_INTERVAL_SECONDS); it signs only
after --activate-in seconds (default KEY_ACTIVATION_DELAY_SECONDS). The key it replaces keeps
verifying until every token it may have signed has expired (the longest token lifetime after the new
key's activation), then leaves the JWKS. Prints {"created", "retiring", "withdrawn"} as JSON.`;

async function keysRotate(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { help: { type: 'boolean' }, 'activate-in': { type: 'string' } },
  });
  if (values.help) {
    process.stdout.write(`${KEYS_ROTATE_HELP}\n`);
    return 0;
  }
  const given = values['activate-in'];
  const delay = given === undefined ? undefined : Number(given);
  if (delay !== undefined && !(Number.isInteger(delay) && delay >= 0 && delay <= 30 * 86_400)) {
    throw new AppError(
      400,
      'invalid_request',
      '--activate-in must be a whole number of seconds (0 to 2592000)',
    );
  }
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
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return 0;
}

async function keysList(args: string[]): Promise<number> {
  if (args.includes('--help')) {
    process.stdout.write(
      'Usage: npm run cli -- keys list\n\nPrints the signing keys, one JSON object a line.\n',
    );
    return 0;
  }
  const rows = await withServices(({ db }) => listSigningKeys(db.pool));
  for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
  return 0;
}

const AUDIT_VERIFY_HELP = `Usage: npm run cli -- audit verify

Walks the hash chains of the consent events and of the admin audit log, recomputing every hash.
Prints {"ok", "chains": [{chain, ok, rows, head, brokenId?, reason?}]} as JSON; on stderr, OK or the
first broken row of each chain. Exit status: 0 when both chains hold, 1 otherwise.
Keep the printed heads: rows removed from the end of a chain show only against an earlier head.`;

async function auditVerify(args: string[]): Promise<number> {
  if (args.includes('--help')) {
    process.stdout.write(`${AUDIT_VERIFY_HELP}\n`);
    return 0;
  }
  const chains = await withServices(({ db }) => verifyChains(db.pool));
  const ok = chains.every((c) => c.ok);
  for (const c of chains) {
    process.stderr.write(
      c.ok
        ? `${c.chain}: OK (${c.rows} rows, head ${c.head?.hash ?? 'empty'})\n`
        : `${c.chain}: BROKEN at id ${c.brokenId}: ${c.reason} (${c.rows} rows verified before it)\n`,
    );
  }
  process.stdout.write(`${JSON.stringify({ ok, chains })}\n`);
  return ok ? 0 : 1;
}

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

async function advisorsCreate(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      help: { type: 'boolean' },
      email: { type: 'string' },
      name: { type: 'string' },
      agency: { type: 'string' },
    },
  });
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
  process.stdout.write(
    `${JSON.stringify({
      id: created.advisor.id,
      email: created.advisor.email,
      display_name: created.advisor.display_name,
      agency: created.advisor.agency,
      enrolment_code: created.enrolmentCode,
      enrolment_code_expires_at: created.expiresAt.toISOString(),
    })}\n`,
  );
  return 0;
}

async function advisorsAssign(args: string[]): Promise<number> {
  const file = args.find((a) => !a.startsWith('--'));
  if (args.includes('--help') || !file) return usage(ADVISORS_ASSIGN_HELP, args.includes('--help'));
  const report = await withServices(({ db }) => importAssignments(db.pool, file));
  for (const r of report.rejected) process.stderr.write(`line ${r.line}: ${r.reason}\n`);
  process.stdout.write(
    `${JSON.stringify({ assigned: report.assigned, reassigned: report.reassigned, unchanged: report.unchanged, rejected: report.rejected.length })}\n`,
  );
  return report.rejected.length ? 1 : 0;
}

const advisorsHelp = (name: string) => `Usage: npm run cli -- advisors ${name} --email EMAIL`;
const advisorsResetTotp = accountByEmail(
  advisorsHelp('reset-totp'),
  'advisors',
  'no advisor with email',
  resetTotp,
);
const advisorsUnlock = accountByEmail(advisorsHelp('unlock'), 'advisors', 'no advisor with email', unlock);

const RECEIPTS_VERIFY_HELP = `Usage: npm run cli -- receipts verify FILE [--issuer URL]

Checks a signed consent receipt (the .jwt file a jobseeker downloads from the history of a consent):
its signature, by one of the keys we ever signed with — also after a rotation took it out of the JWKS —
while that key was in service, its type and its issuer. The keys come from this configuration's
database, or with --issuer from that provider's published receipt keys (URL/recus/cles.json).
Prints {"valid", "reason"?, "kid"?, "signed_at"?, "receipt"?} as JSON; on stderr, OK or why not.
Exit status: 0 for a valid receipt, 1 otherwise.`;

async function receiptsVerify(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { issuer: { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help || positionals.length !== 1) return usage(RECEIPTS_VERIFY_HELP, values.help);
  const jws = readFileSync(positionals[0] as string, 'utf8');
  const verdict = values.issuer
    ? await (async () => {
        const issuer = (values.issuer as string).replace(/\/+$/, '');
        const response = await fetch(`${issuer}/recus/cles.json`);
        if (!response.ok)
          throw new AppError(400, 'keys', `${issuer}/recus/cles.json answered ${response.status}`);
        return verifyReceipt(jws, fromPublishedReceiptKeys(await response.json()), issuer);
      })()
    : await withServices(async ({ db, box, config }) =>
        verifyReceipt(jws, await listPublicKeysEver(db.pool, box), config.issuer),
      );
  process.stderr.write(verdict.valid ? 'OK: valid receipt\n' : `INVALID: ${verdict.reason}\n`);
  process.stdout.write(
    `${JSON.stringify(
      verdict.valid
        ? {
            valid: true,
            kid: verdict.kid,
            signed_at: verdict.signedAt.toISOString(),
            receipt: verdict.payload,
          }
        : { valid: false, reason: verdict.reason },
    )}\n`,
  );
  return verdict.valid ? 0 : 1;
}

// The development mail sender writes to the mail_outbox table (src/developers/mail-sender.ts): this
// reads it back, e.g. a developer account's verification link, whatever database the provider uses.
async function mailOutbox(args: string[]): Promise<number> {
  if (args.includes('--help')) {
    process.stdout.write('Usage: npm run cli -- mail outbox [--limit N]   (default 5, newest first)\n');
    return 0;
  }
  const at = args.indexOf('--limit');
  const limit = at >= 0 ? Number(args[at + 1]) : 5;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw badRequest('--limit: un entier de 1 à 1000');
  const messages = await withServices(({ db }) => latestOutboxMessages(db.pool, limit));
  for (const m of messages) process.stdout.write(`${JSON.stringify(m)}\n`);
  return 0;
}

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  'advisors create': advisorsCreate,
  'advisors assign': advisorsAssign,
  'advisors reset-totp': advisorsResetTotp,
  'advisors unlock': advisorsUnlock,
  'receipts verify': receiptsVerify,
  'admins create': adminsCreate,
  'admins reset-totp': adminsResetTotp,
  'admins unlock': adminsUnlock,
  'admins token': async (args) => {
    if (args[0] === 'create') return adminsTokenCreate(args.slice(1));
    return usage(ADMINS_TOKEN_HELP, args.includes('--help'));
  },
  'clients create': clientsCreate,
  'jobseekers import': jobseekersImport,
  'keys rotate': keysRotate,
  'keys list': keysList,
  'audit verify': auditVerify,
  'mail outbox': mailOutbox,
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

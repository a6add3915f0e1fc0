// The only reader of process.env. Parses once with zod, fills development defaults, refuses an unsafe
// production configuration with a message that names the setting, and returns a frozen, typed object.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { parseRateLimit, parseRateLimits, type RateLimit } from './legacy-api/rate-limit.ts';

const secret = z.string().min(32, 'must be at least 32 characters of random data');
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  PORT: int(0, 65535).default(3000),
  ISSUER: z.url().optional(),
  DATABASE_URL: z.url().optional(),
  // A streaming replica of DATABASE_URL for the jobseeker's read-only pages (src/db/read-routing.ts).
  DATABASE_READ_URL: z.url().optional(),
  DATA_DIR: z.string().default('.data'),
  EMBEDDED_PG_PORT: int(1024, 65535).default(54329),
  DB_POOL_MAX: int(1, 200).default(10),
  // A stopped database must yield a 503 quickly instead of hanging (../SECURITY.md).
  DB_CONNECT_TIMEOUT_MS: int(100, 60_000).default(2_000),
  DB_STATEMENT_TIMEOUT_MS: int(100, 600_000).default(10_000),
  KEYS_ENCRYPTION_KEY: secret.optional(),
  COOKIE_SECRETS: z.string().optional(),
  PAIRWISE_SALT: secret.optional(),
  CONSENT_DURATION_DAYS: int(1, 3650).default(365),
  ACCESS_TOKEN_TTL_SECONDS: int(30, 86_400).default(600),
  REFRESH_TOKEN_TTL_DAYS: int(1, 365).default(30),
  // 13 months, the CNIL's usual ceiling for such logs.
  ACCESS_LOG_RETENTION_DAYS: int(1, 3650).default(396),
  SESSION_TTL_HOURS: int(1, 720).default(12),
  TRUST_PROXY: bool.default(false),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DEMO_APP: bool.optional(),
  // The Pôle emploi Connect compatibility profile (src/legacy/): its paths and scope names.
  PECONNECT_COMPAT: bool.default(true),
  DEMO_APP_PORT: int(0, 65535).default(3001),
  DEMO_APP_URL: z.url().optional(),
  SEED_DEMO_DATA: bool.optional(),
  // The admin console's second factor; may be turned off only outside production (tests, demos).
  ADMIN_TOTP_REQUIRED: bool.default(true),
  CLIENT_SECRET_GRACE_HOURS: int(0, 24 * 90).default(24),
  // Key rotation (`npm run cli -- keys rotate`): a new key is published at once and signs only after
  // this delay, so that every instance and the relying parties' JWKS caches know it first.
  KEY_ACTIVATION_DELAY_SECONDS: int(0, 30 * 86_400).default(3_600),
  // How often each instance checks the signing keys (and rebuilds its provider when they change).
  KEY_POLL_INTERVAL_SECONDS: int(1, 3_600).default(30),
  // Security events to apps (src/ssf/): how often each instance looks for SETs to push, and the
  // longest wait between two attempts at a failing endpoint (the wait doubles from 1 s up to it).
  // 0: this instance pushes nothing (the others, or dedicated instances, do).
  SSF_DELIVERY_INTERVAL_MS: int(0, 60_000).default(1_000),
  SSF_MAX_BACKOFF_SECONDS: int(1, 86_400).default(3_600),
  // The outboxes' retention (src/ssf/outbox-retention-queries.ts): a SET or Logout Token delivered (or
  // rejected for good) is kept this many days after it was settled, one never settled this many days
  // after it was queued — an unacknowledged poll event stays on offer that long (RFC 8936 §2.4).
  SSF_DELIVERED_RETENTION_DAYS: int(1, 3650).default(30),
  SSF_UNDELIVERED_RETENTION_DAYS: int(1, 3650).default(90),
  // Who runs the service, as the public pages (mentions légales, données personnelles, contact,
  // accessibilité) must say. Required in production; outside it, marked demonstration values.
  OPERATOR_NAME: z.string().trim().min(1).max(200).optional(),
  OPERATOR_ADDRESS: z.string().trim().min(1).max(500).optional(),
  OPERATOR_SIRET: z
    .string()
    .trim()
    .regex(/^\d{14}$/, 'must be 14 digits')
    .optional(),
  PUBLICATION_DIRECTOR: z.string().trim().min(1).max(200).optional(),
  HOSTING_PROVIDER: z.string().trim().min(1).max(500).optional(),
  CONTACT_EMAIL: z.email().optional(),
  CONTACT_PHONE: z.string().trim().min(1).max(50).optional(),
  DPO_CONTACT: z.string().trim().min(1).max(500).optional(),
  ACCOUNT_HELP_URL: z.url({ protocol: /^https?$/ }).optional(),
  // The legacy APIs' rate limit per app and per instance, "<per second>/<burst>" (src/legacy-api/rate-limit.ts),
  // and the apps with their own: "<client_id>=<per second>/<burst>", separated by commas or spaces.
  LEGACY_API_RATE_LIMIT: z
    .string()
    .default('20/40')
    .refine(
      (v) => parseRateLimit(v) !== undefined,
      'must be <per second>/<burst> (a window, burst / per second, of at most 86400 s), e.g. 20/40',
    )
    .transform((v) => parseRateLimit(v) as RateLimit),
  LEGACY_API_RATE_LIMITS: z
    .string()
    .default('')
    .refine(
      (v) => parseRateLimits(v) !== undefined,
      'must be <client_id>=<per second>/<burst>, separated by commas',
    )
    .transform((v) => parseRateLimits(v) as Map<string, RateLimit>),
});

// Outside production, what the public pages show until the operator's own texts are configured.
const DEMO_OPERATOR = {
  name: 'Opérateur de démonstration (OPERATOR_NAME à configurer)',
  address: '1 rue de l’Exemple, 75000 Paris (OPERATOR_ADDRESS à configurer)',
  publicationDirector: 'Direction de la publication (PUBLICATION_DIRECTOR à configurer)',
  hostingProvider: 'Hébergeur de démonstration (HOSTING_PROVIDER à configurer)',
  contactEmail: 'contact@pole-emploi-connect.example',
  dpoContact: 'dpo@pole-emploi-connect.example (DPO_CONTACT à configurer)',
} as const;
const OPERATOR_SETTINGS = {
  OPERATOR_NAME: 'the organisation that runs the service, as the legal notice names it',
  OPERATOR_ADDRESS: 'its postal address',
  PUBLICATION_DIRECTOR: 'the director of publication (mentions légales)',
  HOSTING_PROVIDER: 'the hosting provider: name, address, telephone',
  CONTACT_EMAIL: 'where jobseekers write for help',
  DPO_CONTACT: 'how to reach the data protection officer',
  ACCOUNT_HELP_URL: 'where jobseekers recover a forgotten login or password',
} as const;

export interface Config {
  readonly env: 'development' | 'production' | 'test';
  readonly production: boolean;
  readonly host: string;
  readonly port: number;
  readonly issuer: string;
  readonly apiAudience: string;
  readonly databaseUrl: string | undefined;
  readonly databaseReadUrl: string | undefined;
  readonly dataDir: string;
  readonly embeddedPgPort: number;
  /** EMBEDDED_PG_PORT was set: the embedded server uses that port or none (no fallback to a free one) */
  readonly embeddedPgPortFixed: boolean;
  readonly db: {
    readonly poolMax: number;
    readonly connectTimeoutMs: number;
    readonly statementTimeoutMs: number;
  };
  readonly secrets: {
    readonly keysEncryptionKey: string;
    readonly cookieSecrets: readonly string[];
    readonly pairwiseSalt: string;
  };
  readonly consentDurationDays: number;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlDays: number;
  readonly accessLogRetentionDays: number;
  readonly sessionTtlHours: number;
  readonly trustProxy: boolean;
  readonly logLevel: string;
  readonly demoApp: { readonly enabled: boolean; readonly port: number; readonly url: string };
  readonly seedDemoData: boolean;
  /** serve the Pôle emploi Connect paths and scope names (PECONNECT_COMPAT) */
  readonly peconnectCompat: boolean;
  readonly adminTotpRequired: boolean;
  readonly clientSecretGraceHours: number;
  readonly keys: { readonly activationDelaySeconds: number; readonly pollIntervalSeconds: number };
  readonly ssf: {
    readonly deliveryIntervalMs: number;
    readonly maxBackoffSeconds: number;
    readonly deliveredRetentionDays: number;
    readonly undeliveredRetentionDays: number;
  };
  /** the legacy APIs' rate limits per app, in each instance */
  readonly legacyApiRateLimits: {
    readonly defaultLimit: RateLimit;
    readonly perClient: ReadonlyMap<string, RateLimit>;
  };
  /** who runs the service, for the public pages; `demo` when any value is a demonstration default */
  readonly operator: {
    readonly name: string;
    readonly address: string;
    readonly siret: string | undefined;
    readonly publicationDirector: string;
    readonly hostingProvider: string;
    readonly contactEmail: string;
    readonly contactPhone: string | undefined;
    readonly dpoContact: string;
    readonly accountHelpUrl: string | undefined;
    readonly demo: boolean;
  };
  readonly scopesDir: string;
  readonly viewsDir: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type DevSecrets = { keysEncryptionKey: string; cookieSecret: string; pairwiseSalt: string };

// Outside production, secrets that are not set are generated once and kept in the git-ignored data
// folder, so that encrypted keys and pairwise identifiers survive a restart of the demo.
function devSecrets(dataDir: string): DevSecrets {
  const file = path.join(dataDir, 'dev-secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as DevSecrets;
  const generated: DevSecrets = {
    keysEncryptionKey: randomBytes(32).toString('base64url'),
    cookieSecret: randomBytes(32).toString('base64url'),
    pairwiseSalt: randomBytes(32).toString('base64url'),
  };
  try {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(generated, null, 2), { mode: 0o600 });
  } catch (err) {
    throw new ConfigError(
      `Cannot write to the data folder ${dataDir} (DATA_DIR): ${(err as Error).message}. Set DATA_DIR to a folder you can write to, or make this one yours.`,
    );
  }
  return generated;
}

function formatIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`).join('; ');
}

function splitSecrets(value: string | undefined): string[] | undefined {
  const list = value
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return list?.length ? list : undefined;
}

// A production secret must look random: a few distinct characters, a repeated sequence, a long run
// ("aaaaaaaa", "01234567"), a placeholder, or little entropy in its characters (under 80 bits,
// counted by their frequencies: 32 random hex digits hold about 120) is refused. Not proof of
// randomness, but it stops the configurations people actually type.
const PLACEHOLDER = /change-?me|placeholder|replace-?me|x{6}/i;

export function weakSecretProblem(value: string): string | undefined {
  const chars = [...value];
  const counts = new Map<string, number>();
  for (const c of chars) counts.set(c, (counts.get(c) ?? 0) + 1);
  if (counts.size < 8) return `only ${counts.size} distinct characters`;
  const seen = new Set<string>();
  for (let i = 0; i + 8 <= chars.length; i++) {
    const part = chars.slice(i, i + 8).join('');
    if (seen.has(part)) return 'a repeated sequence of 8 characters';
    seen.add(part);
  }
  let same = 1;
  let up = 1;
  let down = 1;
  for (let i = 1; i < chars.length; i++) {
    const step = (chars[i]?.codePointAt(0) ?? 0) - (chars[i - 1]?.codePointAt(0) ?? 0);
    same = step === 0 ? same + 1 : 1;
    up = step === 1 ? up + 1 : 1;
    down = step === -1 ? down + 1 : 1;
    if (Math.max(same, up, down) >= 8) return 'a run of 8 repeated or consecutive characters';
  }
  if (PLACEHOLDER.test(value)) return 'a placeholder';
  const bits = [...counts.values()].reduce((sum, n) => sum - n * Math.log2(n / chars.length), 0);
  if (bits < 80) return `too little entropy (about ${Math.round(bits)} bits, 80 needed)`;
  return undefined;
}

function secretProblems(env: z.infer<typeof envSchema>): string[] {
  const named: [string, string][] = [
    ...(env.KEYS_ENCRYPTION_KEY
      ? [['KEYS_ENCRYPTION_KEY', env.KEYS_ENCRYPTION_KEY] as [string, string]]
      : []),
    ...(env.PAIRWISE_SALT ? [['PAIRWISE_SALT', env.PAIRWISE_SALT] as [string, string]] : []),
    ...(splitSecrets(env.COOKIE_SECRETS) ?? []).map((v) => ['COOKIE_SECRETS', v] as [string, string]),
  ];
  const problems: string[] = [];
  for (const [name, value] of named) {
    const weak = value.length >= 32 ? weakSecretProblem(value) : undefined;
    // Never the value itself: this message goes to the logs.
    if (weak) problems.push(`${name} must be random (it has ${weak})`);
  }
  // Each secret guards something else (keys at rest, pairwise identifiers, cookies): one leaked
  // must not give away another.
  for (let i = 0; i < named.length; i++) {
    for (let j = i + 1; j < named.length; j++) {
      const [a, va] = named[i] as [string, string];
      const [b, vb] = named[j] as [string, string];
      if (a !== b && va === vb) problems.push(`${a} and ${b} must be different secrets (they are equal)`);
    }
  }
  return problems;
}

function requireProduction(env: z.infer<typeof envSchema>): void {
  const missing: string[] = [];
  if (!env.DATABASE_URL)
    missing.push('DATABASE_URL (a PostgreSQL URL; the embedded database is for development only)');
  if (!env.ISSUER?.startsWith('https://')) missing.push('ISSUER (the public https:// URL of the provider)');
  if (!env.KEYS_ENCRYPTION_KEY) missing.push('KEYS_ENCRYPTION_KEY (32+ random characters)');
  if (!env.PAIRWISE_SALT) missing.push('PAIRWISE_SALT (32+ random characters)');
  const cookies = splitSecrets(env.COOKIE_SECRETS);
  if (!cookies || cookies.some((c) => c.length < 32)) {
    missing.push('COOKIE_SECRETS (comma-separated, each 32+ random characters)');
  }
  missing.push(...secretProblems(env));
  if (env.SEED_DEMO_DATA) missing.push('SEED_DEMO_DATA must not be true in production');
  if (env.DEMO_APP) missing.push('DEMO_APP must not be true in production');
  if (!env.ADMIN_TOTP_REQUIRED) missing.push('ADMIN_TOTP_REQUIRED must not be false in production');
  for (const [name, what] of Object.entries(OPERATOR_SETTINGS)) {
    if (!env[name as keyof typeof OPERATOR_SETTINGS]) missing.push(`${name} (${what})`);
  }
  if (env.KEY_ACTIVATION_DELAY_SECONDS < env.KEY_POLL_INTERVAL_SECONDS)
    missing.push(
      'KEY_ACTIVATION_DELAY_SECONDS at least KEY_POLL_INTERVAL_SECONDS (a new key must be published everywhere before it signs)',
    );
  if (missing.length) {
    throw new ConfigError(`Refusing to start in production; set:\n  - ${missing.join('\n  - ')}`);
  }
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env, root = process.cwd()): Config {
  // An empty variable (`DATABASE_URL= npm start`) means "not set", as in most tools.
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(source).filter(([, v]) => v !== '')));
  if (!parsed.success) throw new ConfigError(`Invalid configuration: ${formatIssues(parsed.error)}`);
  const env = parsed.data;
  const production = env.NODE_ENV === 'production';
  if (production) requireProduction(env);

  const dataDir = path.resolve(root, env.DATA_DIR);
  const allSet = env.KEYS_ENCRYPTION_KEY && env.PAIRWISE_SALT && splitSecrets(env.COOKIE_SECRETS);
  const dev = production || allSet ? undefined : devSecrets(dataDir);
  const issuer = (env.ISSUER ?? `http://localhost:${env.PORT}`).replace(/\/+$/, '');
  const demoEnabled = env.DEMO_APP ?? (!production && env.NODE_ENV !== 'test');

  return Object.freeze({
    env: env.NODE_ENV,
    production,
    host: env.HOST,
    port: env.PORT,
    issuer,
    apiAudience: `${issuer}/api`,
    databaseUrl: env.DATABASE_URL,
    databaseReadUrl: env.DATABASE_READ_URL,
    dataDir,
    embeddedPgPort: env.EMBEDDED_PG_PORT,
    embeddedPgPortFixed: Boolean(source.EMBEDDED_PG_PORT),
    db: Object.freeze({
      poolMax: env.DB_POOL_MAX,
      connectTimeoutMs: env.DB_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: env.DB_STATEMENT_TIMEOUT_MS,
    }),
    secrets: Object.freeze({
      keysEncryptionKey: env.KEYS_ENCRYPTION_KEY ?? (dev as DevSecrets).keysEncryptionKey,
      cookieSecrets: Object.freeze(splitSecrets(env.COOKIE_SECRETS) ?? [(dev as DevSecrets).cookieSecret]),
      pairwiseSalt: env.PAIRWISE_SALT ?? (dev as DevSecrets).pairwiseSalt,
    }),
    consentDurationDays: env.CONSENT_DURATION_DAYS,
    accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlDays: env.REFRESH_TOKEN_TTL_DAYS,
    accessLogRetentionDays: env.ACCESS_LOG_RETENTION_DAYS,
    sessionTtlHours: env.SESSION_TTL_HOURS,
    trustProxy: env.TRUST_PROXY,
    logLevel: env.LOG_LEVEL,
    demoApp: Object.freeze({
      enabled: demoEnabled,
      port: env.DEMO_APP_PORT,
      url: (env.DEMO_APP_URL ?? `http://localhost:${env.DEMO_APP_PORT}`).replace(/\/+$/, ''),
    }),
    seedDemoData: env.SEED_DEMO_DATA ?? !production,
    peconnectCompat: env.PECONNECT_COMPAT,
    adminTotpRequired: env.ADMIN_TOTP_REQUIRED,
    clientSecretGraceHours: env.CLIENT_SECRET_GRACE_HOURS,
    keys: Object.freeze({
      activationDelaySeconds: env.KEY_ACTIVATION_DELAY_SECONDS,
      pollIntervalSeconds: env.KEY_POLL_INTERVAL_SECONDS,
    }),
    ssf: Object.freeze({
      deliveryIntervalMs: env.SSF_DELIVERY_INTERVAL_MS,
      maxBackoffSeconds: env.SSF_MAX_BACKOFF_SECONDS,
      deliveredRetentionDays: env.SSF_DELIVERED_RETENTION_DAYS,
      undeliveredRetentionDays: env.SSF_UNDELIVERED_RETENTION_DAYS,
    }),
    legacyApiRateLimits: Object.freeze({
      defaultLimit: Object.freeze(env.LEGACY_API_RATE_LIMIT),
      perClient: env.LEGACY_API_RATE_LIMITS,
    }),
    operator: Object.freeze({
      name: env.OPERATOR_NAME ?? DEMO_OPERATOR.name,
      address: env.OPERATOR_ADDRESS ?? DEMO_OPERATOR.address,
      siret: env.OPERATOR_SIRET,
      publicationDirector: env.PUBLICATION_DIRECTOR ?? DEMO_OPERATOR.publicationDirector,
      hostingProvider: env.HOSTING_PROVIDER ?? DEMO_OPERATOR.hostingProvider,
      contactEmail: env.CONTACT_EMAIL ?? DEMO_OPERATOR.contactEmail,
      contactPhone: env.CONTACT_PHONE,
      dpoContact: env.DPO_CONTACT ?? DEMO_OPERATOR.dpoContact,
      accountHelpUrl: env.ACCOUNT_HELP_URL,
      demo: Object.keys(OPERATOR_SETTINGS).some((name) => !env[name as keyof typeof OPERATOR_SETTINGS]),
    }),
    scopesDir: path.resolve(root, 'scopes'),
    viewsDir: path.resolve(root, 'views'),
  });
}

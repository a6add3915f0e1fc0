// Baseline for the token, userinfo and full-flow scenarios: oidc-provider as its documentation sets it
// up, with the minimal PostgreSQL adapter beside this file, the same token settings as ours (opaque
// access tokens for the same API audience, refresh-token rotation, PKCE, pairwise subjects, the same
// TTLs), static clients, and a minimal login (argon2id, the very hashes of our jobseekers table) and
// consent interaction. Nothing of ours: no consent records, CSRF, sessions table or access log.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { verify } from '@node-rs/argon2';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type ClientMetadata, type Configuration } from 'oidc-provider';
import pg from 'pg';
import { BARE_SCHEMA, bareAdapter } from './bare-pg-adapter.ts';

const env = process.env as Record<string, string>;
const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: Number(env.DB_POOL_MAX ?? 10) });
await pool.query(BARE_SCHEMA);
const API = `${env.ISSUER}/api`;
const DATA_SCOPES = 'statut indemnisation competences langues permis formations experiences projet';
const OIDC_SCOPES = ['openid', 'offline_access', 'profile', 'email', 'phone', 'address'];
const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
const jwk = { ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'bare' };

const configuration: Configuration = {
  adapter: bareAdapter(pool),
  clients: JSON.parse(env.BARE_CLIENTS ?? '[]') as ClientMetadata[],
  jwks: { keys: [jwk] as NonNullable<Configuration['jwks']>['keys'] },
  cookies: {
    keys: [env.COOKIE_SECRETS as string],
    long: { httpOnly: true, sameSite: 'lax', secure: true },
    short: { httpOnly: true, sameSite: 'lax', secure: true },
  },
  scopes: OIDC_SCOPES,
  claims: {
    openid: ['sub'],
    profile: ['given_name', 'family_name', 'gender', 'birthdate'],
    email: ['email', 'email_verified'],
    phone: ['phone_number'],
    address: ['address'],
  },
  async findAccount(_ctx, id) {
    const { rows } = await pool.query<{ id: string; claims: Record<string, unknown> }>(
      'SELECT id, claims FROM jobseekers WHERE id = $1',
      [id],
    );
    const row = rows[0];
    return row && { accountId: row.id, claims: async () => ({ ...row.claims, sub: row.id }) };
  },
  responseTypes: ['code'],
  subjectTypes: ['pairwise'],
  clientDefaults: { id_token_signed_response_alg: 'RS256', subject_type: 'pairwise' },
  async pairwiseIdentifier(_ctx, accountId, client) {
    return createHmac('sha256', env.PAIRWISE_SALT as string)
      .update(`${client.clientId}\0${accountId}`)
      .digest('base64url');
  },
  pkce: { required: () => true },
  rotateRefreshToken: true,
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    userinfo: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async (_ctx, _client, oneOf) => oneOf ?? API,
      useGrantedResource: async () => false,
      getResourceServerInfo: async () => ({
        scope: DATA_SCOPES,
        audience: API,
        accessTokenFormat: 'opaque',
        accessTokenTTL: 600,
      }),
    },
  },
  // The same TTLs as ours with the default configuration (src/oidc/provider-config.ts).
  ttl: {
    AccessToken: 600, // seconds
    AuthorizationCode: 60, // seconds
    IdToken: 3600, // seconds
    Interaction: 3600, // seconds
    Session: 12 * 3600, // seconds
    Grant: 30 * 86_400, // seconds
    RefreshToken: 30 * 86_400, // seconds
  },
};

const provider = new Provider(env.ISSUER as string, configuration);
provider.proxy = true;

async function form(req: http.IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

const page = (title: string, action: string, inputs: string) =>
  `<!doctype html><html lang="fr"><title>${title}</title><form method="post" action="${action}">${inputs}<button>OK</button></form></html>`;

// The interaction pages, in front of oidc-provider's own routes.
provider.use(async (ctx, next) => {
  if (ctx.path === '/healthz') {
    ctx.body = { status: 'ok' };
    return;
  }
  const match = /^\/interaction\/([\w-]+)(?:\/(login|consent))?$/.exec(ctx.path);
  if (!match) return next();
  const uid = match[1] as string;
  const step = match[2];
  const interaction = await provider.interactionDetails(ctx.req, ctx.res);
  if (interaction.uid !== uid) ctx.throw(400, 'interaction mismatch');
  if (ctx.method === 'GET') {
    ctx.type = 'html';
    ctx.body =
      interaction.prompt.name === 'login'
        ? page(
            'Connexion',
            `/interaction/${uid}/login`,
            '<input name="login"><input name="password" type="password">',
          )
        : page('Autoriser', `/interaction/${uid}/consent`, '');
    return;
  }
  let result: Parameters<Provider['interactionResult']>[2];
  if (step === 'login') {
    const body = await form(ctx.req);
    const { rows } = await pool.query<{ id: string; password_hash: string }>(
      'SELECT id, password_hash FROM jobseekers WHERE login = $1',
      [body.get('login')],
    );
    const account = rows[0];
    if (!account || !(await verify(account.password_hash, body.get('password') ?? ''))) {
      ctx.status = 401;
      ctx.body = 'bad credentials';
      return;
    }
    result = { login: { accountId: account.id } };
  } else {
    await form(ctx.req);
    const { session, params, grantId } = interaction;
    const grant = grantId
      ? await provider.Grant.find(grantId)
      : new provider.Grant({ accountId: session?.accountId, clientId: String(params.client_id) });
    if (!grant) {
      ctx.status = 400;
      ctx.body = 'grant not found';
      return;
    }
    const requested = String(params.scope ?? '').split(' ');
    grant.addOIDCScope(OIDC_SCOPES.filter((s) => requested.includes(s)).join(' '));
    grant.addResourceScope(API, DATA_SCOPES);
    result = { consent: { grantId: await grant.save() } };
  }
  const to = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
  ctx.status = 303;
  ctx.redirect(to);
});

const server = http.createServer(provider.callback());
server.keepAliveTimeout = 5_000;
server.listen(Number(env.PORT), env.HOST ?? '127.0.0.1');
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => void pool.end().then(() => process.exit(0)));
});

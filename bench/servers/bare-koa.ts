// Baseline for the resource API: a bare Koa handler that verifies the same kind of token (an opaque
// oidc-provider access token: one primary-key lookup in oidc_models by the token's hash, as tokens
// are stored (src/oidc/hashed-ids.ts), then its expiry and audience) and
// does one primary-key SELECT of the data row. No consent, client or grant check, no access log, no
// request log: what any bearer-protected read costs at least on this stack.
import http from 'node:http';
import Koa from 'koa';
import pg from 'pg';
import { tokenHash } from '../../src/crypto/token-hash.ts';

const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DB_POOL_MAX ?? 10),
});
const audience = process.env.API_AUDIENCE;
const app = new Koa();

app.use(async (ctx) => {
  if (ctx.path === '/healthz') {
    ctx.body = { status: 'ok' };
    return;
  }
  const scope = /^\/api\/v1\/([a-z]+)$/.exec(ctx.path)?.[1];
  const token = /^Bearer (\S+)$/.exec(ctx.get('Authorization'))?.[1];
  if (!scope || !token) {
    ctx.status = scope ? 401 : 404;
    return;
  }
  const found = await pool.query<{ payload: { accountId?: string; aud?: string }; expires_at: Date }>(
    "SELECT payload, expires_at FROM oidc_models WHERE model = 'AccessToken' AND id = $1",
    [tokenHash(token)],
  );
  const row = found.rows[0];
  // The same audience rule as the API (src/oidc/one-token.ts): no audience, or the API's.
  const aud = row?.payload.aud;
  if (
    !row ||
    row.expires_at <= new Date() ||
    (aud !== undefined && aud !== audience) ||
    !row.payload.accountId
  ) {
    ctx.status = 401;
    ctx.body = { error: 'invalid_token' };
    return;
  }
  const data = await pool.query<{ value: unknown }>(
    'SELECT value FROM jobseeker_data WHERE jobseeker_id = $1 AND scope = $2',
    [row.payload.accountId, scope],
  );
  ctx.body = data.rows[0]?.value ?? [];
});

const server = http.createServer(app.callback());
server.keepAliveTimeout = 5_000;
server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => void pool.end().then(() => process.exit(0)));
});

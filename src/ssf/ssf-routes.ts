// The transmitter's HTTP face: its metadata (SSF 1.0 §7, `/.well-known/ssf-configuration`), stream
// management (§8.1) and RFC 8936 polling, every call but the metadata authenticated as the app
// (receiver-auth.ts). Bad input is a 400 naming the member; another app's stream is a 404.
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type Koa from 'koa';
import { z } from 'zod';
import { AppError } from '../http/app-error.ts';
import { noStore } from '../http/security-headers.ts';
import type { ReceiverAuth } from './receiver-auth.ts';
import { POLL, PUSH } from './ssf-events.ts';
import type { StreamService } from './stream-service.ts';

const uri = z.string().min(1).max(2000);
const streamId = z.uuid();
const delivery = z.strictObject({
  method: z.enum([PUSH, POLL]),
  endpoint_url: uri.nullish(),
  authorization_header: z.string().min(1).max(4000).nullish(),
});
const config = z.object({
  delivery,
  events_requested: z.array(uri).max(50),
  description: z.string().max(500).nullish(),
});
// The receiver's credentials may travel in the body (client_secret_post, private_key_jwt).
const CREDENTIALS = ['client_id', 'client_secret', 'client_assertion', 'client_assertion_type'];
const withoutCredentials = (body: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(body).filter(([k]) => !CREDENTIALS.includes(k)));

const pollRequest = z.object({
  maxEvents: z.number().int().min(0).max(100).default(20),
  returnImmediately: z.boolean().default(false),
  ack: z.array(z.uuid()).max(100).default([]),
  setErrs: z
    .record(z.uuid(), z.object({ err: z.string().max(100), description: z.string().max(500).optional() }))
    .default({}),
});

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : 'the request';
  throw new AppError(400, 'invalid_request', `${where}: ${issue?.message ?? 'invalid'}`);
}

export function ssfRoutes(deps: {
  issuer: string;
  streams: StreamService;
  auth: ReceiverAuth;
  /** how long a poll without returnImmediately may wait for an event (ms) */
  pollWaitMs: number;
  /** « données supprimées »: the app deleted what the request with this jti took back */
  confirmDeletion: (
    clientId: string,
    jti: string,
  ) => Promise<{ consent_event_id: string; confirmed_at: Date } | undefined>;
}) {
  const { issuer, streams, auth } = deps;
  const router = new Router({ strict: true, sensitive: true });

  router.get('/.well-known/ssf-configuration', (ctx) => {
    ctx.set('Cache-Control', 'max-age=300');
    ctx.body = {
      spec_version: '1_0',
      issuer,
      jwks_uri: `${issuer}/jwks`,
      delivery_methods_supported: [PUSH, POLL],
      configuration_endpoint: `${issuer}/ssf/streams`,
      status_endpoint: `${issuer}/ssf/status`,
      verification_endpoint: `${issuer}/ssf/verify`,
      // The app authenticates as at the token endpoint, with its own client credentials.
      authorization_schemes: [{ spec_urn: 'urn:ietf:rfc:6749' }],
      default_subjects: 'ALL',
    };
  });

  const api = new Router({ prefix: '/ssf', strict: true, sensitive: true });
  const body = bodyParser({
    enableTypes: ['json', 'form'],
    jsonLimit: '64kb',
    formLimit: '64kb',
    parsedMethods: ['POST', 'PUT', 'PATCH', 'DELETE'],
    onError: () => {
      throw new AppError(400, 'invalid_request', 'the body is not valid JSON');
    },
  });
  const caller: Koa.Middleware = async (ctx, next) => {
    const raw = (ctx.request as { body?: unknown }).body;
    const parsed =
      raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
    try {
      ctx.state.app = await auth.authenticate({
        authorization: ctx.get('Authorization') || undefined,
        body: parsed,
        url: `${issuer}${ctx.path}`,
      });
    } catch (err) {
      if (err instanceof AppError && err.status === 401)
        ctx.set('WWW-Authenticate', `Basic realm="${issuer}"`);
      throw err;
    }
    ctx.state.input = withoutCredentials(parsed);
    await next();
  };
  api.use(noStore, body, caller);
  const appId = (ctx: Koa.Context) => (ctx.state.app as { id: string }).id;
  const queryId = (ctx: Koa.Context) =>
    ctx.query.stream_id === undefined ? undefined : parse(streamId, ctx.query.stream_id);
  const requiredId = (from: unknown) => parse(streamId, from);

  api.post('/streams', async (ctx) => {
    ctx.status = 201;
    ctx.body = await streams.create(appId(ctx), parse(config, ctx.state.input));
  });
  api.get('/streams', async (ctx) => {
    ctx.body = await streams.read(appId(ctx), queryId(ctx));
  });
  api.patch('/streams', async (ctx) => {
    const input = ctx.state.input as Record<string, unknown>;
    const id = requiredId(input.stream_id);
    const { stream_id: _, ...rest } = input;
    ctx.body = await streams.update(appId(ctx), id, parse(config.partial(), rest), false);
  });
  api.put('/streams', async (ctx) => {
    const input = ctx.state.input as Record<string, unknown>;
    const id = requiredId(input.stream_id);
    const { stream_id: _, ...rest } = input;
    ctx.body = await streams.update(appId(ctx), id, parse(config, rest), true);
  });
  api.delete('/streams', async (ctx) => {
    await streams.remove(appId(ctx), requiredId(ctx.query.stream_id));
    ctx.status = 204;
  });
  api.get('/status', async (ctx) => {
    ctx.body = await streams.status(appId(ctx), requiredId(ctx.query.stream_id));
  });
  api.post('/status', async (ctx) => {
    const input = parse(
      z.object({
        stream_id: streamId,
        status: z.enum(['enabled', 'paused', 'disabled']),
        reason: z.string().max(500).nullish(),
      }),
      ctx.state.input,
    );
    ctx.body = await streams.setStatus(appId(ctx), input.stream_id, input.status, input.reason ?? null);
  });
  api.post('/verify', async (ctx) => {
    const input = parse(
      z.object({ stream_id: streamId, state: z.string().max(500).optional() }),
      ctx.state.input,
    );
    await streams.verify(appId(ctx), input.stream_id, input.state);
    ctx.status = 204;
  });
  api.post('/poll/:id', async (ctx) => {
    const request = parse(pollRequest, ctx.state.input);
    ctx.body = await streams.poll(
      appId(ctx),
      requiredId(ctx.params.id),
      request,
      request.returnImmediately ? 0 : deps.pollWaitMs,
    );
  });

  // Ours (point 2 of issue 17): the app confirms it deleted what a withdrawal took back, naming the
  // jti of the SET (or Logout Token) that asked; shown in the jobseeker's history. Idempotent.
  api.post('/deletion-confirmations', async (ctx) => {
    const { jti } = parse(z.object({ jti: z.uuid() }), ctx.state.input);
    const confirmed = await deps.confirmDeletion(appId(ctx), jti);
    if (!confirmed)
      throw new AppError(404, 'not_found', 'no deletion request of this application has this jti');
    ctx.body = { jti, txn: confirmed.consent_event_id, confirmed_at: confirmed.confirmed_at.toISOString() };
  });

  router.use(api.routes(), api.allowedMethods());
  return router;
}

// The login and consent pages of the OIDC flow. Guarantees: every POST carries a valid CSRF token and
// comes from our origin; an interaction opened in another browser is a session error, never a
// consent; answers are 303 redirects; nothing here is cached. One sign-in with /account
// (account-session.ts): a login here signs in there too, and a live sign-in there answers the login
// step, unless the app asked for a fresh login.
// Back and reload: each page this browser is shown is remembered in a small signed cookie (the
// interaction's id and its app). Coming back to an earlier step of a flow that is still under way
// (Back from the consent page to the login page) resumes the current step; a step that is over or
// expired gets a page that names the app and says what to do, never a bare session error.
import Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import { errors } from 'oidc-provider';
import { z } from 'zod';
import type { Catalog } from '../catalog/load-catalog.ts';
import { signIn } from '../dashboard/account-session.ts';
import { AppError, pageError } from '../http/app-error.ts';
import { appOf, goneInteractionPage } from '../http/error-pages.ts';
import type { Render } from '../http/render.ts';
import { loginClient, rememberDevice } from '../security/device-cookie.ts';
import { consentFormSchema, tickedFields } from './consent-form.ts';
import { type InteractionService, type LoginOutcome, WRONG_CREDENTIALS } from './interaction-service.ts';

const loginForm = z.object({
  login: z.string().trim().min(1).max(200),
  password: z.string().min(1).max(1024),
});

const FLOW_COOKIE = 'pec.flow';
const flowShape = z.object({ uid: z.string().max(100), clientId: z.string().max(200) });

// Thrown where a step resumes a flow still under way: answered with a redirect to that step.
class Resume extends Error {
  readonly location: string;
  constructor(location: string) {
    super('resume');
    this.location = location;
  }
}

export function interactionRoutes(deps: {
  provider: Provider;
  service: InteractionService;
  render: Render;
  /** the jobseeker signed in to /account in this browser (account-session.ts currentJobseeker) */
  signedIn: (ctx: Context) => Promise<{ id: string; authenticatedAt: number; sandbox: boolean } | undefined>;
  catalog: Catalog;
  secureCookies: boolean;
}) {
  const { provider, service, render, catalog } = deps;
  const router = new Router({ prefix: '/interaction' });
  const cookieOptions = {
    signed: true,
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: deps.secureCookies,
    path: '/interaction',
    overwrite: true,
  };

  function rememberFlow(ctx: Context, uid: string, clientId: string) {
    const value = Buffer.from(JSON.stringify({ uid, clientId })).toString('base64url');
    ctx.cookies.set(FLOW_COOKIE, value, { ...cookieOptions, maxAge: 3_600_000 }); // 1 h, the interaction TTL
  }

  function rememberedFlow(ctx: Context) {
    const raw = ctx.cookies.get(FLOW_COOKIE, { signed: true });
    if (!raw) return undefined;
    try {
      const parsed = flowShape.safeParse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  async function details(ctx: Context) {
    try {
      const interaction = await provider.interactionDetails(ctx.req, ctx.res);
      if (interaction.uid !== ctx.params.uid) throw new errors.SessionNotFound('interaction mismatch');
      return interaction;
    } catch (err) {
      if (err instanceof errors.SessionNotFound) return gone(ctx);
      throw err;
    }
  }

  // A step of a flow that is over, expired, or was opened in another browser: resume the step this
  // browser is at if that flow is still under way (a page, not a form post), otherwise say so,
  // naming the app when known.
  async function gone(ctx: Context): Promise<never> {
    const flow = rememberedFlow(ctx);
    if (flow && flow.uid !== ctx.params.uid && ctx.method === 'GET') {
      if (await provider.Interaction.find(flow.uid))
        throw new Resume(`/interaction/${encodeURIComponent(flow.uid)}`);
    }
    const client = flow ? await service.appOf(flow.clientId) : undefined;
    throw pageError(400, 'session_not_found', goneInteractionPage(appOf(client), Boolean(flow)));
  }

  router.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      if (!(err instanceof Resume)) throw err;
      ctx.status = 303;
      ctx.redirect(err.location);
    }
  });

  function page(ctx: Context, template: string, model: Record<string, unknown>) {
    ctx.type = 'html';
    ctx.body = render(template, { ...model, csrf: ctx.state._csrf, uid: ctx.params.uid });
  }

  async function finish(ctx: Context, result: Parameters<Provider['interactionResult']>[2]) {
    const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, {
      mergeWithLastSubmission: false,
    });
    ctx.status = 303;
    ctx.redirect(returnTo);
  }

  router.get('/:uid', async (ctx) => {
    const interaction = await details(ctx);
    rememberFlow(ctx, interaction.uid, String(interaction.params.client_id));
    if (interaction.prompt.name === 'login') {
      const model = await service.loginPage(interaction);
      // Only "no provider session yet": prompt=login, max_age or an id_token_hint add their reasons.
      const onlyNoSession = interaction.prompt.reasons.join() === 'no_session';
      const signedIn = onlyNoSession ? await deps.signedIn(ctx) : undefined;
      // A sandbox app never signs in a real jobseeker, an ordinary app never a persona (sandbox-gate.ts).
      const refusal = signedIn ? await service.sandboxRefusal(interaction, signedIn.sandbox) : undefined;
      // ts: the login time is when the password was typed at /account (auth_time, max_age).
      if (signedIn && !refusal)
        return finish(ctx, {
          login: { accountId: signedIn.id, ts: Math.floor(signedIn.authenticatedAt / 1000) },
        });
      page(ctx, 'login', refusal ? { ...model, error: refusal } : model);
    } else {
      page(ctx, 'consent', await service.consentPage(interaction));
    }
  });

  router.post('/:uid/login', async (ctx) => {
    const interaction = await details(ctx);
    const form = loginForm.safeParse(ctx.request.body);
    const outcome = form.success
      ? await service.authenticate(form.data.login, form.data.password, loginClient(ctx, 'account'))
      : ({ ok: false, status: 401, error: WRONG_CREDENTIALS } as LoginOutcome);
    if (!outcome.ok) {
      ctx.status = outcome.status;
      if (outcome.retryAfter) ctx.set('Retry-After', String(outcome.retryAfter));
      const login =
        typeof (ctx.request.body as { login?: unknown })?.login === 'string'
          ? (ctx.request.body as { login: string }).login
          : '';
      page(ctx, 'login', {
        ...(await service.loginPage(interaction)),
        login,
        error: outcome.error,
      });
      return;
    }
    const refusal = await service.sandboxRefusal(interaction, outcome.sandbox);
    if (refusal) {
      ctx.status = 403;
      page(ctx, 'login', {
        ...(await service.loginPage(interaction)),
        login: form.data?.login ?? '',
        error: refusal,
      });
      return;
    }
    rememberDevice(ctx, 'account', outcome.login);
    const accountId = outcome.id;
    await signIn(ctx, accountId);
    await finish(ctx, { login: { accountId } });
  });

  router.post('/:uid/consent', async (ctx) => {
    const interaction = await details(ctx);
    if (interaction.prompt.name !== 'consent' || !interaction.session?.accountId) {
      throw new AppError(
        400,
        'invalid_request',
        'Cette étape n’est pas attendue ; recommencez depuis l’application.',
      );
    }
    const form = consentFormSchema.safeParse(ctx.request.body);
    if (!form.success) throw new AppError(400, 'invalid_request', 'Le formulaire envoyé est incorrect.');
    // A block ticked as a whole becomes its fields here, before the decision is recorded.
    const ticked = tickedFields(catalog, form.data);
    const grantId = await service.grant(interaction, ticked, ctx.state.requestId);
    await finish(ctx, { consent: { grantId } });
  });

  // « Refuser » on the consent page, or « Annuler » on the login page: the app receives access_denied
  // either way (RFC 6749 §4.1.2.1), with a description that tells the two apart.
  router.post('/:uid/abort', async (ctx) => {
    const interaction = await details(ctx);
    await finish(ctx, {
      error: 'access_denied',
      error_description:
        interaction.prompt.name === 'login'
          ? 'the jobseeker cancelled the login'
          : 'the jobseeker refused to share their data',
    });
  });

  return router;
}

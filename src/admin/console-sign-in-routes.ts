// Signing in to /admin: the password (throttled per email or known device and per address, before
// it is checked), then the TOTP code — or, for an admin without an authenticator, the enrolment
// code, then the new secret and its first code. Wrong codes count against the admin account in the
// database, whatever the session (admin-second-factor.ts): a wait that grows, then a lock, answered
// 429 with Retry-After, no code checked meanwhile. Every POST answers 303, or the page again with
// its error (400/401/429).
import Router from '@koa/router';
import type Koa from 'koa';
import { z } from 'zod';
import type { Render } from '../http/render.ts';
import { loginClient, rememberDevice } from '../security/device-cookie.ts';
import { type LoginThrottle, TooManyAttempts } from '../security/login-throttle.ts';
import type { AdminAccounts } from './admin-accounts.ts';
import type { CodeOutcome } from './admin-second-factor.ts';
import { formatMoment, groupSecret } from './console-models.ts';
import {
  completeSignIn,
  enrolmentStarted,
  isEnrolling,
  isSignedIn,
  pendingAdminId,
  signOutAdmin,
  startSecondFactor,
} from './console-session.ts';

const LOGIN_ERROR = 'Adresse e-mail ou mot de passe incorrect.';
const CODE_ERROR = 'Code incorrect ou déjà utilisé. Attendez le code suivant et réessayez.';
const ENROLMENT_CODE_ERROR =
  'Code d’activation incorrect, expiré ou déjà utilisé. Demandez-en un nouveau à un autre administrateur.';

const loginForm = z.object({
  email: z.string().trim().min(1).max(254),
  password: z.string().min(1).max(1024),
});
const codeOf = (ctx: Koa.Context) =>
  String((ctx.request.body as { code?: unknown } | undefined)?.code ?? '')
    .replace(/\s/g, '')
    .slice(0, 40);

/** What to tell an admin (or an advisor: `unlocker`) whose code was refused, and with which status. */
export function refusal(
  outcome: Exclude<CodeOutcome, { ok: true }>,
  wrong: string,
  unlocker = 'un autre administrateur',
) {
  const until = outcome.waitUntil && outcome.waitUntil.getTime() > Date.now() ? outcome.waitUntil : undefined;
  const next = until ? ` Prochain essai possible le ${formatMoment(until)}.` : '';
  const locked = outcome.locked
    ? `Ce compte est verrouillé après plusieurs codes incorrects : ${unlocker} peut le déverrouiller.`
    : 'Trop de codes incorrects pour ce compte.';
  return {
    status: outcome.checked ? 401 : 429,
    retryAfter: until ? Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000)) : undefined,
    error: outcome.checked ? `${wrong}${outcome.locked ? ` ${locked}` : ''}${next}` : `${locked}${next}`,
  };
}

export function adminSignInRoutes(deps: { render: Render; admins: AdminAccounts; throttle: LoginThrottle }) {
  const { render, admins, throttle } = deps;
  const router = new Router();

  const page = (ctx: Koa.Context, template: string, model: Record<string, unknown>) => {
    ctx.type = 'html';
    ctx.body = render(template, { ...model, csrf: ctx.state._csrf });
  };
  const seeOther = (ctx: Koa.Context, location: string) => {
    ctx.status = 303;
    ctx.redirect(location);
  };
  const refuse = (ctx: Koa.Context, outcome: Exclude<CodeOutcome, { ok: true }>, wrong: string) => {
    const r = refusal(outcome, wrong);
    ctx.status = r.status;
    if (r.retryAfter) ctx.set('Retry-After', String(r.retryAfter));
    return r.error;
  };
  const loginPage = (ctx: Koa.Context, model: Record<string, unknown>) =>
    page(ctx, 'admin/login', { title: 'Connexion à l’administration', ...model });

  router.get('/login', (ctx) => {
    if (isSignedIn(ctx)) return seeOther(ctx, '/admin');
    loginPage(ctx, {
      notice: ctx.query.deconnecte === '1' ? 'Vous êtes déconnecté.' : undefined,
      warning: ctx.query.expire === '1' ? 'Votre session a expiré : reconnectez-vous.' : undefined,
    });
  });

  router.post('/login', async (ctx) => {
    const form = loginForm.safeParse(ctx.request.body);
    const email = form.success ? form.data.email.toLowerCase() : '';
    const client = loginClient(ctx, 'admin');
    if (form.success) {
      // Throttled like jobseeker logins, per admin email (or known device) and per address, before
      // the password check.
      try {
        await throttle.attempt('admin', email, client);
      } catch (err) {
        if (!(err instanceof TooManyAttempts)) throw err;
        ctx.status = 429;
        ctx.set('Retry-After', String(err.retryAfterSeconds));
        loginPage(ctx, { error: err.message, email: form.data.email });
        return;
      }
    }
    const admin = form.success ? await admins.checkPassword(email, form.data.password) : undefined;
    if (!admin) {
      ctx.status = 401;
      loginPage(ctx, { error: LOGIN_ERROR, email: form.success ? form.data.email : '' });
      return;
    }
    // The password throttle only: the second factor's count is the admin account's, and a correct
    // password does not touch it.
    await throttle.succeeded('admin', email, client);
    rememberDevice(ctx, 'admin', email);
    if (!admins.totpRequired) {
      await completeSignIn(ctx, admin.id);
      return seeOther(ctx, '/admin');
    }
    startSecondFactor(ctx, admin.id);
    seeOther(ctx, admin.totp_enabled_at ? '/admin/login/code' : '/admin/enrolment');
  });

  /** The admin half-way in, or a redirect to where they should be. */
  async function pendingAdmin(ctx: Koa.Context, wantEnrolled: boolean) {
    const id = pendingAdminId(ctx);
    const admin = id ? await admins.find(id) : undefined;
    if (!admin || admin.disabled_at) {
      seeOther(ctx, '/admin/login');
      return undefined;
    }
    if (Boolean(admin.totp_enabled_at) !== wantEnrolled) {
      seeOther(ctx, wantEnrolled ? '/admin/enrolment' : '/admin/login/code');
      return undefined;
    }
    return admin;
  }

  const codePage = (ctx: Koa.Context, error?: string) =>
    page(ctx, 'admin/code', {
      title: error ? 'Erreur – Code de vérification' : 'Code de vérification',
      error,
    });

  router.get('/login/code', async (ctx) => {
    if (await pendingAdmin(ctx, true)) codePage(ctx);
  });

  router.post('/login/code', async (ctx) => {
    const admin = await pendingAdmin(ctx, true);
    if (!admin) return;
    const outcome = await admins.verifyCode(admin.id, codeOf(ctx), ctx.ip);
    if (outcome.ok) {
      await completeSignIn(ctx, admin.id);
      return seeOther(ctx, '/admin');
    }
    codePage(ctx, refuse(ctx, outcome, CODE_ERROR));
  });

  const enrolmentCodePage = (ctx: Koa.Context, email: string, error?: string) =>
    page(ctx, 'admin/enrolment-code', {
      title: error ? 'Erreur – Activer la double authentification' : 'Activer la double authentification',
      email,
      error,
    });

  // First the enrolment code; then, in this session only, the new secret (the same one again if the
  // page is reloaded) until its first code is confirmed.
  router.get('/enrolment', async (ctx) => {
    const admin = await pendingAdmin(ctx, false);
    if (!admin) return;
    const enrolment = isEnrolling(ctx) ? await admins.pendingEnrolment(admin.id) : undefined;
    if (!enrolment) return enrolmentCodePage(ctx, admin.email);
    page(ctx, 'admin/enrolment', {
      title: 'Activer la double authentification',
      email: admin.email,
      secret: groupSecret(enrolment.secret),
      qrDataUrl: enrolment.qrDataUrl,
    });
  });

  router.post('/enrolment/code', async (ctx) => {
    const admin = await pendingAdmin(ctx, false);
    if (!admin) return;
    const { outcome } = await admins.startEnrolment(admin, codeOf(ctx), ctx.ip);
    if (outcome.ok) {
      enrolmentStarted(ctx);
      return seeOther(ctx, '/admin/enrolment');
    }
    enrolmentCodePage(ctx, admin.email, refuse(ctx, outcome, ENROLMENT_CODE_ERROR));
  });

  router.post('/enrolment', async (ctx) => {
    const admin = await pendingAdmin(ctx, false);
    if (!admin) return;
    if (!isEnrolling(ctx)) return seeOther(ctx, '/admin/enrolment');
    const outcome = await admins.confirmEnrolment(admin.id, codeOf(ctx), ctx.ip);
    if (outcome.ok) {
      await completeSignIn(ctx, admin.id);
      return seeOther(ctx, '/admin?ok=enrolled');
    }
    const error = refuse(ctx, outcome, CODE_ERROR);
    if (ctx.status === 401) ctx.status = 400;
    page(ctx, 'admin/enrolment', {
      title: 'Erreur – Activer la double authentification',
      email: admin.email,
      error,
    });
  });

  router.post('/logout', (ctx) => {
    signOutAdmin(ctx);
    seeOther(ctx, '/admin/login?deconnecte=1');
  });

  return router;
}

// Signing in to /conseiller: the password (throttled as admin logins are, per email or known device
// and per address), then the TOTP code — or, without an authenticator yet, the enrolment code an
// admin handed over, then the new secret and its first code. Wrong codes count against the advisor
// account in the database (the admins' rules, ../security/totp-second-factor.ts): a wait, then a
// lock that an admin lifts. Every POST answers 303, or the page again with its error.
import Router from '@koa/router';
import type Koa from 'koa';
import { z } from 'zod';
import { groupSecret } from '../admin/console-models.ts';
import { refusal } from '../admin/console-sign-in-routes.ts';
import type { Render } from '../http/render.ts';
import { loginClient, rememberDevice } from '../security/device-cookie.ts';
import { type LoginThrottle, TooManyAttempts } from '../security/login-throttle.ts';
import type { CodeOutcome } from '../security/totp-second-factor.ts';
import type { AdvisorAccounts } from './advisor-accounts.ts';
import {
  advisorEnrolmentStarted,
  clearAdvisor,
  completeAdvisorSignIn,
  isAdvisorEnrolling,
  isAdvisorSignedIn,
  pendingAdvisorId,
  startAdvisorSecondFactor,
} from './advisor-session.ts';

const LOGIN_ERROR = 'Adresse e-mail ou mot de passe incorrect.';
const CODE_ERROR = 'Code incorrect ou déjà utilisé. Attendez le code suivant et réessayez.';
const ENROLMENT_CODE_ERROR =
  'Code d’activation incorrect, expiré ou déjà utilisé. Demandez-en un nouveau à un administrateur.';
const UNLOCKER = 'un administrateur';

const loginForm = z.object({
  email: z.string().trim().min(1).max(254),
  password: z.string().min(1).max(1024),
});
const codeOf = (ctx: Koa.Context) =>
  String((ctx.request.body as { code?: unknown } | undefined)?.code ?? '')
    .replace(/\s/g, '')
    .slice(0, 40);

export function workspaceSignInRoutes(deps: {
  render: Render;
  advisors: AdvisorAccounts;
  throttle: LoginThrottle;
}) {
  const { render, advisors, throttle } = deps;
  const router = new Router({ prefix: '/conseiller' });
  const page = (ctx: Koa.Context, template: string, model: Record<string, unknown>) => {
    ctx.type = 'html';
    ctx.body = render(template, { ...model, csrf: ctx.state._csrf });
  };
  const seeOther = (ctx: Koa.Context, location: string) => {
    ctx.status = 303;
    ctx.redirect(location);
  };
  const refuse = (ctx: Koa.Context, outcome: Exclude<CodeOutcome, { ok: true }>, wrong: string) => {
    const r = refusal(outcome, wrong, UNLOCKER);
    ctx.status = r.status;
    if (r.retryAfter) ctx.set('Retry-After', String(r.retryAfter));
    return r.error;
  };
  const loginPage = (ctx: Koa.Context, model: Record<string, unknown>) =>
    page(ctx, 'advisor/login', { title: 'Connexion à l’espace conseiller', ...model });

  router.get('/login', (ctx) => {
    if (isAdvisorSignedIn(ctx)) return seeOther(ctx, '/conseiller');
    loginPage(ctx, {
      notice: ctx.query.deconnecte === '1' ? 'Vous êtes déconnecté.' : undefined,
      warning: ctx.query.expire === '1' ? 'Votre session a expiré : reconnectez-vous.' : undefined,
    });
  });

  router.post('/login', async (ctx) => {
    const form = loginForm.safeParse(ctx.request.body);
    const email = form.success ? form.data.email.toLowerCase() : '';
    const client = loginClient(ctx, 'advisor');
    if (form.success) {
      try {
        await throttle.attempt('advisor', email, client);
      } catch (err) {
        if (!(err instanceof TooManyAttempts)) throw err;
        ctx.status = 429;
        ctx.set('Retry-After', String(err.retryAfterSeconds));
        return loginPage(ctx, { error: err.message, email: form.data.email });
      }
    }
    const advisor = form.success ? await advisors.checkPassword(email, form.data.password) : undefined;
    if (!advisor) {
      ctx.status = 401;
      return loginPage(ctx, { error: LOGIN_ERROR, email: form.success ? form.data.email : '' });
    }
    await throttle.succeeded('advisor', email, client);
    rememberDevice(ctx, 'advisor', email);
    if (!advisors.totpRequired) {
      await completeAdvisorSignIn(ctx, advisor.id);
      return seeOther(ctx, '/conseiller');
    }
    startAdvisorSecondFactor(ctx, advisor.id);
    seeOther(ctx, advisor.totp_enabled_at ? '/conseiller/login/code' : '/conseiller/activation');
  });

  async function pendingAdvisor(ctx: Koa.Context, wantEnrolled: boolean) {
    const id = pendingAdvisorId(ctx);
    const advisor = id ? await advisors.find(id) : undefined;
    if (!advisor || advisor.disabled_at) {
      seeOther(ctx, '/conseiller/login');
      return undefined;
    }
    if (Boolean(advisor.totp_enabled_at) !== wantEnrolled) {
      seeOther(ctx, wantEnrolled ? '/conseiller/activation' : '/conseiller/login/code');
      return undefined;
    }
    return advisor;
  }

  const codePage = (ctx: Koa.Context, error?: string) =>
    page(ctx, 'advisor/code', {
      title: error ? 'Erreur – Code de vérification' : 'Code de vérification',
      error,
    });

  router.get('/login/code', async (ctx) => {
    if (await pendingAdvisor(ctx, true)) codePage(ctx);
  });

  router.post('/login/code', async (ctx) => {
    const advisor = await pendingAdvisor(ctx, true);
    if (!advisor) return;
    const outcome = await advisors.verifyCode(advisor.id, codeOf(ctx), ctx.ip);
    if (outcome.ok) {
      await completeAdvisorSignIn(ctx, advisor.id);
      return seeOther(ctx, '/conseiller');
    }
    codePage(ctx, refuse(ctx, outcome, CODE_ERROR));
  });

  const enrolmentPage = (ctx: Koa.Context, model: Record<string, unknown>) =>
    page(ctx, 'advisor/enrolment', { title: 'Activer la double authentification', ...model });

  router.get('/activation', async (ctx) => {
    const advisor = await pendingAdvisor(ctx, false);
    if (!advisor) return;
    const enrolment = isAdvisorEnrolling(ctx) ? await advisors.pendingEnrolment(advisor.id) : undefined;
    enrolmentPage(ctx, {
      email: advisor.email,
      secret: enrolment ? groupSecret(enrolment.secret) : undefined,
      qrDataUrl: enrolment?.qrDataUrl,
    });
  });

  router.post('/activation/code', async (ctx) => {
    const advisor = await pendingAdvisor(ctx, false);
    if (!advisor) return;
    const { outcome } = await advisors.startEnrolment(advisor, codeOf(ctx), ctx.ip);
    if (outcome.ok) {
      advisorEnrolmentStarted(ctx);
      return seeOther(ctx, '/conseiller/activation');
    }
    enrolmentPage(ctx, {
      title: 'Erreur – Activer la double authentification',
      email: advisor.email,
      codeError: refuse(ctx, outcome, ENROLMENT_CODE_ERROR),
    });
  });

  router.post('/activation', async (ctx) => {
    const advisor = await pendingAdvisor(ctx, false);
    if (!advisor) return;
    if (!isAdvisorEnrolling(ctx)) return seeOther(ctx, '/conseiller/activation');
    const outcome = await advisors.confirmEnrolment(advisor.id, codeOf(ctx), ctx.ip);
    if (outcome.ok) {
      await completeAdvisorSignIn(ctx, advisor.id);
      return seeOther(ctx, '/conseiller');
    }
    const error = refuse(ctx, outcome, CODE_ERROR);
    if (ctx.status === 401) ctx.status = 400;
    const enrolment = await advisors.pendingEnrolment(advisor.id);
    enrolmentPage(ctx, {
      title: 'Erreur – Activer la double authentification',
      email: advisor.email,
      secret: enrolment ? groupSecret(enrolment.secret) : undefined,
      qrDataUrl: enrolment?.qrDataUrl,
      error,
    });
  });

  router.post('/logout', (ctx) => {
    clearAdvisor(ctx);
    seeOther(ctx, '/conseiller/login?deconnecte=1');
  });

  return router;
}

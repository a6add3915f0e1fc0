// /developpeurs/mot-de-passe-oublie and /developpeurs/nouveau-mot-de-passe: a developer who forgot
// their password gets a one-time link (1 h) by mail; the same answer whether the address has an
// account or not, throttled; the new password ends every session of the account.
import Router from '@koa/router';
import type Koa from 'koa';
import { z } from 'zod';
import type { Render } from '../http/render.ts';
import { loginClient } from '../security/device-cookie.ts';
import { TooManyAttempts } from '../security/login-throttle.ts';
import type { DeveloperAccounts } from './developer-accounts.ts';

const requestForm = z.object({ email: z.string().trim().min(3).max(254) });
const resetForm = z.object({
  jeton: z.string().min(1).max(100),
  password: z.string().min(12, 'le mot de passe doit faire au moins 12 caractères').max(1024),
});
const INVALID = 'Ce lien n’est pas valable : il a déjà servi ou il a expiré. Demandez-en un nouveau.';

export function portalPasswordRoutes(deps: { render: Render; accounts: DeveloperAccounts }) {
  const { render, accounts } = deps;
  const router = new Router({ prefix: '/developpeurs' });
  const page = (ctx: Koa.Context, template: string, model: Record<string, unknown>) => {
    ctx.type = 'html';
    ctx.body = render(template, { ...model, csrf: ctx.state._csrf });
  };
  const forgotten = (ctx: Koa.Context, model: Record<string, unknown> = {}) =>
    page(ctx, 'developers/forgotten', {
      title: 'Mot de passe oublié',
      sent: false,
      error: undefined,
      ...model,
    });

  router.get('/mot-de-passe-oublie', (ctx) => forgotten(ctx, { sent: ctx.query.envoye === '1' }));

  router.post('/mot-de-passe-oublie', async (ctx) => {
    const form = requestForm.safeParse(ctx.request.body);
    if (!form.success) {
      ctx.status = 400;
      return forgotten(ctx, {
        title: 'Erreur – Mot de passe oublié',
        error: 'Indiquez l’adresse e-mail de votre compte.',
      });
    }
    try {
      await accounts.requestReset(form.data.email, loginClient(ctx, 'developer'));
    } catch (err) {
      if (!(err instanceof TooManyAttempts)) throw err;
      ctx.status = 429;
      ctx.set('Retry-After', String(err.retryAfterSeconds));
      return forgotten(ctx, { title: 'Erreur – Mot de passe oublié', error: err.message });
    }
    ctx.status = 303;
    ctx.redirect('/developpeurs/mot-de-passe-oublie?envoye=1');
  });

  router.get('/nouveau-mot-de-passe', async (ctx) => {
    const token = typeof ctx.query.jeton === 'string' ? ctx.query.jeton.slice(0, 100) : '';
    if (!token || !(await accounts.resetUsable(token))) {
      ctx.status = 400;
      return forgotten(ctx, { title: 'Lien invalide – Mot de passe oublié', error: INVALID });
    }
    page(ctx, 'developers/new-password', { title: 'Nouveau mot de passe', token, error: undefined });
  });

  router.post('/nouveau-mot-de-passe', async (ctx) => {
    const form = resetForm.safeParse(ctx.request.body);
    if (!form.success) {
      ctx.status = 400;
      const jeton = (ctx.request.body as { jeton?: unknown } | undefined)?.jeton;
      return page(ctx, 'developers/new-password', {
        title: 'Erreur – Nouveau mot de passe',
        token: typeof jeton === 'string' ? jeton.slice(0, 100) : '',
        error: form.error.issues[0]?.message ?? 'Formulaire incorrect.',
      });
    }
    if (!(await accounts.resetPassword(form.data.jeton, form.data.password))) {
      ctx.status = 400;
      return forgotten(ctx, { title: 'Lien invalide – Mot de passe oublié', error: INVALID });
    }
    ctx.status = 303;
    ctx.redirect('/developpeurs/connexion?nouveau=1');
  });

  return router;
}

// /admin/admins, for a signed-in admin: the admin accounts and the state of their second factor;
// create an admin (their enrolment code is shown once, to be handed over with the password by a
// safe channel); issue a new enrolment code to an admin who lost their authenticator; lift another
// admin's second-factor lock. The services validate and audit; every POST answers 303, a page
// showing a code once, or the form again with its errors (400).
import Router from '@koa/router';
import type Koa from 'koa';
import { AppError } from '../http/app-error.ts';
import type { Render } from '../http/render.ts';
import type { AdminAccounts } from './admin-accounts.ts';
import { actorOf } from './admin-api-auth.ts';
import type { AdminRow } from './admin-queries.ts';
import { formatMoment } from './french-format.ts';
import { adminsView } from './tokens-view.ts';

export function adminsRoutes(deps: {
  render: Render;
  admins: AdminAccounts;
  notice: (ctx: Koa.Context) => string | undefined;
}) {
  const { render, admins } = deps;
  const router = new Router();
  const me = (ctx: Koa.Context) => ctx.state.admin as AdminRow;
  const page = (ctx: Koa.Context, template: string, model: Record<string, unknown>) => {
    ctx.type = 'html';
    ctx.body = render(template, { ...model, csrf: ctx.state._csrf, adminEmail: me(ctx).email });
  };
  const who = (ctx: Koa.Context) => ({ ...actorOf(ctx), adminId: me(ctx).id });

  const listPage = async (
    ctx: Koa.Context,
    form = { email: '' },
    error?: { field: string; message: string },
  ) =>
    page(ctx, 'admin/admins', {
      title: `${error ? 'Erreur – ' : ''}Administrateurs`,
      notice: deps.notice(ctx),
      admins: adminsView(await admins.list(), me(ctx).id),
      email: form.email,
      errors: error
        ? [
            {
              ...error,
              href: `#admin-${error.field}`,
              label: error.field === 'email' ? 'Adresse e-mail' : 'Mot de passe',
            },
          ]
        : [],
      errorOf: error ? { [error.field]: error.message } : {},
    });

  router.get('/admins', (ctx) => listPage(ctx));

  router.post('/admins', async (ctx) => {
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const email = typeof body.email === 'string' ? body.email.trim().slice(0, 254) : '';
    const password = typeof body.password === 'string' ? body.password.slice(0, 1024) : '';
    try {
      const created = await admins.create(email, password, actorOf(ctx));
      page(ctx, 'admin/enrolment-code-issued', {
        title: 'Administrateur créé',
        email: created.email,
        created: true,
        code: created.enrolmentCode,
        expiresAt: formatMoment(created.enrolmentCodeExpiresAt),
      });
    } catch (err) {
      if (!(err instanceof AppError) || (err.status !== 400 && err.status !== 409)) throw err;
      ctx.status = 400;
      await listPage(
        ctx,
        { email },
        { field: /mot de passe/.test(err.message) ? 'password' : 'email', message: err.message },
      );
    }
  });

  const target = async (ctx: Koa.Context) => {
    const admin = await admins.find(String(ctx.params.id));
    if (!admin) throw new AppError(404, 'not_found', 'Cet administrateur n’existe pas.');
    if (admin.id === me(ctx).id)
      throw new AppError(
        403,
        'forbidden',
        'Un autre administrateur doit faire cette action sur votre compte.',
      );
    return admin;
  };

  router.post('/admins/:id/unlock', async (ctx) => {
    const admin = await target(ctx);
    await admins.unlock(admin.id, who(ctx));
    ctx.status = 303;
    ctx.redirect('/admin/admins?ok=unlocked');
  });

  router.post('/admins/:id/totp', async (ctx) => {
    const admin = await target(ctx);
    const issued = await admins.resetTotp(admin.id, actorOf(ctx));
    page(ctx, 'admin/enrolment-code-issued', {
      title: 'Nouveau code d’activation',
      email: issued.email,
      created: false,
      code: issued.code,
      expiresAt: formatMoment(issued.expiresAt),
    });
  });

  return router;
}

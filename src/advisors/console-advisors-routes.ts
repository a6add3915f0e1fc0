// /admin/conseillers, for a signed-in admin: the advisor accounts (agency, second factor, portfolio
// size); create one (their enrolment code shown once); a new enrolment code; lift a second-factor
// lock; disable or enable. The advisor service validates and audits; every POST answers 303, a page
// showing a code once, or the form again with its error (400).
import Router from '@koa/router';
import type Koa from 'koa';
import { actorOf } from '../admin/admin-api-auth.ts';
import { consolePage } from '../admin/console-page.ts';
import { formatMoment } from '../admin/french-format.ts';
import { AppError } from '../http/app-error.ts';
import type { Render } from '../http/render.ts';
import { seeOther } from '../http/see-other.ts';
import type { AdvisorAccounts } from './advisor-accounts.ts';

const NOTICES: Record<string, string> = {
  unlocked: 'Le compte du conseiller est déverrouillé : ses codes incorrects sont oubliés.',
  disabled: 'Le compte est désactivé : le conseiller ne peut plus se connecter ni voir de données.',
  enabled: 'Le compte est réactivé.',
};
const FIELD_LABELS: Record<string, string> = {
  email: 'Adresse e-mail',
  name: 'Nom',
  agency: 'Agence',
  password: 'Mot de passe initial',
};

export function advisorsConsoleRoutes(deps: { render: Render; advisors: AdvisorAccounts }) {
  const { render, advisors } = deps;
  const router = new Router();
  const page = consolePage(render);

  const listPage = async (
    ctx: Koa.Context,
    form: Record<string, string> = {},
    error?: { field: string; message: string },
  ) =>
    page(ctx, 'admin/advisors', {
      title: `${error ? 'Erreur – ' : ''}Conseillers`,
      notice: Object.hasOwn(NOTICES, String(ctx.query.ok)) ? NOTICES[String(ctx.query.ok)] : undefined,
      advisors: (await advisors.list()).map((a) => ({
        id: a.id,
        email: a.email,
        name: a.display_name,
        agency: a.agency,
        portfolio: a.portfolio,
        secondFactor: a.totp_enabled_at ? 'Activée' : 'À activer',
        locked: Boolean(a.locked_at),
        failures: a.failures,
        disabled: Boolean(a.disabled_at),
        state: a.disabled_at ? 'Désactivé' : a.locked_at ? 'Verrouillé' : 'Actif',
      })),
      form,
      errors: error ? [{ ...error, href: `#advisor-${error.field}`, label: FIELD_LABELS[error.field] }] : [],
      errorOf: error ? { [error.field]: error.message } : {},
    });

  router.get('/conseillers', (ctx) => listPage(ctx));

  router.post('/conseillers', async (ctx) => {
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const text = (key: string, max: number) =>
      typeof body[key] === 'string' ? (body[key] as string).slice(0, max) : '';
    const form = { email: text('email', 254).trim(), name: text('name', 100), agency: text('agency', 100) };
    try {
      const created = await advisors.create(
        { email: form.email, displayName: form.name, agency: form.agency, password: text('password', 1024) },
        actorOf(ctx),
      );
      page(ctx, 'admin/advisor-code', {
        title: 'Conseiller créé',
        created: true,
        email: created.advisor.email,
        code: created.enrolmentCode,
        expiresAt: formatMoment(created.expiresAt),
      });
    } catch (err) {
      if (!(err instanceof AppError) || (err.status !== 400 && err.status !== 409)) throw err;
      ctx.status = 400;
      const field = /mot de passe/.test(err.message)
        ? 'password'
        : /agence/.test(err.message)
          ? 'agency'
          : /nom/.test(err.message)
            ? 'name'
            : 'email';
      await listPage(ctx, form, { field, message: err.message });
    }
  });

  const target = async (ctx: Koa.Context) => {
    const advisor = await advisors.view(String(ctx.params.id));
    if (!advisor) throw new AppError(404, 'not_found', 'Ce conseiller n’existe pas.');
    return advisor;
  };

  router.post('/conseillers/:id/code', async (ctx) => {
    const advisor = await target(ctx);
    const issued = await advisors.resetTotp(advisor.id, actorOf(ctx));
    page(ctx, 'admin/advisor-code', {
      title: 'Nouveau code d’activation',
      created: false,
      email: issued.email,
      code: issued.code,
      expiresAt: formatMoment(issued.expiresAt),
    });
  });

  router.post('/conseillers/:id/unlock', async (ctx) => {
    const advisor = await target(ctx);
    await advisors.unlock(advisor.id, actorOf(ctx));
    seeOther(ctx, '/admin/conseillers?ok=unlocked');
  });

  router.post('/conseillers/:id/disable', async (ctx) => {
    const advisor = await target(ctx);
    await advisors.update(advisor.id, { disabled: !advisor.disabled_at }, actorOf(ctx));
    seeOther(ctx, `/admin/conseillers?ok=${advisor.disabled_at ? 'enabled' : 'disabled'}`);
  });

  return router;
}

// /conseiller: the portfolio (with its filters), a jobseeker's page (the mandate's data, the
// diagnosis, the plan) and the plan's forms. Signed-in advisors only (advisor-session.ts); the
// service checks the portfolio and the mandate at every request.
import Router from '@koa/router';
import type Koa from 'koa';
import { z } from 'zod';
import { AppError } from '../http/app-error.ts';
import type { Render } from '../http/render.ts';
import type { AdvisorAccounts } from './advisor-accounts.ts';
import type { AdvisorRow } from './advisor-queries.ts';
import { requireAdvisor } from './advisor-session.ts';
import { planView } from './plan-view.ts';
import { EXPIRING_DAYS, type PortfolioFilter, type WorkspaceService } from './workspace-service.ts';

const day = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Europe/Paris' });
const FILTERS: { id: PortfolioFilter; label: string }[] = [
  { id: 'tous', label: 'Tous' },
  { id: 'sans-mandat', label: 'Sans mandat' },
  { id: 'expire-bientot', label: `Mandat expirant dans ${EXPIRING_DAYS} jours` },
  { id: 'en-retard', label: 'Actions en retard' },
];
const STATUS: Record<string, string> = {
  ok: 'Point positif',
  attention: 'À travailler',
  missing: 'Manquant',
  not_shared: 'Non partagé',
};
const NOTICES: Record<string, string> = {
  added: 'L’étape est ajoutée au plan : la personne la voit dans son espace.',
  state: 'L’étape est mise à jour.',
};

// A real calendar day (2027-02-30 is not one), between 2000 and 2100.
const isDay = (v: string) => {
  if (!v) return true;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v && v >= '2000' && v < '2100';
};
// PostgreSQL refuses a NUL in text: control characters are refused here (line breaks allowed in details).
const isRefusedControl = (c: string) => {
  const code = c.codePointAt(0) as number;
  return (code < 0x20 && c !== '\t' && c !== '\n' && c !== '\r') || code === 0x7f;
};
const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine((v) => ![...v].some(isRefusedControl), 'Caractère non autorisé.');
const stepForm = z.object({
  title: text(200).pipe(z.string().min(1, 'Donnez un intitulé à l’étape.')),
  details: text(1000).optional(),
  due: z
    .string()
    .regex(/^(\d{4}-\d{2}-\d{2})?$/, 'La date attendue est au format AAAA-MM-JJ.')
    .refine(isDay, 'Cette date n’existe pas.')
    .optional(),
  suggested: text(100).optional(),
});
const stateForm = z.object({ state: z.enum(['todo', 'done', 'dropped']) });

export function workspaceRoutes(deps: {
  render: Render;
  advisors: AdvisorAccounts;
  workspace: WorkspaceService;
}) {
  const { render, workspace } = deps;
  const router = new Router({ prefix: '/conseiller' });
  router.use(requireAdvisor(deps.advisors));
  const me = (ctx: Koa.Context) => ctx.state.advisor as AdvisorRow;
  const page = (ctx: Koa.Context, template: string, model: Record<string, unknown>) => {
    ctx.type = 'html';
    ctx.body = render(template, { ...model, advisor: me(ctx), csrf: ctx.state._csrf });
  };
  const back = (ctx: Koa.Context, jobseekerId: string, notice: string) => {
    ctx.status = 303;
    ctx.redirect(`/conseiller/personnes/${jobseekerId}?ok=${notice}#plan`);
  };

  router.get('/', async (ctx) => {
    const filter = FILTERS.find((f) => f.id === ctx.query.filtre)?.id ?? 'tous';
    const rows = await workspace.portfolio(me(ctx).id, filter);
    page(ctx, 'advisor/portfolio', {
      title: 'Mon portefeuille',
      filters: FILTERS.map((f) => ({ ...f, current: f.id === filter })),
      rows: rows.map((r) => ({
        id: r.jobseeker_id,
        name: [r.given_name, r.family_name].filter(Boolean).join(' ') || r.login,
        mandate:
          r.mandate_status === 'active'
            ? `Actif jusqu’au ${day.format(r.mandate_expires_at as Date)}`
            : r.mandate_status === 'expired'
              ? `Expiré le ${day.format(r.mandate_expires_at as Date)}`
              : r.mandate_status === 'revoked'
                ? 'Retiré'
                : 'Aucun',
        lastContact: r.last_contact_at ? day.format(r.last_contact_at) : 'Jamais',
        open: r.open_steps,
        overdue: r.overdue_steps,
      })),
    });
  });

  router.get('/personnes/:id', async (ctx) => {
    const view = await workspace.jobseeker(me(ctx).id, String(ctx.params.id));
    const mandate = view.mandate;
    const name =
      [view.name?.given_name, view.name?.family_name].filter(Boolean).join(' ') || view.name?.login;
    page(ctx, 'advisor/jobseeker', {
      title: `Accompagnement de ${name}`,
      id: String(ctx.params.id),
      name,
      notice: NOTICES[String(ctx.query.ok ?? '')],
      mandate: mandate ? { until: day.format(mandate.expires_at) } : undefined,
      sections: view.sections,
      diagnosis: view.diagnosis.map((p) => ({ ...p, statusLabel: STATUS[p.status] })),
      apps: view.apps,
      steps: planView(view.steps, 'advisor'),
    });
  });

  router.post('/personnes/:id/plan', async (ctx) => {
    const form = stepForm.safeParse(ctx.request.body);
    if (!form.success)
      throw new AppError(400, 'invalid_request', form.error.issues[0]?.message ?? 'Formulaire invalide.');
    await workspace.addStep(me(ctx).id, String(ctx.params.id), {
      title: form.data.title,
      details: form.data.details,
      dueOn: form.data.due,
      suggestedBy: form.data.suggested,
    });
    back(ctx, String(ctx.params.id), 'added');
  });

  router.post('/personnes/:id/plan/:step', async (ctx) => {
    const form = stateForm.safeParse(ctx.request.body);
    if (!form.success) throw new AppError(400, 'invalid_request', 'État inconnu.');
    await workspace.setStep(me(ctx).id, String(ctx.params.id), String(ctx.params.step), form.data.state);
    back(ctx, String(ctx.params.id), 'state');
  });

  return router;
}

// /account/conseiller, "Mon conseiller": who the advisor is, the mandate the jobseeker may give them
// (the consent page's blocks and per-field choices, nothing ticked in advance, a duration, the purpose
// and the sentence that refusing costs nothing), its history, and the action plan, whose steps the
// jobseeker may mark done. Plain forms, CSRF-checked upstream, every POST answers 303.
import { randomBytes } from 'node:crypto';
import Router from '@koa/router';
import type Koa from 'koa';
import { z } from 'zod';
import type { Catalog } from '../catalog/load-catalog.ts';
import { requireJobseeker } from '../dashboard/account-session.ts';
import { listConsentEvents } from '../dashboard/dashboard-queries.ts';
import type { Pool } from '../db/pool.ts';
import { AppError } from '../http/app-error.ts';
import type { Render } from '../http/render.ts';
import { consentFormSchema, tickedFields } from '../interactions/consent-form.ts';
import {
  DEFAULT_MONTHS,
  FREEDOM,
  GENERAL_PURPOSE,
  MAX_MONTHS,
  type MandateService,
} from './mandate-service.ts';
import { listSteps, setStepState } from './plan-queries.ts';
import { planView } from './plan-view.ts';

const NOTICES: Record<string, string> = {
  given: 'C’est enregistré : votre conseiller peut lire les données cochées, jusqu’à la date indiquée.',
  narrowed: 'C’est enregistré : votre conseiller ne voit plus les données que vous avez décochées.',
  renewed: 'C’est enregistré : votre mandat est prolongé.',
  withdrawn:
    'C’est fait : votre conseiller ne voit plus aucune de vos données. Votre accompagnement continue comme avant.',
  nothing:
    'Vous n’avez rien coché : votre conseiller ne voit aucune de vos données. Votre accompagnement continue comme avant.',
  step: 'C’est noté : l’étape est marquée comme faite.',
  duplicate: 'C’est déjà enregistré.',
};

const mandateForm = consentFormSchema.extend({
  duree: z.coerce.number().int().min(1).max(MAX_MONTHS),
  // The form's one-time id: the same form submitted twice records one decision.
  formulaire: z
    .string()
    .regex(/^[\w-]{22}$/)
    .optional(),
});
const day = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Europe/Paris' });
const moment = new Intl.DateTimeFormat('fr-FR', {
  dateStyle: 'long',
  timeStyle: 'short',
  timeZone: 'Europe/Paris',
});
const KINDS: Record<string, string> = {
  granted: 'Mandat donné ou élargi',
  narrowed: 'Mandat restreint',
  extended: 'Mandat prolongé',
  revoked: 'Mandat retiré',
  expired: 'Mandat arrivé à échéance',
};

export function accountAdvisorRoutes(deps: {
  pool: Pool;
  render: Render;
  catalog: Catalog;
  mandates: MandateService;
  sessionTtlMs: number;
}) {
  const { pool, render, catalog, mandates } = deps;
  const router = new Router({ prefix: '/account/conseiller' });
  router.use(requireJobseeker(pool, deps.sessionTtlMs));
  const me = (ctx: Koa.Context) => ctx.state.jobseekerId as string;
  const back = (ctx: Koa.Context, notice: string, anchor = '') => {
    ctx.status = 303;
    ctx.redirect(`/account/conseiller?ok=${notice}${anchor}`);
  };
  const labelOf = (key: string) => catalog.field(key)?.field.label ?? key;

  router.get('/', async (ctx) => {
    const page = await mandates.page(me(ctx));
    const notice = NOTICES[String(ctx.query.ok ?? '')];
    const common = { title: 'Mon conseiller', csrf: ctx.state._csrf, notice, freedom: FREEDOM };
    ctx.type = 'html';
    if (!page.advisor) {
      ctx.body = render('account/advisor', { ...common, advisor: undefined });
      return;
    }
    const mandate = page.mandate;
    const state = !mandate
      ? { kind: 'none' as const }
      : page.live
        ? {
            kind: 'active' as const,
            until: day.format(mandate.expires_at),
            fields: mandate.fields.map(labelOf),
          }
        : mandate.status === 'revoked'
          ? { kind: 'withdrawn' as const }
          : { kind: 'expired' as const, on: day.format(mandate.expires_at) };
    const events = mandate
      ? (await listConsentEvents(pool, me(ctx), mandate.id)).map((e) => ({
          at: moment.format(e.created_at),
          kind: KINDS[e.kind] ?? e.kind,
          by:
            e.actor === 'jobseeker'
              ? 'vous'
              : e.actor === 'system:reassignment'
                ? 'changement de conseiller'
                : 'automatique',
          added: e.fields_added.map(labelOf),
          removed: e.fields_removed.map(labelOf),
        }))
      : [];
    ctx.body = render('account/advisor', {
      ...common,
      advisor: page.advisor,
      state,
      consent: {
        ...page.model,
        blocksTitle: 'Les données que vous pouvez lui confier',
        csrf: ctx.state._csrf,
      },
      purpose: GENERAL_PURPOSE,
      formId: randomBytes(16).toString('base64url'),
      months: Array.from({ length: MAX_MONTHS }, (_, i) => ({
        value: i + 1,
        selected: i + 1 === DEFAULT_MONTHS,
      })),
      events,
      steps: planView(await listSteps(pool, me(ctx)), 'jobseeker'),
    });
  });

  router.post('/mandat', async (ctx) => {
    const form = mandateForm.safeParse(ctx.request.body);
    if (!form.success) throw new AppError(400, 'invalid_request', `La durée va de 1 à ${MAX_MONTHS} mois.`);
    const result = await mandates.give(
      me(ctx),
      tickedFields(catalog, form.data),
      form.data.duree,
      ctx.state.requestId,
      form.data.formulaire,
    );
    back(ctx, result.outcome);
  });

  router.post('/retrait', async (ctx) => {
    await mandates.withdraw(me(ctx), ctx.state.requestId);
    back(ctx, 'withdrawn');
  });

  router.post('/plan/:id/fait', async (ctx) => {
    const step = await setStepState(pool, me(ctx), String(ctx.params.id), 'done', 'jobseeker');
    if (!step) throw new AppError(404, 'not_found', 'Cette étape est introuvable.');
    back(ctx, 'step', '#plan');
  });

  return router;
}

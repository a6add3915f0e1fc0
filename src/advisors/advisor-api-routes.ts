// Advisor accounts in the admin JSON API (/admin/api/advisors), registered on the admin API's router
// so they share its bearer authentication, JSON errors and body parser. Every change is audited by
// the service; an enrolment code appears only in the response that issues it.
import type Router from '@koa/router';
import type Koa from 'koa';
import type { z } from 'zod';
import { actorOf } from '../admin/admin-api-auth.ts';
import { AppError } from '../http/app-error.ts';
import type { AdvisorAccounts } from './advisor-accounts.ts';
import { advisorCreateBody, advisorPatchBody } from './advisor-api-schemas.ts';
import type { AdvisorView } from './advisor-queries.ts';

function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success)
    throw new AppError(
      400,
      'invalid_request',
      parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    );
  return parsed.data;
}

const present = (a: AdvisorView) => ({
  id: a.id,
  email: a.email,
  display_name: a.display_name,
  agency: a.agency,
  created_at: a.created_at,
  disabled_at: a.disabled_at,
  totp_enabled_at: a.totp_enabled_at,
  second_factor_failures: a.failures,
  locked_at: a.locked_at,
  portfolio_size: a.portfolio,
});

export function registerAdvisorApiRoutes(router: Router, advisors: AdvisorAccounts) {
  const found = async (ctx: Koa.Context) => {
    const view = await advisors.view(String(ctx.params.id));
    if (!view) throw new AppError(404, 'not_found', 'no such advisor');
    return view;
  };

  router.get('/advisors', async (ctx) => {
    ctx.body = (await advisors.list()).map(present);
  });

  router.post('/advisors', async (ctx) => {
    const body = parse(advisorCreateBody, ctx.request.body);
    const created = await advisors.create(
      { email: body.email, displayName: body.display_name, agency: body.agency, password: body.password },
      actorOf(ctx),
    );
    ctx.status = 201;
    ctx.body = {
      ...present(created.advisor),
      enrolment_code: created.enrolmentCode,
      enrolment_code_expires_at: created.expiresAt,
    };
  });

  router.get('/advisors/:id', async (ctx) => {
    ctx.body = present(await found(ctx));
  });

  router.patch('/advisors/:id', async (ctx) => {
    const body = parse(advisorPatchBody, ctx.request.body);
    const current = await found(ctx);
    ctx.body = present(
      await advisors.update(
        current.id,
        { displayName: body.display_name, agency: body.agency, disabled: body.disabled },
        actorOf(ctx),
      ),
    );
  });

  router.post('/advisors/:id/enrolment-code', async (ctx) => {
    const current = await found(ctx);
    const issued = await advisors.resetTotp(current.id, actorOf(ctx));
    ctx.body = {
      email: issued.email,
      enrolment_code: issued.code,
      enrolment_code_expires_at: issued.expiresAt,
    };
  });

  router.post('/advisors/:id/unlock', async (ctx) => {
    const current = await found(ctx);
    ctx.body = await advisors.unlock(current.id, actorOf(ctx));
  });
}

/** The OpenAPI paths of the routes above. */
export function advisorOpenApiPaths(json: (schema: z.ZodType) => object, errors: Record<number, object>) {
  const id = [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }];
  return {
    '/advisors': {
      get: {
        summary: 'Conseillers (agence, double authentification, taille du portefeuille)',
        responses: { 200: { description: 'Conseillers' }, ...errors },
      },
      post: {
        summary: 'Créer un compte conseiller (renvoie une fois son code d’activation)',
        requestBody: { required: true, content: json(advisorCreateBody) },
        responses: { 201: { description: 'Créé' }, 409: errors[400], ...errors },
      },
    },
    '/advisors/{id}': {
      parameters: id,
      get: { summary: 'Lire un conseiller', responses: { 200: { description: 'Le conseiller' }, ...errors } },
      patch: {
        summary: 'Modifier le nom, l’agence, ou désactiver un conseiller',
        requestBody: { required: true, content: json(advisorPatchBody) },
        responses: { 200: { description: 'Modifié' }, ...errors },
      },
    },
    '/advisors/{id}/enrolment-code': {
      parameters: id,
      post: {
        summary: 'Oublier son authentificateur et émettre un nouveau code d’activation (montré une fois)',
        responses: { 200: { description: 'Le code' }, ...errors },
      },
    },
    '/advisors/{id}/unlock': {
      parameters: id,
      post: {
        summary: 'Lever le verrouillage de sa double authentification (journalisé)',
        responses: { 200: { description: 'Déverrouillé' }, ...errors },
      },
    },
  };
}

// /developpeurs: sign-up, email verification, sign-in and sign-out of developer accounts. Plain forms
// (no JavaScript needed), CSRF-checked upstream; every POST answers 303 or shows its form again with
// the problem (4xx).
import Router from '@koa/router';
import type Koa from 'koa';
import { z } from 'zod';
import type { Render } from '../http/render.ts';
import { loginClient, rememberDevice } from '../security/device-cookie.ts';
import { TooManyAttempts } from '../security/login-throttle.ts';
import { type DeveloperAccounts, WRONG_DEVELOPER_CREDENTIALS } from './developer-accounts.ts';
import { signInDeveloper, signOutDeveloper } from './developer-session.ts';

const signUpForm = z.object({
  email: z.email('adresse e-mail invalide').trim().max(254),
  // OWASP ASVS: a length, no composition rules, long passphrases allowed.
  password: z.string().min(12, 'le mot de passe doit faire au moins 12 caractères').max(1024),
  organisation: z.string().trim().min(1, 'indiquez le nom de votre organisation').max(200),
  siret: z
    .string()
    .trim()
    .regex(/^(\d{14})?$/, 'le SIRET fait 14 chiffres, sans espace')
    .transform((v) => v || null),
});

const signInForm = z.object({
  email: z.string().trim().min(1).max(254),
  password: z.string().min(1).max(1024),
});

const text = (body: unknown, key: string) => {
  const value = (body as Record<string, unknown> | undefined)?.[key];
  return typeof value === 'string' ? value.slice(0, 300) : '';
};

export function portalAccountRoutes(deps: { render: Render; accounts: DeveloperAccounts }) {
  const { render, accounts } = deps;
  const router = new Router({ prefix: '/developpeurs' });
  const page = (ctx: Koa.Context, template: string, model: Record<string, unknown>) => {
    ctx.type = 'html';
    ctx.body = render(template, { ...model, csrf: ctx.state._csrf });
  };

  router.get('/inscription', (ctx) =>
    page(ctx, 'developers/sign-up', { title: 'Créer un compte développeur', form: {}, errors: [] }),
  );

  router.post('/inscription', async (ctx) => {
    const parsed = signUpForm.safeParse(ctx.request.body);
    if (!parsed.success) {
      ctx.status = 400;
      return page(ctx, 'developers/sign-up', {
        title: 'Erreur – Créer un compte développeur',
        form: {
          email: text(ctx.request.body, 'email'),
          organisation: text(ctx.request.body, 'organisation'),
          siret: text(ctx.request.body, 'siret'),
        },
        errors: parsed.error.issues.map((i) => ({ field: String(i.path[0]), message: i.message })),
      });
    }
    try {
      await accounts.signUp(
        {
          email: parsed.data.email,
          password: parsed.data.password,
          organisationName: parsed.data.organisation,
          siret: parsed.data.siret,
        },
        loginClient(ctx, 'developer'),
      );
    } catch (err) {
      if (!(err instanceof TooManyAttempts)) throw err;
      ctx.status = 429;
      ctx.set('Retry-After', String(err.retryAfterSeconds));
      return page(ctx, 'developers/sign-up', {
        title: 'Erreur – Créer un compte développeur',
        form: {
          email: parsed.data.email,
          organisation: parsed.data.organisation,
          siret: parsed.data.siret ?? '',
        },
        errors: [{ field: 'email', message: err.message }],
      });
    }
    ctx.status = 303;
    ctx.redirect('/developpeurs/inscription/envoyee');
  });

  router.get('/inscription/envoyee', (ctx) =>
    page(ctx, 'developers/sign-up-sent', { title: 'Vérifiez votre adresse e-mail' }),
  );

  router.get('/verification', async (ctx) => {
    const token = typeof ctx.query.jeton === 'string' ? ctx.query.jeton.slice(0, 100) : '';
    const verified = token ? await accounts.verify(token) : undefined;
    if (!verified) {
      ctx.status = 400;
      return page(ctx, 'developers/sign-in', {
        title: 'Lien de vérification invalide',
        error:
          'Ce lien de vérification n’est pas valable : il a déjà servi ou il a expiré. Connectez-vous pour en recevoir un nouveau.',
        email: '',
      });
    }
    ctx.status = 303;
    ctx.redirect('/developpeurs/connexion?verifie=1');
  });

  router.get('/connexion', (ctx) =>
    page(ctx, 'developers/sign-in', {
      title: 'Connexion à l’espace développeurs',
      verified: ctx.query.verifie === '1',
      signedOut: ctx.query.deconnecte === '1',
      newPassword: ctx.query.nouveau === '1',
      email: '',
    }),
  );

  router.post('/connexion', async (ctx) => {
    const form = signInForm.safeParse(ctx.request.body);
    const outcome = form.success
      ? await accounts.authenticate(form.data.email, form.data.password, loginClient(ctx, 'developer'))
      : ({ ok: false, status: 401, error: WRONG_DEVELOPER_CREDENTIALS } as const);
    if (!outcome.ok) {
      ctx.status = outcome.status;
      if ('retryAfter' in outcome && outcome.retryAfter) ctx.set('Retry-After', String(outcome.retryAfter));
      return page(ctx, 'developers/sign-in', {
        title: 'Erreur – Connexion à l’espace développeurs',
        error: outcome.error,
        email: text(ctx.request.body, 'email'),
      });
    }
    rememberDevice(ctx, 'developer', outcome.account.email.toLowerCase());
    await signInDeveloper(ctx, outcome.account.id);
    ctx.status = 303;
    ctx.redirect('/developpeurs/applications');
  });

  router.post('/deconnexion', (ctx) => {
    signOutDeveloper(ctx);
    ctx.status = 303;
    ctx.redirect('/developpeurs/connexion?deconnecte=1');
  });

  return router;
}

// /account: the jobseeker's consents, their history, who read their data, and the export. Plain
// forms (no JavaScript needed); every POST carries the CSRF token (checked upstream) and answers 303.
import Router from '@koa/router';
import type Koa from 'koa';
import type Provider from 'oidc-provider';
import { z } from 'zod';
import type { AccessLog } from '../api/access-log.ts';
import type { ConsentChanges } from '../consents/consent-changes.ts';
import type { Pool } from '../db/pool.ts';
import { readerFor } from '../http/read-your-writes.ts';
import type { Render } from '../http/render.ts';
import {
  type InteractionService,
  type LoginOutcome,
  WRONG_CREDENTIALS,
} from '../interactions/interaction-service.ts';
import { endProviderSession } from '../oidc/provider-session.ts';
import { loginClient, rememberDevice } from '../security/device-cookie.ts';
import { describeDays } from '../site/durations.ts';
import { requireJobseeker, safeReturnPath, signIn, signOut } from './account-session.ts';
import type { DashboardService } from './dashboard-service.ts';
import { recordSharingReview } from './sharing-review-queries.ts';

const NOTICES: Record<string, string> = {
  narrowed: 'C’est enregistré : l’application ne reçoit plus les données que vous avez décochées.',
  unchanged: 'Rien n’a changé : toutes les données cochées restent partagées.',
  revoked:
    'C’est fait : l’application ne peut plus lire vos données. Elle devra vous redemander votre accord. Ce qu’elle a déjà reçu, demandez-lui de l’effacer si vous le souhaitez.',
  'all-revoked':
    'C’est fait : plus aucune application ne peut lire vos données, et si vous aviez donné un mandat à votre conseiller, il a pris fin : votre conseiller ne voit plus vos données. Cela ne change rien à vos droits, à vos allocations ni à votre accompagnement. Ce que les applications ont déjà reçu, demandez-leur de l’effacer si vous le souhaitez.',
  renewed: 'C’est fait : votre accord est prolongé.',
  reviewed:
    'C’est noté : nous vous montrerons à nouveau ce résumé dans 90 jours, ou avant qu’un accord arrive à échéance.',
};

const loginForm = z.object({
  login: z.string().trim().min(1).max(200),
  password: z.string().min(1).max(1024),
  retour: z.string().max(200).optional(),
});
const fieldsForm = z.object({
  fields: z.union([z.string().max(200), z.array(z.string().max(200)).max(200)]).optional(),
});
const confirmForm = z.object({ confirm: z.literal('yes').optional() });
const consentId = (ctx: Koa.Context) => String(ctx.params.id);

export function dashboardRoutes(deps: {
  pool: Pool;
  render: Render;
  dashboard: DashboardService;
  changes: ConsentChanges;
  interactions: InteractionService;
  accessLog: AccessLog;
  sessionTtlMs: number;
  accessLogRetentionDays: number;
  exportSchema: object;
  /** one sign-in: /account's login and logout act on the provider's session too */
  provider: Provider;
  secureCookies: boolean;
}) {
  const { render, dashboard, changes, interactions, accessLog } = deps;
  const router = new Router({ prefix: '/account' });
  const page = (ctx: Koa.Context, template: string, model: Record<string, unknown>) => {
    ctx.type = 'html';
    ctx.body = render(template, { ...model, csrf: ctx.state._csrf });
  };
  const back = (ctx: Koa.Context, notice: string, anchor = '') => {
    ctx.status = 303;
    ctx.redirect(`/account/consents?ok=${notice}${anchor}`);
  };

  router.get('/', (ctx) => {
    ctx.redirect('/account/consents');
  });

  router.get('/login', (ctx) => {
    page(ctx, 'account/login', {
      title: 'Connexion à votre espace',
      retour: safeReturnPath(ctx.query.retour),
      loggedOut: ctx.query.deconnecte === '1',
    });
  });

  router.post('/login', async (ctx) => {
    const form = loginForm.safeParse(ctx.request.body);
    const outcome = form.success
      ? await interactions.authenticate(form.data.login, form.data.password, loginClient(ctx, 'account'))
      : ({ ok: false, status: 401, error: WRONG_CREDENTIALS } as LoginOutcome);
    const retour = safeReturnPath(form.success ? form.data.retour : undefined);
    if (!outcome.ok) {
      ctx.status = outcome.status;
      if (outcome.retryAfter) ctx.set('Retry-After', String(outcome.retryAfter));
      page(ctx, 'account/login', { title: 'Connexion à votre espace', retour, error: outcome.error });
      return;
    }
    rememberDevice(ctx, 'account', outcome.login);
    const jobseekerId = outcome.id;
    await signIn(ctx, jobseekerId);
    // The next flow is this jobseeker's (interaction-routes.ts), not whoever was signed in before.
    await endProviderSession(deps.provider, ctx, { secure: deps.secureCookies, keepFor: jobseekerId });
    ctx.status = 303;
    ctx.redirect(retour);
  });

  router.post('/logout', async (ctx) => {
    // Out of every app's flow too: the next authorization shows the login page.
    await endProviderSession(deps.provider, ctx, { secure: deps.secureCookies });
    signOut(ctx);
    ctx.status = 303;
    ctx.redirect('/account/login?deconnecte=1');
  });

  // The export's documented schema is public documentation.
  router.get('/export/schema.json', (ctx) => {
    ctx.body = deps.exportSchema;
  });

  const signedIn = new Router();
  signedIn.use(requireJobseeker(deps.pool, deps.sessionTtlMs));
  const me = (ctx: Koa.Context) => ctx.state.jobseekerId as string;

  signedIn.get('/consents', async (ctx) => {
    const key = String(ctx.query.ok);
    // Object.hasOwn: `?ok=__proto__` or `?ok=constructor` names no notice.
    const notice = Object.hasOwn(NOTICES, key) ? NOTICES[key] : undefined;
    await accessLog.flush(); // the "last read" figures include reads still buffered on this instance
    page(ctx, 'account/consents', {
      title: 'Mes autorisations',
      notice,
      ...(await dashboard.consentsPage(me(ctx), await readerFor(ctx))),
    });
  });

  // « Ce que vous partagez encore »: the jobseeker has gone over it (src/dashboard/still-sharing.ts).
  signedIn.post('/consents/still-sharing/reviewed', async (ctx) => {
    await recordSharingReview(deps.pool, me(ctx));
    back(ctx, 'reviewed');
  });

  signedIn.post('/consents/:id/fields', async (ctx) => {
    const form = fieldsForm.safeParse(ctx.request.body);
    const keep = form.success ? ([] as string[]).concat(form.data.fields ?? []) : [];
    if (!form.success) ctx.throw(400, 'Formulaire incorrect');
    // A kept field keeps the code that travels with it (one checkbox for both, as on the consent page).
    const { changed } = await changes.narrow(
      me(ctx),
      consentId(ctx),
      dashboard.withTravellers(keep),
      ctx.state.requestId,
    );
    back(ctx, changed ? 'narrowed' : 'unchanged', `#autorisation-${consentId(ctx)}`);
  });

  // « Retirer tous mes accords »: one confirmation page, then every active consent is revoked.
  signedIn.post('/consents/revoke-all', async (ctx) => {
    const form = confirmForm.safeParse(ctx.request.body);
    if (!form.success || form.data.confirm !== 'yes') {
      page(ctx, 'account/revoke-all-confirm', {
        title: 'Retirer tous vos accords',
        ...(await dashboard.revokeAllPage(me(ctx), await readerFor(ctx))),
      });
      return;
    }
    await changes.revokeAll(me(ctx), ctx.state.requestId);
    back(ctx, 'all-revoked');
  });

  signedIn.post('/consents/:id/revoke', async (ctx) => {
    const form = confirmForm.safeParse(ctx.request.body);
    if (!form.success || form.data.confirm !== 'yes') {
      page(ctx, 'account/revoke-confirm', {
        title: 'Retirer votre accord',
        consent: await dashboard.consentCard(me(ctx), consentId(ctx), await readerFor(ctx)),
      });
      return;
    }
    await changes.revoke(me(ctx), consentId(ctx), ctx.state.requestId);
    back(ctx, 'revoked');
  });

  signedIn.post('/consents/:id/renew', async (ctx) => {
    await changes.renew(me(ctx), consentId(ctx), ctx.state.requestId);
    back(ctx, 'renewed', `#autorisation-${consentId(ctx)}`);
  });

  signedIn.get('/consents/:id/history', async (ctx) => {
    page(ctx, 'account/history', {
      title: 'Historique de votre accord',
      ...(await dashboard.historyPage(me(ctx), consentId(ctx), await readerFor(ctx))),
    });
  });

  signedIn.get('/access-log', async (ctx) => {
    // Reads still buffered on this instance are written first, so the page is up to date.
    await accessLog.flush();
    const cursor = typeof ctx.query.avant === 'string' ? ctx.query.avant : undefined;
    page(ctx, 'account/access-log', {
      title: 'Qui a consulté mes données',
      retention: describeDays(deps.accessLogRetentionDays),
      ...(await dashboard.accessLogPage(me(ctx), cursor, await readerFor(ctx))),
    });
  });

  signedIn.get('/mes-donnees', async (ctx) => {
    page(ctx, 'account/my-data', {
      title: 'Mes données',
      ...(await dashboard.myDataPage(me(ctx), await readerFor(ctx))),
    });
  });

  signedIn.get('/export', async (ctx) => {
    await accessLog.flush();
    ctx.set('Content-Disposition', 'attachment; filename="mes-donnees-pole-emploi-connect.json"');
    ctx.type = 'application/json';
    ctx.body = JSON.stringify(await dashboard.export(me(ctx), await readerFor(ctx)), null, 2);
  });

  router.use(signedIn.routes());
  return router;
}

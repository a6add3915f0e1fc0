// The pages oidc-provider renders itself (errors and RP-initiated logout), in our layout and in French.
import type { Configuration } from 'oidc-provider';
import type { Render } from '../http/render.ts';

type ErrorOut = { error: string; error_description?: string };

// Plain-French wording for the errors a person can meet in a browser; protocol codes stay visible.
const ERROR_TEXT: Record<string, string> = {
  invalid_request: 'La demande envoyée par l’application est incomplète ou incorrecte.',
  invalid_client: 'Cette application n’est pas reconnue ou n’est pas autorisée pour le moment.',
  invalid_redirect_uri: 'L’adresse de retour indiquée par l’application n’est pas enregistrée.',
  unauthorized_client: 'Cette application n’est pas autorisée à faire cette demande.',
  invalid_scope: 'L’application demande des données qu’elle n’est pas autorisée à demander.',
  access_denied: 'L’accès a été refusé.',
  session_not_found:
    'Votre session a expiré ou a été ouverte dans un autre navigateur. Recommencez depuis l’application.',
  temporarily_unavailable: 'Le service est momentanément indisponible. Réessayez dans quelques instants.',
  server_error: 'Une erreur inattendue est survenue. Réessayez dans quelques instants.',
};

export function errorPageModel(out: ErrorOut) {
  return {
    title: 'Une erreur est survenue',
    message: ERROR_TEXT[out.error] ?? 'La demande n’a pas pu aboutir.',
    code: out.error,
    // Descriptions come from the protocol library and name parameters, never internal details.
    detail: out.error === 'server_error' ? undefined : out.error_description,
  };
}

export function providerPages(render: Render): Pick<Configuration, 'renderError'> & {
  logoutSource: (ctx: import('koa').Context, form: string) => Promise<void>;
  postLogoutSuccessSource: (ctx: import('koa').Context) => Promise<void>;
} {
  return {
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = render('error', errorPageModel(out as ErrorOut));
    },
    async logoutSource(ctx, form) {
      // `form` is oidc-provider's own hidden form (with its xsrf token); we only add the buttons.
      const client = (ctx as unknown as { oidc: { client?: { clientName?: string } } }).oidc.client;
      ctx.type = 'html';
      ctx.body = render('logout', { title: 'Se déconnecter', clientName: client?.clientName, form });
    },
    async postLogoutSuccessSource(ctx) {
      const client = (ctx as unknown as { oidc: { client?: { clientName?: string } } }).oidc.client;
      ctx.type = 'html';
      ctx.body = render('logged-out', { title: 'Vous êtes déconnecté', clientName: client?.clientName });
    },
  };
}

// The pages oidc-provider renders itself (errors and RP-initiated logout), in our layout and in French.
// An app that cannot start a flow (unknown, not yet approved, suspended) gets a page that names it
// when it is known and says what to do; protocol codes stay in the page's technical details.
import type { Configuration } from 'oidc-provider';
import type { ClientRow } from '../clients/client-queries.ts';
import { unavailableAppPage } from '../http/error-pages.ts';
import type { Render } from '../http/render.ts';

type ErrorOut = { error: string; error_description?: string };

// Plain-French wording for the errors a person can meet in a browser.
const ERROR_TEXT: Record<string, string> = {
  invalid_request: 'La demande envoyée par l’application est incomplète ou incorrecte.',
  invalid_client: 'Cette application n’est pas reconnue ou n’est pas autorisée pour le moment.',
  invalid_redirect_uri: 'L’adresse de retour indiquée par l’application n’est pas enregistrée.',
  unauthorized_client: 'Cette application n’est pas autorisée à faire cette demande.',
  invalid_scope: 'L’application demande des données qu’elle n’est pas autorisée à demander.',
  access_denied: 'L’accès a été refusé.',
  session_not_found:
    'Cette étape de connexion a expiré ou est déjà terminée. Revenez sur l’application et relancez la connexion.',
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

type OidcContext = { oidc?: { params?: { client_id?: unknown }; client?: { clientId?: string } } };

export function providerPages(
  render: Render,
  findClient: (id: string) => Promise<ClientRow | undefined>,
): Pick<Configuration, 'renderError'> & {
  logoutSource: (ctx: import('koa').Context, form: string) => Promise<void>;
  postLogoutSuccessSource: (ctx: import('koa').Context) => Promise<void>;
} {
  return {
    async renderError(ctx, out) {
      const base = errorPageModel(out as ErrorOut);
      let page = {};
      if (base.code === 'invalid_client') {
        const oidc = (ctx as unknown as OidcContext).oidc;
        const id = oidc?.params?.client_id ?? oidc?.client?.clientId;
        // The app is named only if it is registered; an unknown id is never echoed as a name.
        const client =
          typeof id === 'string' && id.length <= 200
            ? await findClient(id).catch(() => undefined)
            : undefined;
        if (client?.status !== 'active') {
          const unavailable = unavailableAppPage(client);
          page = { ...unavailable, title: unavailable.heading, code: undefined, detail: undefined };
        }
      }
      ctx.type = 'html';
      ctx.body = render('error', { ...base, ...page });
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

// What the error pages tell a person, in plain French with a way forward; protocol codes stay in a
// "technical details" disclosure for the app's developers. Shared by our own routes (via AppError's
// `page`) and oidc-provider's error pages (src/oidc/provider-pages.ts).
import type { ClientRow } from '../clients/client-queries.ts';

export interface ErrorPage {
  heading: string;
  message: string;
  steps?: string[];
  app?: { name: string; website?: string; contactEmail?: string };
}

const httpsLink = (url: string | null | undefined) =>
  url && (url.startsWith('https://') || /^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?\//.test(url))
    ? url
    : undefined;

export const appOf = (client: Pick<ClientRow, 'name' | 'website' | 'contact_email'> | undefined) =>
  client
    ? {
        name: client.name,
        website: httpsLink(client.website),
        contactEmail: client.contact_email ?? undefined,
      }
    : undefined;

/** An app that cannot start a flow: unknown, not yet approved, or suspended. */
export function unavailableAppPage(
  client: Pick<ClientRow, 'name' | 'status' | 'website' | 'contact_email'> | undefined,
): ErrorPage {
  if (!client) {
    return {
      heading: 'Application inconnue',
      message:
        'Cette application n’est pas reconnue par Pôle emploi Connect : aucune donnée ne lui est transmise.',
      steps: [
        'Si vous avez suivi un lien reçu par e-mail ou par message, il est peut-être faux : ne donnez pas vos identifiants.',
        'Revenez sur le site de l’application par vous-même, et relancez la connexion.',
        'Si le problème continue, prévenez l’équipe de l’application.',
      ],
    };
  }
  const suspended = client.status === 'suspended';
  return {
    heading: suspended ? `${client.name} est suspendue` : `${client.name} n’est pas encore disponible`,
    message: suspended
      ? `L’application « ${client.name} » n’est pas autorisée pour le moment : Pôle emploi l’a suspendue. Aucune donnée ne lui est transmise.`
      : `L’application « ${client.name} » n’est pas autorisée pour le moment : Pôle emploi ne l’a pas encore validée. Aucune donnée ne lui est transmise.`,
    steps: [
      'Vous n’avez rien à faire de votre côté : votre compte et vos accords ne sont pas en cause.',
      'Réessayez plus tard, ou contactez l’équipe de l’application pour savoir quand elle sera de nouveau disponible.',
    ],
    app: appOf(client),
  };
}

/** An interaction page that no longer exists: already answered, expired, or another browser. */
export function goneInteractionPage(app: ErrorPage['app'], sameBrowser: boolean): ErrorPage {
  const name = app ? `« ${app.name} »` : 'l’application';
  return {
    heading: sameBrowser ? 'Cette étape est terminée' : 'Cette page n’est plus valable',
    message: sameBrowser
      ? `Vous avez déjà répondu à la demande de ${name}, ou cette page a expiré (elle reste valable une heure).`
      : 'Cette page a été ouverte dans un autre navigateur, ou elle a expiré (elle reste valable une heure).',
    steps: [
      `Revenez sur ${name} et relancez la connexion depuis celle-ci si besoin.`,
      'Pour voir ce que vous avez accepté, ouvrez « Mes autorisations ».',
    ],
    app,
  };
}

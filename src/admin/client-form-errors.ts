// A problem of the client form, on its field: the rules' structured issues (a path in the row's
// names and a French message, ../clients/client-rules.ts) placed on the form's controls, with the
// label and the anchor the error summary links to.
import type { Catalog } from '../catalog/load-catalog.ts';
import { type ClientIssue, ClientValidationError } from '../clients/client-values.ts';
import { AppError } from '../http/app-error.ts';

export interface FieldError {
  /** the form field name (input name attribute) */
  field: string;
  /** the id of the element the summary links to */
  href: string;
  label: string;
  message: string;
}

export const FIELD_LABELS: Record<string, string> = {
  client_id: 'Identifiant Pôle emploi Connect (client_id)',
  name: 'Nom de l’application',
  description: 'Description',
  operator_name: 'Opérateur',
  operator_siret: 'SIRET de l’opérateur',
  website: 'Site web',
  contact_email: 'Adresse e-mail de contact',
  logo_uri: 'URL du logo',
  policy_uri: 'URL de la politique de confidentialité',
  tos_uri: 'URL des conditions d’utilisation',
  redirect_uris: 'URI de redirection',
  post_logout_redirect_uris: 'URI de retour après déconnexion',
  backchannel_logout_uri: 'URI de déconnexion par canal arrière (backchannel_logout_uri)',
  scopes: 'Scopes autorisés',
  consent_duration_days: 'Durée de l’accord',
  token_endpoint_auth_method: 'Authentification de l’application',
  jwks_uri: 'URL des clés publiques (jwks_uri)',
  jwks: 'Clés publiques (JWKS)',
  high_assurance: 'Niveau de garantie élevé',
  free_for_jobseekers: 'Gratuité',
  status: 'Statut',
  client: 'Application',
};

/** The id of a form control (and of its error message: `<id>-erreur`). */
export const fieldId = (field: string) =>
  field === 'scopes'
    ? 'scope-openid'
    : field === 'token_endpoint_auth_method'
      ? 'auth-client_secret'
      : field === 'status'
        ? 'actions-statut'
        : field === 'client'
          ? 'formulaire'
          : field.replaceAll('_', '-');

export function fieldError(field: string, message: string, catalog?: Catalog): FieldError {
  const scope = field.startsWith('purpose_') ? catalog?.byId.get(field.slice('purpose_'.length)) : undefined;
  const label = scope
    ? `Finalité pour « ${scope.title} » (${scope.id})`
    : (FIELD_LABELS[field] ?? FIELD_LABELS.client ?? field);
  return { field, href: `#${fieldId(field)}`, label, message };
}

/** One error per issue, on its field: `redirect_uris.1` → line 2 of the redirect URIs. */
export function errorsFromIssues(issues: readonly ClientIssue[], catalog: Catalog): FieldError[] {
  return issues.map(({ path, message }) => {
    const [head = 'client', second, third] = path;
    if (head === 'purposes' && second !== undefined) return fieldError(`purpose_${second}`, message, catalog);
    const field = String(head) in FIELD_LABELS ? String(head) : 'client';
    const line =
      typeof second === 'number' && path.length === 2
        ? `ligne ${second + 1} : `
        : head === 'jwks' && second === 'keys' && typeof third === 'number'
          ? `clé ${third + 1} : `
          : '';
    return fieldError(field, `${line}${message}`, catalog);
  });
}

/** The problems of a refused registration as form errors; anything but a 400/409 is thrown again. */
export function errorsFromRefusal(err: unknown, catalog: Catalog): FieldError[] {
  if (err instanceof ClientValidationError) return errorsFromIssues(err.issues, catalog);
  // 409: a chosen client_id already registered, shown on the form like any other problem.
  if (err instanceof AppError && (err.status === 400 || err.status === 409))
    return [fieldError('client', err.message, catalog)];
  throw err;
}

/** « Label : message » lines, for the pages that list an app's problems (review, portal). */
export const issueLines = (issues: readonly ClientIssue[], catalog: Catalog) =>
  errorsFromIssues(issues, catalog).map((e) => `${e.label} : ${e.message}`);

// What the console shows of an app: its row in the list and its page (everything but secrets;
// links only when https, the logo only from the app's own host).
import type { Catalog } from '../catalog/load-catalog.ts';
import { allowedAuthMethods, usesSecret } from '../clients/client-auth-methods.ts';
import type { ClientListRow, ClientRow, ClientStatus } from '../clients/client-queries.ts';
import { OFFLINE_ACCESS } from './client-form.ts';
import { formatMoment } from './french-format.ts';

export const STATUS_LABELS: Record<ClientStatus, string> = {
  pending: 'En attente',
  active: 'Active',
  suspended: 'Suspendue',
};

export const httpsOnly = (value: string | null | undefined) =>
  value?.startsWith('https://') ? value : undefined;

/**
 * The logo, shown as an image only when it is served over https by the app's own registered host
 * (that of its redirect URIs, which all share one): an image from anywhere else would have every
 * admin's browser call an address the registrant chose (an internal one, or a tracker).
 */
export function ownLogo(row: Pick<ClientRow, 'logo_uri' | 'redirect_uris'>): string | undefined {
  const logo = httpsOnly(row.logo_uri);
  if (!logo || !URL.canParse(logo)) return undefined;
  const hosts = new Set(row.redirect_uris.filter((u) => URL.canParse(u)).map((u) => new URL(u).host));
  return hosts.size === 1 && hosts.has(new URL(logo).host) ? logo : undefined;
}

export function appsListView(rows: ClientListRow[]) {
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    operator: row.operator_name || '—',
    status: row.status,
    statusLabel: STATUS_LABELS[row.status],
    activeConsents: row.active_consents,
    lastActivity: row.last_activity ? formatMoment(row.last_activity) : 'Aucune',
  }));
}

/** The details of an app, for its page: everything but secrets, links only when https. */
export function clientDetails(row: ClientRow, catalog: Catalog) {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    operator: row.operator_name,
    siret: row.operator_siret,
    status: row.status,
    statusLabel: STATUS_LABELS[row.status],
    canApprove: row.status !== 'active',
    canSuspend: row.status === 'active',
    website: row.website,
    websiteHref: httpsOnly(row.website),
    contactEmail: row.contact_email,
    logo: row.logo_uri,
    logoHref: ownLogo(row),
    policy: row.policy_uri,
    policyHref: httpsOnly(row.policy_uri),
    tos: row.tos_uri,
    tosHref: httpsOnly(row.tos_uri),
    redirectUris: row.redirect_uris,
    postLogoutRedirectUris: row.post_logout_redirect_uris,
    scopes: row.scopes.map((id) => ({
      id,
      title: id === OFFLINE_ACCESS.id ? OFFLINE_ACCESS.title : (catalog.byId.get(id)?.title ?? id),
      purpose: row.purposes[id],
      data: catalog.byId.get(id)?.kind === 'data',
    })),
    consentDuration: row.consent_duration_days
      ? `${row.consent_duration_days} jours`
      : 'Durée par défaut du service',
    authMethod: allowedAuthMethods(row.token_endpoint_auth_method).join(' ou '),
    usesSecret: usesSecret(row.token_endpoint_auth_method),
    hasSecret: Boolean(row.secret_ciphertext),
    previousSecretUntil:
      row.previous_secret_expires_at && row.previous_secret_expires_at > new Date()
        ? formatMoment(row.previous_secret_expires_at)
        : undefined,
    highAssurance: row.high_assurance,
    freeForJobseekers: row.free_for_jobseekers,
    registeredVia: REGISTERED_VIA[row.registered_via] ?? row.registered_via,
    createdAt: formatMoment(row.created_at),
    updatedAt: formatMoment(row.updated_at),
  };
}

const REGISTERED_VIA: Record<string, string> = {
  admin: 'par un administrateur',
  registration: 'par enregistrement dynamique (RFC 7591)',
  cli: 'en ligne de commande',
};

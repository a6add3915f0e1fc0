// View-models of the admin console, as pure functions: form values ⇄ ClientInput, the service's
// validation message → per-field French errors, list rows, audit diffs. No I/O here.
import type { Catalog } from '../catalog/load-catalog.ts';
import { allowedAuthMethods, usesSecret } from '../clients/client-auth-methods.ts';
import type { ClientListRow, ClientRow, ClientStatus } from '../clients/client-queries.ts';
import type { ClientInput } from '../clients/client-rules.ts';
import type { AdminListRow, AdminTokenRow } from './admin-queries.ts';
import type { AuditRow } from './audit-queries.ts';

const TIME_ZONE = 'Europe/Paris';
const day = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'medium', timeZone: TIME_ZONE });
const moment = new Intl.DateTimeFormat('fr-FR', {
  dateStyle: 'medium',
  timeStyle: 'short',
  timeZone: TIME_ZONE,
});
export const formatDay = (d: Date) => day.format(d);
export const formatMoment = (d: Date) => moment.format(d);

export const STATUS_LABELS: Record<ClientStatus, string> = {
  pending: 'En attente',
  active: 'Active',
  suspended: 'Suspendue',
};

// 'client_secret' is the default: a secret the app may send either way (client-auth-methods.ts).
export const AUTH_METHODS = [
  {
    value: 'client_secret',
    label: 'Secret partagé (client_secret_basic ou client_secret_post)',
    hint: 'Un secret est généré et affiché une seule fois ; l’application l’envoie dans l’en-tête HTTP Basic ou dans le corps de la requête. C’est le choix par défaut.',
  },
  {
    value: 'client_secret_basic',
    label: 'Secret partagé, en-tête HTTP Basic seulement (client_secret_basic)',
    hint: 'Le même secret, refusé s’il arrive dans le corps de la requête.',
  },
  {
    value: 'client_secret_post',
    label: 'Secret partagé, corps de la requête seulement (client_secret_post)',
    hint: 'Le même secret, refusé s’il arrive dans l’en-tête HTTP Basic.',
  },
  {
    value: 'none',
    label: 'Application publique, sans secret (none)',
    hint: 'Pour une application dans le navigateur ou sur mobile (RFC 8252), qui ne peut garder aucun secret : PKCE seulement. Ni données sensibles, ni garantie élevée.',
  },
  {
    value: 'private_key_jwt',
    label: 'Clé privée (private_key_jwt)',
    hint: 'L’application signe ses requêtes ; indiquez l’URL de ses clés publiques ou les clés elles-mêmes.',
  },
] as const;

export type AuthMethod = (typeof AUTH_METHODS)[number]['value'];
const authMethodOf = (value: string | null | undefined): AuthMethod =>
  AUTH_METHODS.find((m) => m.value === value)?.value ?? 'client_secret';

/** The client form exactly as typed (strings), so that it can be shown again after an error. */
export interface ClientForm {
  /** only when registering: a Pôle emploi Connect identifier to keep (empty: a generated one) */
  client_id: string;
  name: string;
  description: string;
  operator_name: string;
  operator_siret: string;
  website: string;
  contact_email: string;
  logo_uri: string;
  policy_uri: string;
  tos_uri: string;
  redirect_uris: string;
  post_logout_redirect_uris: string;
  backchannel_logout_uri: string;
  scopes: string[];
  purposes: Record<string, string>;
  consent_duration_days: string;
  token_endpoint_auth_method: AuthMethod;
  jwks_uri: string;
  jwks: string;
  high_assurance: boolean;
  free_for_jobseekers: boolean;
}

export interface FieldError {
  /** the form field name (input name attribute) */
  field: string;
  /** the id of the element the summary links to */
  href: string;
  label: string;
  message: string;
}

// The text inputs of the client form (their names are the row's columns).
export const TEXT_FIELDS = [
  'client_id',
  'name',
  'description',
  'operator_name',
  'operator_siret',
  'website',
  'contact_email',
  'logo_uri',
  'policy_uri',
  'tos_uri',
  'redirect_uris',
  'post_logout_redirect_uris',
  'backchannel_logout_uri',
  'consent_duration_days',
  'jwks_uri',
  'jwks',
] as const;

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

export const OFFLINE_ACCESS = {
  id: 'offline_access',
  title: 'Accès hors connexion (jeton de rafraîchissement)',
};

export function emptyForm(): ClientForm {
  return {
    client_id: '',
    name: '',
    description: '',
    operator_name: '',
    operator_siret: '',
    website: '',
    contact_email: '',
    logo_uri: '',
    policy_uri: '',
    tos_uri: '',
    redirect_uris: '',
    post_logout_redirect_uris: '',
    backchannel_logout_uri: '',
    scopes: ['openid'],
    purposes: {},
    consent_duration_days: '',
    token_endpoint_auth_method: 'client_secret',
    jwks_uri: '',
    jwks: '',
    high_assurance: false,
    free_for_jobseekers: false,
  };
}

export function formFromRow(row: ClientRow): ClientForm {
  return {
    client_id: row.id,
    name: row.name,
    description: row.description,
    operator_name: row.operator_name,
    operator_siret: row.operator_siret ?? '',
    website: row.website ?? '',
    contact_email: row.contact_email ?? '',
    logo_uri: row.logo_uri ?? '',
    policy_uri: row.policy_uri ?? '',
    tos_uri: row.tos_uri ?? '',
    redirect_uris: row.redirect_uris.join('\n'),
    post_logout_redirect_uris: row.post_logout_redirect_uris.join('\n'),
    backchannel_logout_uri: row.backchannel_logout_uri ?? '',
    scopes: [...row.scopes],
    purposes: { ...row.purposes },
    consent_duration_days: row.consent_duration_days === null ? '' : String(row.consent_duration_days),
    token_endpoint_auth_method: authMethodOf(row.token_endpoint_auth_method),
    jwks_uri: row.jwks_uri ?? '',
    jwks: row.jwks ? JSON.stringify(row.jwks, null, 2) : '',
    high_assurance: row.high_assurance,
    free_for_jobseekers: row.free_for_jobseekers,
  };
}

// A field sent twice counts once; anything but text (`a[x]=…` parses to an object) counts as empty.
const text = (value: unknown, max = 20_000): string =>
  (typeof value === 'string' ? value : Array.isArray(value) ? text(value[0], max) : '').slice(0, max);
const list = (value: unknown) =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter(
    (v): v is string => typeof v === 'string',
  );

/** The submitted form (urlencoded body), kept as typed. Unknown keys are ignored. */
export function formFromBody(body: unknown, catalog: Catalog): ClientForm {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const form = emptyForm();
  for (const key of TEXT_FIELDS) form[key] = text(b[key]);
  const known = new Set(scopeIds(catalog));
  form.scopes = [...new Set(list(b.scopes))].filter((s) => known.has(s));
  form.purposes = {};
  for (const scope of catalog.dataScopes) {
    const purpose = text(b[`purpose_${scope.id}`], 2000);
    if (purpose.trim()) form.purposes[scope.id] = purpose;
  }
  form.token_endpoint_auth_method = authMethodOf(text(b.token_endpoint_auth_method));
  form.high_assurance = text(b.high_assurance) === 'yes';
  form.free_for_jobseekers = text(b.free_for_jobseekers) === 'yes';
  return form;
}

const scopeIds = (catalog: Catalog) => [
  ...catalog.oidcScopes.map((s) => s.id),
  OFFLINE_ACCESS.id,
  ...catalog.dataScopes.map((s) => s.id),
];

const lines = (value: string) =>
  value
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
const orNull = (value: string) => value.trim() || null;

/**
 * The service input for a form, with the problems only the form can see (a number that is not one,
 * JSON that does not parse). Purposes of unticked scopes are dropped rather than refused.
 */
export function inputFromForm(
  form: ClientForm,
  catalog: Catalog,
): { input: ClientInput; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const dataScopes = new Set(catalog.dataScopes.map((s) => s.id));
  let consentDurationDays: number | null = null;
  const days = form.consent_duration_days.trim();
  if (days) {
    if (/^\d{1,5}$/.test(days)) consentDurationDays = Number(days);
    else errors.push(fieldError('consent_duration_days', 'indiquez un nombre entier de jours (1 à 3650)'));
  }
  const keyAuth = form.token_endpoint_auth_method === 'private_key_jwt';
  let jwks: ClientInput['jwks'] = null;
  if (keyAuth && form.jwks.trim()) {
    try {
      jwks = JSON.parse(form.jwks) as ClientInput['jwks'];
    } catch {
      errors.push(fieldError('jwks', 'ce n’est pas du JSON valide (attendu : {"keys": [ … ]})'));
    }
  }
  const purposes: Record<string, string> = {};
  for (const [scope, purpose] of Object.entries(form.purposes)) {
    if (form.scopes.includes(scope) && dataScopes.has(scope) && purpose.trim())
      purposes[scope] = purpose.trim();
  }
  return {
    input: {
      name: form.name,
      description: form.description,
      operatorName: form.operator_name,
      operatorSiret: orNull(form.operator_siret),
      website: orNull(form.website),
      contactEmail: orNull(form.contact_email),
      logoUri: orNull(form.logo_uri),
      policyUri: orNull(form.policy_uri),
      tosUri: orNull(form.tos_uri),
      redirectUris: lines(form.redirect_uris),
      postLogoutRedirectUris: lines(form.post_logout_redirect_uris),
      backchannelLogoutUri: orNull(form.backchannel_logout_uri),
      scopes: form.scopes,
      purposes,
      consentDurationDays,
      tokenEndpointAuthMethod:
        form.token_endpoint_auth_method === 'client_secret' ? null : form.token_endpoint_auth_method,
      jwksUri: keyAuth ? orNull(form.jwks_uri) : null,
      jwks,
      highAssurance: form.high_assurance,
      freeForJobseekers: form.free_for_jobseekers,
    },
    errors,
  };
}

// The service names fields as RFC 7591 does; the form names them its own way.
const FORM_FIELD_OF: Record<string, string> = {
  client_name: 'name',
  client_uri: 'website',
  contacts: 'contact_email',
  scope: 'scopes',
};

// zod's default messages, in English, for the few checks without a French message of ours.
const MESSAGES: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^Too small: expected string to have >=1 characters?$/, () => 'à renseigner'],
  [/^Too small: expected array to have >=1 items?$/, () => 'indiquez au moins une valeur'],
  [/^Too big: expected string to have <=(\d+) characters?$/, (m) => `${m[1]} caractères au maximum`],
  [/^Too big: expected array to have <=(\d+) items?$/, (m) => `${m[1]} valeurs au maximum`],
  [/^Too small: expected number to be >=(\d+)$/, (m) => `au moins ${m[1]}`],
  [/^Too big: expected number to be <=(\d+)$/, (m) => `au plus ${m[1]}`],
  [/^Invalid email address$/, () => 'adresse e-mail invalide'],
  [/^Invalid URL$/, () => 'URL https invalide'],
  [/^Invalid input: expected (int|number)/, () => 'nombre entier attendu'],
  [/^Invalid input: expected array/, () => 'format invalide (attendu : {"keys": [ … ]})'],
  [/^Invalid input/, () => 'valeur invalide'],
];

export function frenchMessage(message: string): string {
  for (const [pattern, french] of MESSAGES) {
    const m = pattern.exec(message);
    if (m) return french(m);
  }
  return message;
}

function fieldError(field: string, message: string, catalog?: Catalog): FieldError {
  const scope = field.startsWith('purpose_') ? catalog?.byId.get(field.slice('purpose_'.length)) : undefined;
  const label = scope
    ? `Finalité pour « ${scope.title} » (${scope.id})`
    : (FIELD_LABELS[field] ?? FIELD_LABELS.client ?? field);
  return { field, href: `#${fieldId(field)}`, label, message };
}

/** `client_name: problem; redirect_uris.1: problem` (the service's 400) → one error per problem, on its field. */
export function errorsFromMessage(message: string, catalog: Catalog): FieldError[] {
  return message
    .split('; ')
    .filter(Boolean)
    .map((part) => {
      const at = part.indexOf(': ');
      const path = at > 0 ? part.slice(0, at) : 'client';
      const problem = frenchMessage(at > 0 ? part.slice(at + 2) : part);
      const [head = 'client', second, ...rest] = path.split('.');
      if (head === 'purposes' && second) return fieldError(`purpose_${second}`, problem, catalog);
      const field = FORM_FIELD_OF[head] ?? head;
      const known = field in FIELD_LABELS ? field : 'client';
      const line =
        /^\d+$/.test(second ?? '') && !rest.length
          ? `ligne ${Number(second) + 1} : `
          : head === 'jwks' && second === 'keys' && /^\d+$/.test(rest[0] ?? '')
            ? `clé ${Number(rest[0]) + 1} : `
            : '';
      return fieldError(known, `${line}${problem}`, catalog);
    });
}

/** What the form template needs: values, errors per field, and the scope catalog with choices. */
export function formView(form: ClientForm, errors: FieldError[], catalog: Catalog) {
  const errorOf = (field: string) =>
    errors
      .filter((e) => e.field === field)
      .map((e) => e.message)
      .join(' ; ') || undefined;
  const fields = Object.fromEntries(
    [...TEXT_FIELDS, 'high_assurance', 'free_for_jobseekers'].map((name) => [
      name,
      {
        name,
        id: fieldId(name),
        label: FIELD_LABELS[name],
        value: (form as unknown as Record<string, unknown>)[name],
        error: errorOf(name),
      },
    ]),
  );
  const checked = new Set(form.scopes);
  return {
    values: form,
    fields,
    scopesError: errorOf('scopes'),
    authError: errorOf('token_endpoint_auth_method'),
    formError: errorOf('client'),
    oidcScopes: [...catalog.oidcScopes.map((s) => ({ id: s.id, title: s.title })), OFFLINE_ACCESS].map(
      (s) => ({ ...s, inputId: `scope-${s.id}`, checked: checked.has(s.id) }),
    ),
    dataScopes: catalog.dataScopes.map((s) => ({
      id: s.id,
      title: s.title,
      inputId: `scope-${s.id}`,
      checked: checked.has(s.id),
      purpose: {
        name: `purpose_${s.id}`,
        id: fieldId(`purpose_${s.id}`),
        value: form.purposes[s.id] ?? '',
        error: errorOf(`purpose_${s.id}`),
      },
    })),
    authMethods: AUTH_METHODS.map((m) => ({
      ...m,
      inputId: `auth-${m.value}`,
      checked: form.token_endpoint_auth_method === m.value,
    })),
  };
}

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

// ---------- Audit ----------

export const ACTION_LABELS: Record<string, string> = {
  'client.create': 'Application enregistrée',
  'client.update': 'Application modifiée',
  'client.status.active': 'Application approuvée',
  'client.status.suspended': 'Application suspendue',
  'client.status.pending': 'Application remise en attente',
  'client.secret.rotate': 'Nouveau secret généré',
  'client.delete': 'Application supprimée',
  // The developer portal (src/developers/developer-apps.ts).
  'developer_app.create': 'Brouillon créé dans l’espace développeurs',
  'developer_app.submit': 'Application soumise à la validation',
  'developer_app.approve': 'Validation : application approuvée',
  'developer_app.request_changes': 'Validation : modifications demandées',
  'developer_app.refuse': 'Validation : application refusée',
  'developer_app.member.add': 'Membre ajouté à l’équipe',
  'developer_app.member.remove': 'Membre retiré de l’équipe',
  'developer.disable': 'Compte développeur désactivé',
  'developer.enable': 'Compte développeur réactivé',
  'admin.create': 'Administrateur créé',
  'admin.totp.reset': 'Double authentification réinitialisée (nouveau code d’activation)',
  'admin.totp.enrol': 'Double authentification activée',
  'admin.second_factor.failure': 'Code de double authentification incorrect',
  'admin.second_factor.lock': 'Compte verrouillé (codes incorrects)',
  'admin.second_factor.unlock': 'Compte déverrouillé',
  'admin_token.create': 'Jeton d’API créé',
  'admin_token.revoke': 'Jeton d’API révoqué',
  'initial_access_token.create': 'Jeton d’accès initial (RFC 7591) émis',
};

const TARGET_LABELS: Record<string, string> = {
  client: 'Application',
  admin: 'Administrateur',
  admin_token: 'Jeton d’API',
  initial_access_token: 'Jeton d’accès initial',
  developer_app: 'Application de l’espace développeurs',
  developer: 'Compte développeur',
};

const KEY_LABELS: Record<string, string> = {
  name: 'nom',
  description: 'description',
  operator_name: 'opérateur',
  operator_siret: 'SIRET',
  website: 'site',
  contact_email: 'contact',
  logo_uri: 'logo',
  policy_uri: 'confidentialité',
  tos_uri: 'conditions',
  token_endpoint_auth_method: 'authentification',
  jwks_uri: 'jwks_uri',
  jwks: 'jwks',
  redirect_uris: 'redirections',
  post_logout_redirect_uris: 'retours après déconnexion',
  backchannel_logout_uri: 'déconnexion par canal arrière',
  scopes: 'scopes',
  purposes: 'finalités',
  consent_duration_days: 'durée de l’accord',
  high_assurance: 'garantie élevée',
  free_for_jobseekers: 'gratuite',
  status: 'statut',
  expires_at: 'expiration',
  expires_in_days: 'validité (jours)',
  email: 'e-mail',
  ip: 'adresse IP',
  step: 'étape',
  failures: 'échecs consécutifs',
  wait_until: 'prochain essai',
  blocked_until: 'prochain essai',
  enrolment_code_expires_at: 'code d’activation valable jusqu’au',
};

// Snapshots hold no secret, but a key that looks like one is never shown, whatever it holds.
const SECRET_KEY = /secret|password|passwd|_hash$|sealed|^token$|ciphertext/i;
const MAX_VALUE = 120;

const STEP_LABELS: Record<string, string> = {
  code: 'code de connexion',
  enrolment_code: 'code d’activation',
  enrolment: 'premier code après activation',
};

function show(key: string, value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (key === 'step' && typeof value === 'string' && Object.hasOwn(STEP_LABELS, value))
    return STEP_LABELS[value] as string;
  if (key === 'status' && typeof value === 'string' && value in STATUS_LABELS)
    return STATUS_LABELS[value as ClientStatus];
  if (typeof value === 'boolean') return value ? 'oui' : 'non';
  if (typeof value === 'string' && ISO_DATE.test(value)) return formatMoment(new Date(value));
  if (isTextRecord(value))
    return clip(
      Object.entries(value)
        .map(([k, v]) => `${k} « ${v} »`)
        .join(' ; ') || '—',
    );
  if (Array.isArray(value) && value.every((v) => typeof v !== 'object')) return value.join(', ') || '—';
  return clip(typeof value === 'string' ? value : JSON.stringify(value));
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const clip = (shown: string) => (shown.length > MAX_VALUE ? `${shown.slice(0, MAX_VALUE - 1)}…` : shown);

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isTextRecord = (v: unknown): v is Record<string, string> =>
  isRecord(v) && Object.values(v).every((x) => typeof x === 'string');

export interface Change {
  key: string;
  label: string;
  before?: string;
  after: string;
}

/**
 * The keys that changed between two snapshots, as short texts. A creation lists what was set (no
 * "before"); a deletion or an action without a new snapshot lists nothing (the action says it all).
 */
export function auditChanges(before: unknown, after: unknown): Change[] {
  if (!isRecord(after)) return [];
  const prior = isRecord(before) ? before : undefined;
  const changes: Change[] = [];
  for (const [key, value] of Object.entries(after)) {
    if (key === 'id' || SECRET_KEY.test(key)) continue;
    const label = KEY_LABELS[key] ?? key;
    if (prior) {
      if (JSON.stringify(prior[key] ?? null) === JSON.stringify(value ?? null)) continue;
      if (isTextRecord(prior[key] ?? {}) && isTextRecord(value ?? {})) {
        // Purposes: one line per scope whose text changed.
        const was = (prior[key] ?? {}) as Record<string, string>;
        const now = (value ?? {}) as Record<string, string>;
        for (const sub of [...new Set([...Object.keys(was), ...Object.keys(now)])].sort()) {
          if (was[sub] === now[sub]) continue;
          changes.push({
            key: `${key}.${sub}`,
            label: `${label} · ${sub}`,
            before: show(sub, was[sub]),
            after: show(sub, now[sub]),
          });
        }
        continue;
      }
      changes.push({ key, label, before: show(key, prior[key]), after: show(key, value) });
    } else {
      const empty =
        value === null ||
        value === '' ||
        value === false ||
        (Array.isArray(value) && !value.length) ||
        (isRecord(value) && !Object.keys(value).length);
      if (!empty) changes.push({ key, label, after: show(key, value) });
    }
  }
  return changes;
}

const snapshotName = (row: AuditRow) => {
  const key = row.target_type === 'admin' ? 'email' : 'name';
  const named = [row.after, row.before].find((s) => isRecord(s) && typeof s[key] === 'string');
  return named ? String((named as Record<string, unknown>)[key]) : undefined;
};

const SHOWN_TARGET_IDS = new Set(['client', 'admin', 'admin_token', 'developer_app', 'developer']);

export function auditView(rows: AuditRow[], liveClients: ReadonlySet<string>) {
  return rows.map((row) => {
    const name = snapshotName(row);
    return {
      id: row.id,
      at: formatMoment(row.created_at),
      actor: row.actor,
      // 'admin:<email>' may break after the colon, not inside the address.
      actorPrefix: row.actor.includes(':') ? row.actor.slice(0, row.actor.indexOf(':') + 1) : '',
      actorName: row.actor.includes(':') ? row.actor.slice(row.actor.indexOf(':') + 1) : row.actor,
      action: row.action,
      actionLabel: ACTION_LABELS[row.action] ?? row.action,
      target: {
        type: TARGET_LABELS[row.target_type] ?? row.target_type,
        name,
        // Only ids that name something (never a token's own value or fingerprint).
        id: SHOWN_TARGET_IDS.has(row.target_type) ? row.target_id : undefined,
        href:
          row.target_type === 'client' && row.target_id && liveClients.has(row.target_id)
            ? `/admin/clients/${encodeURIComponent(row.target_id)}`
            : row.target_type === 'developer_app' && row.target_id
              ? `/admin/validations/${encodeURIComponent(row.target_id)}`
              : undefined,
      },
      changes: auditChanges(row.before, row.after),
    };
  });
}

// ---------- Admins ----------

export function adminsView(rows: AdminListRow[], myId: string, now = Date.now()) {
  return rows.map((a) => {
    const waiting = a.blocked_until && a.blocked_until.getTime() > now ? a.blocked_until : undefined;
    return {
      id: a.id,
      email: a.email,
      me: a.id === myId,
      createdAt: formatDay(a.created_at),
      secondFactor: a.totp_enabled_at
        ? `Activée le ${formatDay(a.totp_enabled_at)}`
        : a.enrolment_code_expires_at
          ? `À activer (code valable jusqu’au ${formatMoment(a.enrolment_code_expires_at)})`
          : 'À activer : nouveau code d’activation nécessaire',
      failures: a.failures,
      locked: Boolean(a.locked_at),
      state: a.disabled_at
        ? 'Désactivé'
        : a.locked_at
          ? `Verrouillé depuis le ${formatMoment(a.locked_at)}${waiting ? `, prochain essai le ${formatMoment(waiting)}` : ''}`
          : a.failures
            ? `${a.failures} code${a.failures > 1 ? 's' : ''} incorrect${a.failures > 1 ? 's' : ''}${waiting ? `, prochain essai le ${formatMoment(waiting)}` : ''}`
            : 'Normal',
    };
  });
}

// ---------- Tokens ----------

export function tokensView(rows: (AdminTokenRow & { admin_email: string })[], now = Date.now()) {
  return rows.map((t) => {
    const status = t.revoked_at
      ? 'revoked'
      : t.expires_at && t.expires_at.getTime() <= now
        ? 'expired'
        : 'active';
    return {
      id: t.id,
      name: t.name,
      owner: t.admin_email,
      createdAt: formatDay(t.created_at),
      expiresAt: t.expires_at ? formatDay(t.expires_at) : 'Jamais',
      lastUsed: t.last_used_at ? formatMoment(t.last_used_at) : 'Jamais',
      status,
      statusLabel: { active: 'Actif', revoked: 'Révoqué', expired: 'Expiré' }[status],
    };
  });
}

/** The end of a calendar day (YYYY-MM-DD) in Paris, or undefined if it is not a real date. */
export function parisEndOfDay(value: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const utc = new Date(Date.UTC(y, mo - 1, d, 23, 59, 59));
  if (utc.getUTCMonth() !== mo - 1 || utc.getUTCDate() !== d) return undefined;
  const offset =
    new Intl.DateTimeFormat('en-US', { timeZone: TIME_ZONE, timeZoneName: 'longOffset' })
      .formatToParts(utc)
      .find((p) => p.type === 'timeZoneName')
      ?.value.replace('GMT', '') || '+00:00';
  return new Date(`${value}T23:59:59${offset}`);
}

/** A TOTP secret in groups of four, easier to type into an authenticator app. */
export const groupSecret = (secret: string) => secret.replace(/(.{4})(?=.)/g, '$1 ');

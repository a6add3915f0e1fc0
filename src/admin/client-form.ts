// The client form of the admin console (and of the developer portal): its fields are the row's
// names (../clients/client-values.ts), kept as typed so that a form with errors shows again as it was.
// No I/O here.
import type { Catalog } from '../catalog/load-catalog.ts';
import { type ClientRow, EDITABLE_COLUMNS, type EditableClient } from '../clients/client-queries.ts';
import type { ClientValues } from '../clients/client-values.ts';
import { FIELD_LABELS, type FieldError, fieldError, fieldId } from './client-form-errors.ts';

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

// The columns chosen by controls other than a text input (ticks, radios), and those set elsewhere
// (the status by the approve and suspend buttons, the Emploi Store sheet on its own page).
const CHOSEN = [
  'token_endpoint_auth_method',
  'scopes',
  'purposes',
  'high_assurance',
  'free_for_jobseekers',
] as const;
const ELSEWHERE = ['status', 'category', 'start_url', 'audience', 'audience_vetted'] as const;
const NOT_TYPED = [...CHOSEN, ...ELSEWHERE];
type TextColumn = Exclude<(typeof EDITABLE_COLUMNS)[number], (typeof NOT_TYPED)[number]>;

// The text inputs of the client form: the row's columns, and the chosen client_id when registering.
export const TEXT_FIELDS: readonly ('client_id' | TextColumn)[] = [
  'client_id',
  ...EDITABLE_COLUMNS.filter((c): c is TextColumn => !(NOT_TYPED as readonly string[]).includes(c)),
];

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
 * The registration a form asks for, in the row's names, with the problems only the form can see (a
 * number that is not one, JSON that does not parse). Purposes of unticked scopes are dropped rather
 * than refused.
 */
export function inputFromForm(
  form: ClientForm,
  catalog: Catalog,
): { input: ClientValues & Pick<EditableClient, 'name'>; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const dataScopes = new Set(catalog.dataScopes.map((s) => s.id));
  let days: number | null = null;
  const typedDays = form.consent_duration_days.trim();
  if (typedDays) {
    if (/^\d{1,5}$/.test(typedDays)) days = Number(typedDays);
    else errors.push(fieldError('consent_duration_days', 'indiquez un nombre entier de jours (1 à 3650)'));
  }
  const keyAuth = form.token_endpoint_auth_method === 'private_key_jwt';
  let jwks: EditableClient['jwks'] = null;
  if (keyAuth && form.jwks.trim()) {
    try {
      jwks = JSON.parse(form.jwks) as EditableClient['jwks'];
    } catch {
      errors.push(fieldError('jwks', 'ce n’est pas du JSON valide (attendu : {"keys": [ … ]})'));
    }
  }
  const purposes: Record<string, string> = {};
  for (const [scope, purpose] of Object.entries(form.purposes)) {
    if (form.scopes.includes(scope) && dataScopes.has(scope) && purpose.trim())
      purposes[scope] = purpose.trim();
  }
  const typed = Object.fromEntries(
    TEXT_FIELDS.filter((field) => !READ_APART.has(field)).map((field) => [field, orNull(form[field])]),
  ) as ClientValues;
  return {
    input: {
      ...typed,
      name: form.name,
      description: form.description,
      operator_name: form.operator_name,
      redirect_uris: lines(form.redirect_uris),
      post_logout_redirect_uris: lines(form.post_logout_redirect_uris),
      scopes: form.scopes,
      purposes,
      consent_duration_days: days,
      token_endpoint_auth_method:
        form.token_endpoint_auth_method === 'client_secret' ? null : form.token_endpoint_auth_method,
      jwks_uri: keyAuth ? orNull(form.jwks_uri) : null,
      jwks,
      high_assurance: form.high_assurance,
      free_for_jobseekers: form.free_for_jobseekers,
    },
    errors,
  };
}

// The text fields read another way than « as typed, or null when left empty ».
const READ_APART = new Set<string>([
  'client_id',
  'name',
  'description',
  'operator_name',
  'redirect_uris',
  'post_logout_redirect_uris',
  'consent_duration_days',
  'jwks_uri',
  'jwks',
]);

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

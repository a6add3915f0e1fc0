// RFC 7591 client metadata names ⇄ our ClientInput. The admin API and dynamic registration speak
// these names (plus ours: status, purposes, description, operator_name, …).
import { allowedAuthMethods, registeredAuthMethod } from './client-auth-methods.ts';
import type { ClientRow } from './client-queries.ts';
import type { ClientInput } from './client-rules.ts';

type Metadata = Record<string, unknown>;

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const has = (m: Metadata, key: string) => Object.hasOwn(m, key);

/** Only the keys present in `m` are mapped, so a PATCH changes only what it names. */
export function fromRfc7591(m: Metadata, dataScopes: readonly string[] = []): Partial<ClientInput> {
  const input: Partial<ClientInput> = {};
  const set = <K extends keyof ClientInput>(key: K, value: ClientInput[K]) => {
    input[key] = value;
  };
  if (has(m, 'client_name')) set('name', m.client_name as string);
  if (has(m, 'description')) set('description', m.description as string);
  if (has(m, 'operator_name')) set('operatorName', m.operator_name as string);
  if (has(m, 'operator_siret')) set('operatorSiret', m.operator_siret as string | null);
  if (has(m, 'client_uri')) set('website', m.client_uri as string | null);
  if (has(m, 'contacts'))
    set('contactEmail', Array.isArray(m.contacts) ? (str(m.contacts[0]) ?? null) : (m.contacts as null));
  if (has(m, 'logo_uri')) set('logoUri', m.logo_uri as string | null);
  if (has(m, 'policy_uri')) set('policyUri', m.policy_uri as string | null);
  if (has(m, 'tos_uri')) set('tosUri', m.tos_uri as string | null);
  if (has(m, 'redirect_uris')) set('redirectUris', m.redirect_uris as string[]);
  if (has(m, 'post_logout_redirect_uris'))
    set('postLogoutRedirectUris', m.post_logout_redirect_uris as string[]);
  if (has(m, 'backchannel_logout_uri'))
    set('backchannelLogoutUri', m.backchannel_logout_uri as string | null);
  if (has(m, 'scope') || dataScopes.length) {
    const scopes = typeof m.scope === 'string' ? m.scope.split(' ').filter(Boolean) : m.scope;
    // Anything but a list (a number, an object) is passed on as it is, for the rules to refuse.
    set(
      'scopes',
      Array.isArray(scopes) || scopes == null
        ? [...(scopes ?? []), ...dataScopes]
        : (scopes as ClientInput['scopes']),
    );
  }
  if (has(m, 'purposes')) set('purposes', m.purposes as Record<string, string>);
  if (has(m, 'consent_duration_days')) set('consentDurationDays', m.consent_duration_days as number | null);
  if (has(m, 'token_endpoint_auth_method'))
    set('tokenEndpointAuthMethod', m.token_endpoint_auth_method as ClientInput['tokenEndpointAuthMethod']);
  if (has(m, 'jwks_uri')) set('jwksUri', m.jwks_uri as string | null);
  if (has(m, 'jwks')) set('jwks', m.jwks as ClientInput['jwks']);
  if (has(m, 'high_assurance')) set('highAssurance', m.high_assurance as boolean);
  if (has(m, 'free_for_jobseekers')) set('freeForJobseekers', m.free_for_jobseekers as boolean);
  if (has(m, 'status')) set('status', m.status as ClientInput['status']);
  // Emploi Store listing (ours).
  if (has(m, 'category')) set('category', m.category as string | null);
  if (has(m, 'start_url')) set('startUrl', m.start_url as string | null);
  if (has(m, 'audience')) set('audience', m.audience as ClientInput['audience']);
  if (has(m, 'audience_vetted')) set('audienceVetted', m.audience_vetted as boolean);
  return input;
}

export function toRfc7591(row: ClientRow & { active_consents?: number; last_activity?: Date | null }) {
  return {
    client_id: row.id,
    client_name: row.name,
    description: row.description,
    operator_name: row.operator_name,
    operator_siret: row.operator_siret,
    client_uri: row.website,
    contacts: row.contact_email ? [row.contact_email] : [],
    logo_uri: row.logo_uri,
    policy_uri: row.policy_uri,
    tos_uri: row.tos_uri,
    redirect_uris: row.redirect_uris,
    post_logout_redirect_uris: row.post_logout_redirect_uris,
    backchannel_logout_uri: row.backchannel_logout_uri,
    scope: row.scopes.join(' '),
    purposes: row.purposes,
    consent_duration_days: row.consent_duration_days,
    token_endpoint_auth_method: registeredAuthMethod(row.token_endpoint_auth_method),
    // Ours: every method the app may use (both secret methods unless token_endpoint_auth_method was set).
    token_endpoint_auth_methods: allowedAuthMethods(row.token_endpoint_auth_method),
    jwks_uri: row.jwks_uri,
    jwks: row.jwks,
    high_assurance: row.high_assurance,
    free_for_jobseekers: row.free_for_jobseekers,
    status: row.status,
    category: row.category,
    start_url: row.start_url,
    audience: row.audience,
    audience_vetted: row.audience_vetted,
    registered_via: row.registered_via,
    client_id_issued_at: Math.floor(row.created_at.getTime() / 1000),
    updated_at: row.updated_at.toISOString(),
    secret_rotation_grace_until: row.previous_secret_expires_at?.toISOString() ?? null,
    ...(row.active_consents === undefined ? {} : { active_consents: row.active_consents }),
    ...(row.last_activity === undefined ? {} : { last_activity: row.last_activity?.toISOString() ?? null }),
  };
}

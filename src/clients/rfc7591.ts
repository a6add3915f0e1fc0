// RFC 7591 client metadata ⇄ the client row (client-values.ts). The admin API and dynamic
// registration speak these names; four of them differ from the row's, the others (ours: status,
// purposes, description, operator_name, …, and RFC 7591's own redirect_uris, logo_uri, jwks…) are
// the row's names already.
import { allowedAuthMethods, registeredAuthMethod } from './client-auth-methods.ts';
import { type ClientRow, EDITABLE_COLUMNS } from './client-queries.ts';
import type { ClientIssue, ClientValues } from './client-values.ts';

type Metadata = Record<string, unknown>;

const RFC7591_NAMES: Partial<Record<(typeof EDITABLE_COLUMNS)[number], string>> = {
  name: 'client_name',
  website: 'client_uri',
  contact_email: 'contacts',
  scopes: 'scope',
};
const nameOf = (column: (typeof EDITABLE_COLUMNS)[number]) => RFC7591_NAMES[column] ?? column;

/** A problem's field as the API names it: `client_name`, `redirect_uris.1`, `purposes.statut`. */
export const rfc7591Field = (path: ClientIssue['path']): string => {
  const [head, ...rest] = path.map(String);
  if (!head) return 'client';
  return [nameOf(head as (typeof EDITABLE_COLUMNS)[number]), ...rest].join('.');
};

/** Only the keys present in `m` are mapped, so a PATCH changes only what it names. */
export function fromRfc7591(m: Metadata, dataScopes: readonly string[] = []): ClientValues {
  const values: Record<string, unknown> = {};
  for (const column of EDITABLE_COLUMNS) {
    const key = nameOf(column);
    if (Object.hasOwn(m, key)) values[column] = m[key];
  }
  if (Object.hasOwn(m, 'contacts'))
    values.contact_email = Array.isArray(m.contacts)
      ? typeof m.contacts[0] === 'string'
        ? m.contacts[0]
        : null
      : m.contacts;
  if (Object.hasOwn(m, 'scope') || dataScopes.length) {
    const scopes = typeof m.scope === 'string' ? m.scope.split(' ').filter(Boolean) : m.scope;
    // Anything but a list (a number, an object) is passed on as it is, for the rules to refuse.
    values.scopes =
      Array.isArray(scopes) || scopes == null ? [...((scopes as string[]) ?? []), ...dataScopes] : scopes;
  }
  return values as ClientValues;
}

export function toRfc7591(row: ClientRow & { active_consents?: number; last_activity?: Date | null }) {
  const metadata: Record<string, unknown> = { client_id: row.id };
  for (const column of EDITABLE_COLUMNS) metadata[nameOf(column)] = row[column];
  return {
    ...metadata,
    contacts: row.contact_email ? [row.contact_email] : [],
    scope: row.scopes.join(' '),
    token_endpoint_auth_method: registeredAuthMethod(row.token_endpoint_auth_method),
    // Ours: every method the app may use (both secret methods unless token_endpoint_auth_method was set).
    token_endpoint_auth_methods: allowedAuthMethods(row.token_endpoint_auth_method),
    registered_via: row.registered_via,
    client_id_issued_at: Math.floor(row.created_at.getTime() / 1000),
    updated_at: row.updated_at.toISOString(),
    secret_rotation_grace_until: row.previous_secret_expires_at?.toISOString() ?? null,
    ...(row.active_consents === undefined ? {} : { active_consents: row.active_consents }),
    ...(row.last_activity === undefined ? {} : { last_activity: row.last_activity?.toISOString() ?? null }),
  };
}

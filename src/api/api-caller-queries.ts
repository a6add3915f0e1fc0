import { liveConsent } from '../consents/consent-queries.ts';
import type { Queryable } from '../db/pool.ts';
import {
  ACCESS_TOKEN_ROW_SQL,
  RELATED_JSON_PAIRS_SQL,
  type RelatedRows,
  TOKEN_GRANT_AND_SESSION_JOINS,
} from '../oidc/stored-token-reader.ts';

// Everything a resource API read depends on, as it stands at this moment, in one round trip: the
// access token (oidc-provider's row), the grant behind it, the browser session it may be bound to, the
// app's registration, the jobseeker's live consent to that app and the data row asked for. Each join
// is on a primary or unique key; a missing part comes back as NULLs and the caller refuses the token.
// The same rules as the adapter's find(): an expired row does not exist.
// The token's payload and the grant and session fields are read by stored-token-reader.ts alone.
export interface ApiCallerRow extends RelatedRows {
  /** the access token's payload as oidc-provider stored it */
  token: Record<string, unknown>;
  client_status: string | null;
  client_scopes: string[] | null;
  client_high_assurance: boolean | null;
  /** a public client's redirect URIs (for CORS, api-cors.ts); null for any other app */
  public_redirect_uris: string[] | null;
  consent_fields: string[] | null;
  /** milliseconds since the epoch */
  consent_granted_at: number | null;
  consent_expires_at: number | null;
  /** the jobseeker's data row for the requested scope (fetched before the consent is applied) */
  data: unknown;
}

/** $1: the access token's stored id (its hash, hashed-ids.ts), $2: the data scope whose row to read (or null). */
// One JSON column, not thirteen: pg describes every field of a result (RowDescription), looks up a parser
// for each (addFields) and copies them into an object on every execution, the busiest statement there
// is; one json field is one JSON.parse. Arrays come as JSON and dates as numbers (milliseconds), which
// JSON.parse reads several times faster than pg's parsers for text[] and timestamptz.
export const API_CALLER_SQL = `WITH ${ACCESS_TOKEN_ROW_SQL('$1')}
     SELECT json_build_object(
            'token', t.payload,
            ${RELATED_JSON_PAIRS_SQL},
            'client_status', c.status,
            'client_scopes', c.scopes,
            'client_high_assurance', c.high_assurance,
            'public_redirect_uris',
              CASE WHEN c.token_endpoint_auth_method = 'none' THEN c.redirect_uris END,
            'consent_fields', co.fields,
            'consent_granted_at', extract(epoch FROM co.granted_at)::float8 * 1000,
            'consent_expires_at', extract(epoch FROM co.expires_at)::float8 * 1000,
            'data', d.value) AS caller
       FROM t
       ${TOKEN_GRANT_AND_SESSION_JOINS}
       LEFT JOIN clients c ON c.id = t.client_id
       LEFT JOIN consents co
              ON co.jobseeker_id = t.account_id AND co.client_id = t.client_id
             AND ${liveConsent('co')}
       LEFT JOIN jobseeker_data d ON d.jobseeker_id = t.account_id AND d.scope = $2`;

export async function findApiCaller(
  db: Queryable,
  /** storedId('AccessToken', token): the hash, never the token itself */
  tokenKey: string,
  dataScope: string | null,
): Promise<ApiCallerRow | undefined> {
  const { rows } = await db.query<{ caller: ApiCallerRow }>({
    // Prepared once per connection: planning this join costs several times more than running it.
    name: 'api-caller',
    text: API_CALLER_SQL,
    values: [tokenKey, dataScope],
  });
  return rows[0]?.caller;
}

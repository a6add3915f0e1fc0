import type { Queryable } from '../db/pool.ts';
import { TOKEN_GRANT_AND_SESSION_JOINS } from '../oidc/oidc-model-queries.ts';

// Everything a resource API read depends on, as it stands at this moment, in one round trip: the
// access token (oidc-provider's row), the grant behind it, the browser session it may be bound to, the
// app's registration, the jobseeker's live consent to that app and the data row asked for. Each join
// is on a primary or unique key; a missing part comes back as NULLs and the caller refuses the token.
// The same rules as the adapter's find(): an expired row does not exist.
export interface ApiCallerRow {
  /** the access token's payload as oidc-provider stored it */
  token: Record<string, unknown>;
  grant_client_id: string | null;
  grant_account_id: string | null;
  /** null when the token is not bound to a session, or when that session no longer exists */
  session_account_id: string | null;
  session_grant_id: string | null;
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

const UUID = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

/** $1: the access token's stored id (its hash, hashed-ids.ts), $2: the data scope whose row to read (or null). */
export const API_CALLER_SQL = `WITH t AS (
       SELECT payload,
              payload->>'clientId' AS client_id,
              -- accountId is our jobseekers.id; the guard keeps a malformed payload from raising an error
              CASE WHEN payload->>'accountId' ~ '${UUID}' THEN (payload->>'accountId')::uuid END AS account_id
         FROM oidc_models
        WHERE model = 'AccessToken' AND id = $1 AND (expires_at IS NULL OR expires_at > now())
     )
     SELECT t.payload AS token,
            g.payload->>'clientId' AS grant_client_id,
            g.payload->>'accountId' AS grant_account_id,
            s.payload->>'accountId' AS session_account_id,
            s.payload->'authorizations'->t.client_id->>'grantId' AS session_grant_id,
            c.status AS client_status,
            -- Arrays as JSON and dates as numbers: JSON.parse and parseFloat read them several times
            -- faster than pg's parsers for text[] and timestamptz, on the busiest query there is.
            to_json(c.scopes) AS client_scopes,
            c.high_assurance AS client_high_assurance,
            CASE WHEN c.token_endpoint_auth_method = 'none' THEN to_json(c.redirect_uris) END
              AS public_redirect_uris,
            to_json(co.fields) AS consent_fields,
            extract(epoch FROM co.granted_at)::float8 * 1000 AS consent_granted_at,
            extract(epoch FROM co.expires_at)::float8 * 1000 AS consent_expires_at,
            d.value AS data
       FROM t
       ${TOKEN_GRANT_AND_SESSION_JOINS}
       LEFT JOIN clients c ON c.id = t.client_id
       LEFT JOIN consents co
              ON co.jobseeker_id = t.account_id AND co.client_id = t.client_id
             AND co.status = 'active' AND co.expires_at > now()
       LEFT JOIN jobseeker_data d ON d.jobseeker_id = t.account_id AND d.scope = $2`;

export async function findApiCaller(
  db: Queryable,
  /** storedId('AccessToken', token): the hash, never the token itself */
  tokenKey: string,
  dataScope: string | null,
): Promise<ApiCallerRow | undefined> {
  const { rows } = await db.query<ApiCallerRow>({
    // Prepared once per connection: planning this join costs several times more than running it.
    name: 'api-caller',
    text: API_CALLER_SQL,
    values: [tokenKey, dataScope],
  });
  return rows[0];
}

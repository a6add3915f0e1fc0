// The one place that reads oidc-provider's storage format directly. The resource API's fast path
// (api/api-caller-queries.ts, one statement per read) and the adapter's read-ahead (postgres-adapter.ts,
// request-prefetch.ts) read stored tokens and sessions without going through the library's models, so
// they must make the same decisions the library makes on the same rows. Written against
// oidc-provider 9.13.3; the fields relied on, and where the library uses them:
// - AccessToken payload (models/access_token.js IN_PAYLOAD): `exp` (BaseToken isValid/isExpired),
//   `accountId`, `clientId`, `grantId`, `scope`, `aud`, `extra`, `jkt` (DPoP binding) and `x5t#S256`
//   (mutual-TLS binding, refused here), `expiresWithSession` and `sessionUid` (token_helpers.js
//   checkSessionBinding, run by AccessToken.find).
// - Session payload (models/session.js): `accountId` and `authorizations[clientId].grantId`
//   (Session#grantIdFor).
// - Grant payload (models/grant.js): `clientId` and `accountId`, compared with the token's as
//   introspection.js and userinfo.js do.
// - The lookup order: AccessToken.find, then Session.findByUid(sessionUid) when the token ends with
//   the session, then Grant.find(grantId), then Client.find(clientId) (what the read-ahead serves).
// test/flows/token-reader-contract.test.ts mints tokens through oidc-provider and checks that this
// reader and the library agree on each kind; upgrade oidc-provider only with that test passing.
import { API_SCOPE_CLAIM } from './one-token.ts';

/** The oidc-provider release line this reader was checked against (the contract test compares it
 * with the one installed, so that an upgrade makes someone read the list above again). */
export const READER_WRITTEN_FOR_OIDC_PROVIDER = '9.13';

/** For a token row `t` (its `payload` column): its grant `g` and, when the token ends with it, its
 * browser session `s`, under the adapter's expiry rule (an expired row does not exist). Each join is
 * on a primary or unique key. */
export const TOKEN_GRANT_AND_SESSION_JOINS = `LEFT JOIN LATERAL (
             -- LIMIT keeps each of these a lookup by key for the token: as plain joins, the planner
             -- scanned every grant or session whenever its statistics said there were few
             -- (bench/explain.ts: 0.4 ms of the API statement's 0.9 on the 1 M database).
             SELECT payload FROM oidc_models
              WHERE model = 'Grant' AND id = t.payload->>'grantId'
                AND (expires_at IS NULL OR expires_at > now())
              LIMIT 1
            ) g ON true
  LEFT JOIN LATERAL (
             SELECT payload FROM oidc_models
              WHERE t.payload->'expiresWithSession' = 'true'::jsonb
                AND model = 'Session' AND uid = t.payload->>'sessionUid'
                AND (expires_at IS NULL OR expires_at > now())
              LIMIT 1
            ) s ON true`;

const UUID = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

/** The CTE `t` of an unexpired access token row, by its stored id (the parameter named): its
 * `payload`, its app id `client_id` and its account `account_id` (our jobseekers.id). */
export const ACCESS_TOKEN_ROW_SQL = (idParam: string) => `t AS (
       SELECT payload,
              payload->>'clientId' AS client_id,
              -- the guard keeps a malformed payload from raising an error
              CASE WHEN payload->>'accountId' ~ '${UUID}' THEN (payload->>'accountId')::uuid END AS account_id
         FROM oidc_models
        WHERE model = 'AccessToken' AND id = ${idParam} AND (expires_at IS NULL OR expires_at > now())
     )`;

/** Whether the token row `t` ends with its browser session (checkSessionBinding's first test). */
export const TOKEN_SESSION_BOUND_SQL = `t.payload->'expiresWithSession' = 'true'::jsonb`;
/** The token row `t`'s app id. */
export const TOKEN_CLIENT_ID_SQL = `t.payload->>'clientId'`;

/** What checkSessionBinding and the grant check compare, from the joins above (`t.client_id` being
 * the token's app id): named as RelatedRows' fields. */
const RELATED_COLUMNS: readonly [keyof RelatedRows, string][] = [
  ['grant_client_id', `g.payload->>'clientId'`],
  ['grant_account_id', `g.payload->>'accountId'`],
  ['session_account_id', `s.payload->>'accountId'`],
  ['session_grant_id', `s.payload->'authorizations'->t.client_id->>'grantId'`],
];
export const RELATED_COLUMNS_SQL = RELATED_COLUMNS.map(([name, sql]) => `${sql} AS ${name}`).join(
  ',\n            ',
);
/** The same, as key-value arguments of a json_build_object (the API's one-column row). */
export const RELATED_JSON_PAIRS_SQL = RELATED_COLUMNS.map(([name, sql]) => `'${name}', ${sql}`).join(
  ',\n            ',
);

export interface RelatedRows {
  grant_client_id: string | null;
  grant_account_id: string | null;
  /** null when the token is not bound to a session, or when that session no longer exists */
  session_account_id: string | null;
  session_grant_id: string | null;
}

export interface StoredAccessToken {
  aud: unknown;
  accountId: string;
  clientId: string;
  grantId: string | undefined;
  scope: string;
  /** the data scopes a token without audience covers (provider-config.ts, extraTokenClaims) */
  apiScope: string;
  jkt: string | undefined;
  /** bound some other way than DPoP (mutual TLS is not enabled here): refused */
  otherBinding: boolean;
  expiresWithSession: boolean;
}

/** An access token's stored payload as AccessToken.find() would accept it (unexpired, with an
 * account and an app), or undefined. The row itself is read only unexpired. */
export function readStoredAccessToken(payload: Record<string, unknown>): StoredAccessToken | undefined {
  const { exp, aud, accountId, clientId, grantId, scope, jkt, extra } = payload;
  const now = Math.floor(Date.now() / 1000);
  if (typeof exp !== 'number' || exp <= now) return undefined;
  if (typeof accountId !== 'string' || typeof clientId !== 'string') return undefined;
  const apiScope = (extra as Record<string, unknown> | undefined)?.[API_SCOPE_CLAIM];
  return {
    aud,
    accountId,
    clientId,
    grantId: typeof grantId === 'string' ? grantId : undefined,
    scope: typeof scope === 'string' ? scope : '',
    apiScope: typeof apiScope === 'string' ? apiScope : '',
    jkt: typeof jkt === 'string' ? jkt : undefined,
    otherBinding: payload['x5t#S256'] !== undefined,
    expiresWithSession: payload.expiresWithSession === true,
  };
}

/** checkSessionBinding(): a token that ends with the browser session is valid only while that
 * session exists and still holds the same grant for this app. */
export const sessionBindingHolds = (related: RelatedRows, token: StoredAccessToken) =>
  !token.expiresWithSession ||
  (related.session_account_id === token.accountId && related.session_grant_id === token.grantId);

/** The grant must still exist for the same app and account, as introspection and userinfo check. */
export const grantHolds = (related: RelatedRows, token: StoredAccessToken) =>
  token.grantId !== undefined &&
  related.grant_client_id === token.clientId &&
  related.grant_account_id === token.accountId;

/** The verdict the library's checks would give on a stored access token and its related rows, with
 * `appActive` standing for Client.find() (pending or suspended apps do not exist for the provider). */
export function storedAccessTokenVerdict(
  payload: Record<string, unknown> | undefined,
  related: RelatedRows,
  appActive: boolean,
): { accepted: boolean; token: StoredAccessToken | undefined } {
  const token = payload && readStoredAccessToken(payload);
  const accepted = !!token && sessionBindingHolds(related, token) && grantHolds(related, token) && appActive;
  return { accepted, token };
}

/** The keys under which the adapter's read-ahead keeps the rows oidc-provider looks up after a
 * token (the lookup order above; request-prefetch.ts). */
export const relatedKey = {
  grant: (grantId: string) => `Grant:${grantId}`,
  session: (sessionUid: string) => `Session:${sessionUid}`,
  client: (clientId: string) => `Client:${clientId}`,
};

/** The read-ahead keys of the rows a stored token names. */
export function relatedKeys(payload: Record<string, unknown>): {
  grant?: string;
  session?: string;
  client?: string;
} {
  const { grantId, sessionUid, clientId } = payload;
  const named = (value: unknown) => typeof value === 'string' && value !== '';
  return {
    grant: named(grantId) ? relatedKey.grant(grantId as string) : undefined,
    session: named(sessionUid) ? relatedKey.session(sessionUid as string) : undefined,
    client: named(clientId) ? relatedKey.client(clientId as string) : undefined,
  };
}

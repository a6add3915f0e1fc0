// Who is calling a stream management or poll endpoint: the app itself, authenticated with its own
// client credentials and the very methods its token endpoint accepts (client-auth-methods.ts):
//   - client_secret_basic: `Authorization: Basic` (RFC 6749 §2.3.1, form-urlencoded parts);
//   - client_secret_post: `client_id` and `client_secret` in the request body (JSON or form);
//   - private_key_jwt: `client_assertion_type` and `client_assertion` in the body (RFC 7523 §2.2):
//     signed by one of the app's keys (jwks, or its jwks_uri fetched through the SSRF guard), `iss` and
//     `sub` the client_id, `aud` our issuer or the endpoint's URL, unexpired, each `jti` used once.
// Secrets are compared in constant time, the previous one accepted during its grace period (as at the
// token endpoint). A pending or removed app is refused; a suspended app is not, so that it can still
// read the events that tell it of its suspension. A public client (`none`) has nothing to
// authenticate with and is refused.
import { createLocalJWKSet, createRemoteJWKSet, customFetch, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { recordDpopJti } from '../api/dpop-queries.ts';
import { allowedAuthMethods } from '../clients/client-auth-methods.ts';
import type { ClientRow } from '../clients/client-queries.ts';
import type { ClientService } from '../clients/client-service.ts';
import type { Pool } from '../db/pool.ts';
import { AppError } from '../http/app-error.ts';
import { basicCredentials, same } from '../oidc/previous-secret.ts';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export class InvalidClient extends AppError {
  constructor(description: string) {
    super(401, 'invalid_client', description);
  }
}

export interface Presented {
  authorization?: string;
  body?: Record<string, unknown>;
  /** the endpoint's absolute URL, an accepted audience of a client assertion */
  url: string;
}

export function createReceiverAuth(deps: {
  pool: Pool;
  clients: Pick<ClientService, 'find' | 'secretsOf'>;
  issuer: string;
  fetch: (url: string | URL, init: RequestInit) => Promise<Response>;
}) {
  const remoteSets = new Map<string, JWTVerifyGetKey>();
  const keysOf = (row: ClientRow): JWTVerifyGetKey | undefined => {
    if (row.jwks) return createLocalJWKSet(row.jwks as Parameters<typeof createLocalJWKSet>[0]);
    if (!row.jwks_uri) return undefined;
    let set = remoteSets.get(row.jwks_uri);
    if (!set) {
      set = createRemoteJWKSet(new URL(row.jwks_uri), {
        [customFetch]: (url: string, init: RequestInit) => deps.fetch(url, init),
      });
      remoteSets.set(row.jwks_uri, set);
    }
    return set;
  };

  async function appOf(id: unknown, method: string): Promise<ClientRow> {
    const row = typeof id === 'string' && id.length <= 200 ? await deps.clients.find(id) : undefined;
    if (!row || row.deleted_at) throw new InvalidClient('unknown application');
    if (row.status === 'pending') throw new InvalidClient('the application is pending approval');
    const allowed = allowedAuthMethods(row.token_endpoint_auth_method);
    if (!(allowed as string[]).includes(method)) {
      throw new InvalidClient(
        allowed.includes('none')
          ? 'a public client has no credentials: streams need a confidential application'
          : `this application authenticates with ${allowed.join(' or ')}, not ${method}`,
      );
    }
    return row;
  }

  function checkSecret(row: ClientRow, secret: string) {
    const { current, previous } = deps.clients.secretsOf(row);
    const ok = [current, previous].some((s) => s !== undefined && same(s, secret));
    if (!ok) throw new InvalidClient('client authentication failed');
    return row;
  }

  return {
    async authenticate(p: Presented): Promise<ClientRow> {
      const body = p.body ?? {};
      if (p.authorization !== undefined) {
        const credentials = basicCredentials(p.authorization);
        if (!credentials)
          throw new InvalidClient('the Authorization header must be Basic client credentials');
        return checkSecret(await appOf(credentials.id, 'client_secret_basic'), credentials.secret);
      }
      if (body.client_assertion !== undefined || body.client_assertion_type !== undefined) {
        if (body.client_assertion_type !== ASSERTION_TYPE || typeof body.client_assertion !== 'string')
          throw new InvalidClient(`client_assertion_type must be ${ASSERTION_TYPE}, with a client_assertion`);
        const assertion = body.client_assertion;
        let claimed: unknown;
        try {
          claimed = JSON.parse(Buffer.from(assertion.split('.')[1] ?? '', 'base64url').toString('utf8')).sub;
        } catch {
          throw new InvalidClient('the client assertion is not a JWT');
        }
        const row = await appOf(claimed, 'private_key_jwt');
        const keys = keysOf(row);
        if (!keys) throw new InvalidClient('the application has no registered keys');
        try {
          const { payload } = await jwtVerify(assertion, keys, {
            issuer: row.id,
            subject: row.id,
            audience: [deps.issuer, p.url],
            requiredClaims: ['exp', 'jti'],
            maxTokenAge: '5 minutes',
          });
          if (!(await recordDpopJti(deps.pool, `client-assertion:${row.id}`, String(payload.jti), 600)))
            throw new InvalidClient('this client assertion was already used');
        } catch (err) {
          if (err instanceof InvalidClient) throw err;
          throw new InvalidClient(`the client assertion is invalid: ${(err as Error).message}`);
        }
        return row;
      }
      if (body.client_secret !== undefined) {
        if (typeof body.client_secret !== 'string') throw new InvalidClient('client_secret must be a string');
        return checkSecret(await appOf(body.client_id, 'client_secret_post'), body.client_secret);
      }
      throw new InvalidClient('client authentication is required (the app’s own client credentials)');
    },
  };
}

export type ReceiverAuth = ReturnType<typeof createReceiverAuth>;

// The common opening of many tests: a jobseeker grants a new app some fields through the real pages,
// and the app exchanges the code for a token for the resource API.
import * as oidc from 'openid-client';
import type { NewClientInput } from '../../src/clients/client-service.ts';
import { authorize, discover } from './authorize.ts';
import { createClient, createJobseeker } from './factories.ts';
import type { TestServer } from './test-server.ts';

type Flow = Awaited<ReturnType<typeof authorize>>;

/** Exchanges a flow's code, for the resource API unless `resource` is false (then for userinfo). */
export function exchange(server: TestServer, config: oidc.Configuration, flow: Flow, resource = true) {
  return oidc.authorizationCodeGrant(
    config,
    flow.callback,
    { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce },
    resource ? { resource: `${server.issuer}/api` } : undefined,
  );
}

type GrantOptions = {
  scope: string;
  fields: string[];
  client?: Partial<NewClientInput>;
  /** more authorization parameters */
  extra?: Record<string, string>;
};

/** A jobseeker grants a new app some fields through the real pages; the code is not redeemed yet. */
export async function authorizedApp(server: TestServer, options: GrantOptions) {
  const jobseeker = await createJobseeker(server);
  const client = await createClient(server, options.client);
  const config = await discover(server.issuer, client.client_id, client.client_secret);
  // A first consent: the page shows (offline access included) without prompt=consent.
  const flow = await authorize({
    config,
    redirectUri: client.redirectUri,
    scope: options.scope,
    login: jobseeker,
    fields: options.fields,
    extra: options.extra,
  });
  return { jobseeker, client, config, flow };
}

export async function grantedApp(
  server: TestServer,
  /** resource: false redeems the code without `resource` */
  options: GrantOptions & { resource?: boolean },
) {
  const authorized = await authorizedApp(server, options);
  const tokens = await exchange(server, authorized.config, authorized.flow, options.resource !== false);
  return { ...authorized, tokens };
}

export const apiGet = (server: TestServer, token: string, path: string) =>
  fetch(`${server.issuer}/api/v1/${path}`, { headers: { authorization: `Bearer ${token}` } });

/**
 * A new jobseeker consents to an existing app through the real pages, and the app redeems the code:
 * what the security-event and back-channel tests then change, and the names their events carry.
 */
export async function consentTo(
  server: TestServer,
  client: { client_id: string; client_secret: string; redirectUri: string },
  options: { scope: string; fields: string[] },
) {
  const jobseeker = await createJobseeker(server);
  const config = await discover(server.issuer, client.client_id, client.client_secret);
  const flow = await authorize({
    config,
    redirectUri: client.redirectUri,
    scope: options.scope,
    login: jobseeker,
    fields: options.fields,
  });
  const tokens = await exchange(server, config, flow);
  const { rows } = await server.pool.query(
    'SELECT id FROM consents WHERE jobseeker_id = $1 AND client_id = $2',
    [jobseeker.id, client.client_id],
  );
  if (!rows[0]) throw new Error(`consentTo: no consent recorded for ${client.client_id}`);
  return {
    jobseeker,
    config,
    flow,
    tokens,
    consentId: rows[0].id as string,
    sub: tokens.claims()?.sub as string,
  };
}

// The checks every replay makes of the provider's answers, against the spec's shapes
// (spec-shapes.ts) and the consent the jobseeker gave (released-fields.ts).
import { randomBytes } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { expect } from 'vitest';
import { z } from 'zod';
import { createClient } from '../support/factories.ts';
import type { TestServer } from '../support/test-server.ts';
import { scopeTokens } from './apps/app-settings.ts';
import { anyConsented, ID_TOKEN, mustAnswer, type Release, releaseProblems } from './released-fields.ts';
import { discoverySchema, idTokenClaimsSchema, tokenResponseSchema } from './spec-shapes.ts';

/**
 * Registers a replayed app under a legacy-form client id, `PAR_<app>_<64 hex>` (§6, §2.1 [C]), with
 * the catalog scopes its legacy request draws on (an app may be granted only what it is registered
 * for), and offline access: §2.2 [C] lists a refresh token in every token answer and ESTIME, LBB and
 * PEC refresh with it, so an operator moving such an app here allows it.
 */
export async function registerLegacyApp(
  server: TestServer,
  app: string,
  o: { scopes: string[]; redirectUri: string; afterLogout: string },
) {
  const clientId = `PAR_${app}_${randomBytes(32).toString('hex')}`;
  const created = await createClient(server, {
    client_id: clientId,
    name: `App ${app}`,
    redirect_uris: [o.redirectUri],
    post_logout_redirect_uris: [o.afterLogout],
    scopes: [...o.scopes, 'offline_access'],
  });
  expect(created.client_id).toBe(clientId);
  return {
    authBase: server.url,
    apiBase: `${server.url}/partenaire`,
    clientId,
    clientSecret: created.client_secret,
    redirectUri: o.redirectUri,
    afterLogout: o.afterLogout,
  };
}

export const randomString = (bytes = 12) => randomBytes(bytes).toString('base64url');

/** §2.1: back at the app with `code` and the `state` it sent. */
export function expectCallback(callback: URL, state: string) {
  expect(callback.searchParams.get('error'), callback.href).toBeNull();
  expect(callback.searchParams.get('state')).toBe(state);
  const code = callback.searchParams.get('code');
  expect(code, callback.href).toBeTruthy();
  return code as string;
}

/** A JSON answer of the provider: its status, then its body parsed. */
export async function jsonOf(response: Response, status: number, what: string) {
  const text = await response.text();
  expect(response.status, `${what}: ${text.slice(0, 300)}`).toBe(status);
  // RFC 7517 §8.5: a JWK Set may say application/jwk-set+json.
  expect(response.headers.get('content-type'), what).toMatch(/^application\/(?:jwk-set\+)?json/);
  return JSON.parse(text) as unknown;
}

/**
 * §2.2: a 200 JSON token answer, not cached, in the spec's shape, echoing the nonce, whose `scope`
 * lists only scope strings the app sent (legacy names echoed, §2.2 BOB example), with `openid`, and
 * none of `notGranted` (scopes the app is not registered for, or that release nothing).
 */
export async function expectTokenAnswer(
  response: Response,
  o: { requestedScope: string; nonce: string; notGranted?: string[] },
) {
  const body = await jsonOf(response, 200, 'token');
  expect(response.headers.get('cache-control')).toMatch(/no-store/);
  const token = tokenResponseSchema
    .omit({ refresh_token: true, nonce: true })
    .passthrough()
    .parse(body) as z.infer<typeof tokenResponseSchema>;
  // The next three are soft: each is a finding of its own, and the rest of the replay still runs.
  // §2.2 [C]: a refresh token in every answer (ESTIME, LBB, PEC refresh with it).
  expect.soft(token.refresh_token, '§2.2: refresh_token present [C]').toEqual(expect.any(String));
  // §2.2 [C]: the nonce echoed (IF's schema requires it; BOB, ESTIME, PERSP compare it).
  expect.soft(token.nonce, '§2.2: the nonce echoed [C]').toBe(o.nonce);
  const granted = scopeTokens(token.scope);
  const requested = new Set(scopeTokens(o.requestedScope));
  // §2.2 (BOB example) and §8.2 "echo the granted scopes": the app's own strings.
  expect
    .soft(
      granted.filter((s) => !requested.has(s)),
      `token scope « ${token.scope} » names scopes the app did not send`,
    )
    .toEqual([]);
  expect(granted).toContain('openid');
  for (const s of o.notGranted ?? []) expect(granted, `token scope « ${token.scope} »`).not.toContain(s);
  return token;
}

/** §2.3: the discovery document at a legacy path, in the spec's (OIDC Discovery) shape. */
export async function legacyDiscovery(server: TestServer, path: string) {
  const response = await fetch(`${server.url}${path}`);
  const document = discoverySchema.parse(await jsonOf(response, 200, path));
  // §2.3: "iss (starts with the auth base URL)" [S]: the apps' configured base is this server.
  expect(document.issuer.startsWith(server.url), document.issuer).toBe(true);
  return document;
}

/**
 * §2.3: the id_token verifies against the JWKS of the legacy discovery, carries `iss`, `aud`, `azp`
 * (= client_id), `realm`, the `nonce`, `idIdentiteExterne`, and only the consented personal claims.
 */
export async function expectIdToken(
  server: TestServer,
  idToken: string,
  o: {
    clientId: string;
    nonce: string;
    consented: Set<string>;
    discovery?: { jwks_uri: string; issuer: string };
  },
) {
  const discovery =
    o.discovery ??
    (await legacyDiscovery(
      server,
      '/connexion/oauth2/realms/root/realms/individu/.well-known/openid-configuration',
    ));
  const { payload } = await jwtVerify(idToken, createRemoteJWKSet(new URL(discovery.jwks_uri)), {
    issuer: discovery.issuer,
    audience: o.clientId,
  });
  // Soft: each missing legacy claim is a finding of its own, and the replay goes on.
  const parsed = idTokenClaimsSchema.safeParse(payload);
  expect
    .soft(
      parsed.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
      '§2.3/§8.2: the id_token claims the apps read',
    )
    .toBeUndefined();
  const claims = payload as z.infer<typeof idTokenClaimsSchema>;
  expect.soft(claims.azp, '§2.3 azp = client_id').toBe(o.clientId);
  expect(claims.nonce).toBe(o.nonce);
  expect(claims.iss.startsWith(server.url)).toBe(true);
  expect(
    releaseProblems('id_token', personalClaimsSchema, ID_TOKEN, o.consented, pickPersonal(payload)),
  ).toEqual([]);
  // OIDC `name` joins both names: never without both consents.
  if ('name' in payload) {
    expect(o.consented.has('profile.given_name') && o.consented.has('profile.family_name')).toBe(true);
  }
  return claims;
}

const personalClaimsSchema = z.strictObject(
  Object.fromEntries(Object.keys(ID_TOKEN.from).map((k) => [k, z.unknown().optional()])),
);
const pickPersonal = (payload: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(payload).filter(([k]) => k in ID_TOKEN.from));

/**
 * An answer object (or each item of an array answer) carries exactly the consented keys, in shape.
 * Soft, like the checks below: the replay goes on to the app's next request, as the app would.
 */
export function expectRelease(
  what: string,
  schema: z.ZodObject,
  release: Release,
  consented: Set<string>,
  value: unknown,
) {
  const items = Array.isArray(value) ? value : [value];
  const problems = items.flatMap((item, i) =>
    releaseProblems(Array.isArray(value) ? `${what}[${i}]` : what, schema, release, consented, item),
  );
  expect.soft(problems, JSON.stringify(value)).toEqual([]);
}

/**
 * One resource API call, judged by the consent: 200 with exactly the consented keys when a consented
 * field is due; 401 when nothing of it is consented (§5); either, when only fields that may stay `null`
 * are. Returns the answer's body when it was a 200.
 */
export async function expectConsentedAnswer(
  response: Response,
  what: string,
  schema: z.ZodObject,
  release: Release,
  consented: Set<string>,
): Promise<unknown> {
  const either = !mustAnswer(release, consented) && anyConsented(release, consented);
  if (mustAnswer(release, consented) || (either && response.status === 200)) {
    const body = await jsonOf(response, 200, what);
    expectRelease(what, schema, release, consented, body);
    return body;
  }
  await expectWithheld(response, what);
  return undefined;
}

/** §5: a resource API none of whose fields the jobseeker consented to answers 401 [C]. */
export async function expectWithheld(response: Response, what: string) {
  const text = await response.text();
  expect.soft(response.status, `${what} without any consented field: ${text.slice(0, 200)}`).toBe(401);
}

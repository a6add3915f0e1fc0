// A relying party for the black-box conformance suite (test/conformance): openid-client for what it
// does willingly, raw HTTP for what it would refuse to send. Its browser ticks every field a consent
// page shows, which is how a default OP's all-or-nothing grant is emulated on our per-field pages.
import * as oidc from 'openid-client';
import { discover } from './authorize.ts';
import { createClient, createJobseeker } from './factories.ts';
import type { TestServer } from './test-server.ts';
import { UserAgent } from './user-agent.ts';

export type Client = Awaited<ReturnType<typeof createClient>>;
export type Jobseeker = Awaited<ReturnType<typeof createJobseeker>>;
export type Page = 'login' | 'consent';

export interface Rp {
  server: TestServer;
  client: Client;
  config: oidc.Configuration;
  jobseeker: Jobseeker;
}

export async function newRp(server: TestServer, client?: Parameters<typeof createClient>[1]): Promise<Rp> {
  const [jobseeker, created] = await Promise.all([createJobseeker(server), createClient(server, client)]);
  const config = await discover(server.issuer, created.client_id, created.client_secret);
  return { server, client: created, config, jobseeker };
}

/** The value of every box on a consent page. */
export const consentBoxes = (html: string) =>
  [...html.matchAll(/<input type="checkbox" name="fields" value="([^"]+)"/g)].map((m) => m[1] as string);

const formPosting = (html: string, suffix: string) =>
  new RegExp(`action="([^"]*/interaction/[^"]*${suffix})"`).exec(html)?.[1];

/** Posts one of our forms with its CSRF token and our Origin, without following the answer. */
export async function postForm(
  agent: UserAgent,
  page: URL,
  html: string,
  action: string,
  fields: string[][],
) {
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
  return agent.request(new URL(action, page), {
    method: 'POST',
    body: new URLSearchParams([['_csrf', csrf], ...fields]),
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: page.origin },
  });
}

export interface SignInOptions {
  scope: string;
  /** extra authorization parameters; replace the generated ones when named alike, null drops one */
  extra?: Record<string, string | null>;
  agent?: UserAgent;
  /** the boxes to tick; every box shown when omitted */
  fields?: (shown: string[]) => string[];
}

/**
 * One authorization through the real pages, from openid-client's URL to the app's callback. Records
 * which pages were shown and the status of every answer to a POST.
 */
export async function signIn(rp: Rp, o: SignInOptions) {
  const agent = o.agent ?? new UserAgent();
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const params: Record<string, string | null> = {
    redirect_uri: rp.client.redirectUri,
    scope: o.scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce: oidc.randomNonce(),
    ...o.extra,
  };
  const nonce = params.nonce ?? undefined;
  const url = oidc.buildAuthorizationUrl(
    rp.config,
    Object.fromEntries(Object.entries(params).filter((e): e is [string, string] => e[1] !== null)),
  );
  const shown: Page[] = [];
  const postStatuses: number[] = [];
  const back = rp.client.redirectUri;
  // Follows a POST's redirect, stopping before the app's callback.
  const after = async (answer: Response, from: URL) => {
    postStatuses.push(answer.status);
    const location = answer.headers.get('location');
    if (!location) throw new Error(`a POST answered ${answer.status} without a redirect`);
    const next = new URL(location, from);
    return next.href.startsWith(back) ? { response: answer, url: next } : agent.follow(next, {}, back);
  };
  let { response, url: at } = await agent.follow(url, {}, back);
  while (!at.href.startsWith(back)) {
    if (shown.length > 3) throw new Error(`stuck at ${at.href}`);
    const html = await response.text();
    const login = formPosting(html, '/login');
    const consent = formPosting(html, '/consent');
    if (login) {
      shown.push('login');
      const fields = [
        ['login', rp.jobseeker.login],
        ['password', rp.jobseeker.password],
      ];
      ({ response, url: at } = await after(await postForm(agent, at, html, login, fields), at));
    } else if (consent) {
      shown.push('consent');
      const boxes = consentBoxes(html);
      const fields = (o.fields ? o.fields(boxes) : boxes).map((f) => ['fields', f]);
      ({ response, url: at } = await after(await postForm(agent, at, html, consent, fields), at));
    } else {
      throw new Error(`unexpected page ${response.status} at ${at.href}: ${html.slice(0, 400)}`);
    }
  }
  return { callback: at, verifier, state, nonce, agent, shown, postStatuses };
}

export type SignedIn = Awaited<ReturnType<typeof signIn>>;

/** Redeems a signIn's code through openid-client: for userinfo unless `resource` is given (RFC 8707). */
export function redeem(rp: Rp, flow: SignedIn, resource?: string) {
  return oidc.authorizationCodeGrant(
    rp.config,
    flow.callback,
    { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce },
    resource ? { resource } : undefined,
  );
}

export const basicAuth = (client: Pick<Client, 'client_id' | 'client_secret'>) =>
  `Basic ${Buffer.from(
    `${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret)}`,
  ).toString('base64')}`;

/** A raw token request, authenticated with client_secret_basic unless `client` is null. */
export async function tokenRequest(
  server: TestServer,
  client: Pick<Client, 'client_id' | 'client_secret'> | null,
  params: Record<string, string>,
) {
  const response = await fetch(`${server.issuer}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(client ? { authorization: basicAuth(client) } : {}),
    },
    body: new URLSearchParams(params),
  });
  return { response, json: (await response.json()) as Record<string, string> };
}

/** A raw authorization URL: our defaults (a valid PKCE request) plus `params`; null drops a parameter. */
export async function rawAuthorizationUrl(rp: Rp, params: Record<string, string | null> = {}) {
  const verifier = oidc.randomPKCECodeVerifier();
  const all: Record<string, string | null> = {
    client_id: rp.client.client_id,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: rp.client.redirectUri,
    state: 'conformance-state',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...params,
  };
  const url = new URL(`${rp.server.issuer}/auth`);
  for (const [k, v] of Object.entries(all)) if (v !== null) url.searchParams.set(k, v);
  return { url, verifier };
}

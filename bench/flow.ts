// One relying party's side of the OAuth flows the scenarios need, over plain fetch: authorization code
// with PKCE through the real login and consent pages (ours or the baseline's, same form posts), the
// code exchange, and refresh grants. The RP does no ID token validation: that is the app's CPU, not
// the provider's, and it would share the provider's two cores.
import { createHash, randomBytes } from 'node:crypto';
import { formAction } from '../test/support/user-agent.ts';
import { type ProxiedAgent, proxiedFetch } from './https-fetch.ts';

export interface RelyingParty {
  /** the server's https issuer */
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

export interface TokenSet {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  scope?: string;
}

export const SCOPE = 'openid profile email offline_access competences statut';

const b64url = (bytes: Buffer) => bytes.toString('base64url');

export function basicAuth(rp: RelyingParty): string {
  const encode = (v: string) => encodeURIComponent(v).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(rp.clientId)}:${encode(rp.clientSecret)}`).toString('base64')}`;
}

export async function tokenRequest(rp: RelyingParty, params: Record<string, string>): Promise<TokenSet> {
  const response = await proxiedFetch(`${rp.issuer}/token`, {
    method: 'POST',
    headers: { authorization: basicAuth(rp), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
  });
  const body = (await response.json()) as TokenSet & { error?: string; error_description?: string };
  if (!response.ok)
    throw new Error(`token endpoint: ${response.status} ${body.error}: ${body.error_description}`);
  return body;
}

export const refresh = (rp: RelyingParty, refreshToken: string, resource?: string) =>
  tokenRequest(rp, {
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    ...(resource ? { resource } : {}),
  });

/**
 * authorize → (login) → consent → callback → token. With a fresh agent the login page comes first;
 * an agent that already logged in goes straight to the consent page (prompt=consent, as OIDC Core
 * §11 requires for offline_access). Every checkbox of the consent page is ticked.
 */
export async function codeFlow(
  rp: RelyingParty,
  agent: ProxiedAgent,
  login: { login: string; password: string },
): Promise<TokenSet> {
  const verifier = b64url(randomBytes(32));
  const state = b64url(randomBytes(16));
  const url = new URL(`${rp.issuer}/auth`);
  url.search = new URLSearchParams({
    client_id: rp.clientId,
    response_type: 'code',
    redirect_uri: rp.redirectUri,
    scope: SCOPE,
    code_challenge: b64url(createHash('sha256').update(verifier).digest()),
    code_challenge_method: 'S256',
    state,
    nonce: b64url(randomBytes(16)),
    prompt: 'consent',
  }).toString();
  let { response, url: at } = await agent.follow(url, {}, rp.redirectUri);
  let html = at.href.startsWith(rp.redirectUri) ? '' : await response.text();
  if (/action="[^"]*\/login"/.test(html)) {
    ({ response, url: at } = await agent.submit(
      at,
      html,
      formAction(html, '/login'),
      [
        ['login', login.login],
        ['password', login.password],
      ],
      rp.redirectUri,
    ));
    html = at.href.startsWith(rp.redirectUri) ? '' : await response.text();
  }
  if (/action="[^"]*\/consent"/.test(html)) {
    const boxes = [...html.matchAll(/name="fields" value="([^"]+)"/g)].map((m) => ['fields', m[1] as string]);
    ({ response, url: at } = await agent.submit(
      at,
      html,
      formAction(html, '/consent'),
      boxes as [string, string][],
      rp.redirectUri,
    ));
  }
  const code = at.searchParams.get('code');
  if (!at.href.startsWith(rp.redirectUri) || !code || at.searchParams.get('state') !== state) {
    throw new Error(`the flow did not come back with a code (${response.status} at ${at.pathname})`);
  }
  return tokenRequest(rp, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: rp.redirectUri,
    code_verifier: verifier,
    resource: `${rp.issuer}/api`,
  });
}

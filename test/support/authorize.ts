// Drives one authorization through the real pages: login form, consent form, back to the app.
import * as oidc from 'openid-client';
import { formAction, UserAgent } from './user-agent.ts';

export interface AuthorizeOptions {
  config: oidc.Configuration;
  redirectUri: string;
  scope: string;
  login?: { login: string; password: string };
  /** the boxes to tick; undefined means the consent page is not expected */
  fields?: string[];
  refuse?: boolean;
  extra?: Record<string, string>;
  agent?: UserAgent;
}

export async function authorize(o: AuthorizeOptions) {
  const agent = o.agent ?? new UserAgent();
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(o.config, {
    redirect_uri: o.redirectUri,
    scope: o.scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...o.extra,
  });
  const { callback, response, pages } = await completeAuthorization({ ...o, url, agent });
  return { callback, response, verifier, state, nonce, agent, pages };
}

export interface CompleteOptions {
  /** an authorization URL already built (e.g. by oidc.buildAuthorizationUrlWithPAR) */
  url: URL;
  redirectUri: string;
  login?: { login: string; password: string };
  /** the boxes to tick; undefined means the consent page is not expected */
  fields?: string[];
  refuse?: boolean;
  agent?: UserAgent;
}

/**
 * Opens an authorization URL and goes through the login and consent pages, back to the app. Each
 * step asked for must happen: a login given with no login page, or fields given with no consent page,
 * is a failure that names the step and what came instead, never a step quietly left out.
 */
export async function completeAuthorization(o: CompleteOptions) {
  const agent = o.agent ?? new UserAgent();
  let { response, url: at } = await agent.follow(o.url, {}, o.redirectUri);
  const pages: string[] = [];
  const backAtApp = () => at.href.startsWith(o.redirectUri);
  if (o.login) {
    if (backAtApp()) throw new Error(`login step: no login page, straight back to the app (${answered()})`);
    const html = await response.text();
    pages.push(html);
    ({ response, url: at } = await agent.submit(
      at,
      html,
      formAction(html, '/login'),
      [
        ['login', o.login.login],
        ['password', o.login.password],
      ],
      o.redirectUri,
    ));
  }
  if (o.fields || o.refuse) {
    if (backAtApp())
      throw new Error(`consent step: no consent page, straight back to the app (${answered()})`);
    const html = await response.text();
    pages.push(html);
    const action = o.refuse
      ? formAction(html, '/consent').replace(/\/consent$/, '/abort')
      : formAction(html, '/consent');
    ({ response, url: at } = await agent.submit(
      at,
      html,
      action,
      (o.fields ?? []).map((f) => ['fields', f]),
      o.redirectUri,
    ));
  }
  return { callback: at, response, agent, pages };

  // The app's address without its query, which carries the code.
  function answered() {
    return `${response.status} to ${at.origin}${at.pathname}${at.searchParams.has('error') ? ` error=${at.searchParams.get('error')}` : ''}`;
  }
}

export async function discover(issuer: string, clientId: string, clientSecret: string) {
  return oidc.discovery(new URL(issuer), clientId, undefined, oidc.ClientSecretBasic(clientSecret), {
    execute: [oidc.allowInsecureRequests],
  });
}

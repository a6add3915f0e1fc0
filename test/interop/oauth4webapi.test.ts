// oauth4webapi (the low-level library under openid-client and Auth.js) as a web app of its own: a
// pushed authorization request (RFC 9126), client_secret_basic, and DPoP-bound tokens (RFC 9449) —
// the one DPoP-bound access token serves userinfo and the API, each call with a fresh proof.
import type http from 'node:http';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appAddress,
  expectFullScenario,
  INTEROP_SCOPE,
  type Interop,
  jsonAppRoutes,
  registerApp,
  serveApp,
  startInterop,
  TIMEOUT,
} from './support/interop.ts';

let interop: Interop;
let app: http.Server | undefined;
let appUrl: string;
let clientId: string;
/** what the provider answered, as the app saw it: the token type of each token response */
const tokenTypes: string[] = [];

// One jobseeker at a time is all this test app needs: its state lives in the closure.
async function startApp(issuer: URL, client: oauth.Client, clientAuth: oauth.ClientAuth, url: string) {
  const options = { [oauth.allowInsecureRequests]: true };
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, options));
  const redirectUri = `${url}/callback`;
  const dpop = oauth.DPoP(client, await oauth.generateKeyPair('ES256'));
  let flow: { verifier: string; state: string; nonce: string } | undefined;
  let tokens: oauth.TokenEndpointResponse | undefined;
  let sub = '';
  let idToken = '';

  async function read(accessToken: string) {
    const userinfo = await oauth.processUserInfoResponse(
      as,
      client,
      sub,
      await oauth.userInfoRequest(as, client, accessToken, { ...options, DPoP: dpop }),
    );
    const api = await oauth.protectedResourceRequest(
      accessToken,
      'GET',
      new URL(`${issuer.href.replace(/\/$/, '')}/api/v1/competences`),
      undefined,
      undefined,
      { ...options, DPoP: dpop },
    );
    if (api.status !== 200) throw new Error(`API ${api.status}: ${await api.text()}`);
    return { userinfo, competences: await api.json() };
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const current = new URL(req.url ?? '/', url);
    const redirect = (location: string) => res.writeHead(303, { location }).end();
    switch (current.pathname) {
      case '/login': {
        flow = {
          verifier: oauth.generateRandomCodeVerifier(),
          state: oauth.generateRandomState(),
          nonce: oauth.generateRandomNonce(),
        };
        const params = new URLSearchParams({
          response_type: 'code',
          redirect_uri: redirectUri,
          scope: INTEROP_SCOPE,
          code_challenge: await oauth.calculatePKCECodeChallenge(flow.verifier),
          code_challenge_method: 'S256',
          state: flow.state,
          nonce: flow.nonce,
        });
        const pushed = await oauth.processPushedAuthorizationResponse(
          as,
          client,
          await oauth.pushedAuthorizationRequest(as, client, clientAuth, params, { ...options, DPoP: dpop }),
        );
        const authorization = new URL(as.authorization_endpoint as string);
        authorization.searchParams.set('client_id', client.client_id);
        authorization.searchParams.set('request_uri', pushed.request_uri);
        return redirect(authorization.href);
      }
      case '/callback': {
        if (!flow) throw new Error('no flow started');
        const params = oauth.validateAuthResponse(as, client, current, flow.state);
        tokens = await oauth.processAuthorizationCodeResponse(
          as,
          client,
          await oauth.authorizationCodeGrantRequest(
            as,
            client,
            clientAuth,
            params,
            redirectUri,
            flow.verifier,
            {
              ...options,
              DPoP: dpop,
            },
          ),
          { expectedNonce: flow.nonce, requireIdToken: true },
        );
        tokenTypes.push(tokens.token_type);
        const claims = oauth.getValidatedIdTokenClaims(tokens);
        sub = claims?.sub ?? '';
        idToken = tokens.id_token ?? '';
        flow = undefined;
        return redirect('/');
      }
      case '/refresh': {
        if (!tokens?.refresh_token) throw new Error('no refresh token');
        tokens = await oauth.processRefreshTokenResponse(
          as,
          client,
          await oauth.refreshTokenGrantRequest(as, client, clientAuth, tokens.refresh_token, {
            ...options,
            DPoP: dpop,
          }),
        );
        tokenTypes.push(tokens.token_type);
        return redirect('/');
      }
      case '/logout': {
        tokens = undefined;
        const logout = new URL(as.end_session_endpoint as string);
        logout.searchParams.set('id_token_hint', idToken);
        logout.searchParams.set('post_logout_redirect_uri', `${url}/deconnecte`);
        return redirect(logout.href);
      }
      case '/':
        if (tokens) {
          const body = JSON.stringify(await read(tokens.access_token));
          res.writeHead(200, { 'content-type': 'application/json' });
          return res.end(body);
        }
        break;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><html lang="fr"><title>App</title><a href="/login">Se connecter</a></html>');
  }

  // A refusal with a WWW-Authenticate challenge carries its error in the challenge's parameters.
  return serveApp(url, handle, (err: Error & { error?: string; error_description?: string }) => {
    const challenge =
      err instanceof oauth.WWWAuthenticateChallengeError ? err.cause[0]?.parameters : undefined;
    return {
      error: challenge?.error ?? err.error ?? err.name,
      error_description: challenge?.error_description ?? err.error_description ?? err.message,
    };
  });
}

beforeAll(async () => {
  interop = await startInterop();
  appUrl = await appAddress();
  const client = await registerApp(interop, {
    redirectUri: `${appUrl}/callback`,
    afterLogout: `${appUrl}/deconnecte`,
  });
  clientId = client.client_id;
  app = await startApp(
    new URL(interop.server.issuer),
    { client_id: client.client_id },
    oauth.ClientSecretBasic(client.client_secret),
    appUrl,
  );
}, TIMEOUT);

afterAll(async () => {
  app?.close();
  await interop?.close();
});

describe('oauth4webapi with PAR and DPoP', () => {
  it(
    'logs in, reads userinfo and the API with one DPoP-bound token, refreshes and logs out',
    async () => {
      await expectFullScenario(interop, jsonAppRoutes(appUrl, clientId, `${appUrl}/deconnecte`));
      expect(tokenTypes.map((t) => t.toLowerCase())).toEqual(['dpop', 'dpop']);
    },
    TIMEOUT,
  );
});

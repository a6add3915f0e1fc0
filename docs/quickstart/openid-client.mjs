// Une application web minimale avec openid-client 6 (Node.js 20 ou plus) : connexion, lecture de
// userinfo et de l'API avec son unique jeton d'accès, rafraîchissement, déconnexion.
// `npm install openid-client`, puis `node openid-client.mjs`. Adresses à enregistrer : redirection
// APP_URL/callback, retour après déconnexion APP_URL/.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import * as client from 'openid-client';

const ISSUER = '{{ISSUER}}';
const CLIENT_ID = '{{CLIENT_ID}}';
const CLIENT_SECRET = '{{CLIENT_SECRET}}';
const APP_URL = '{{APP_URL}}';
// offline_access demande un jeton de rafraîchissement (accordé avec le consentement).
const SCOPE = 'openid profile competences offline_access';

// Les réglages par défaut d'openid-client : PKCE, state, nonce, émetteur vérifié dans la réponse
// (RFC 9207), secret envoyé en client_secret_post. allowInsecureRequests seulement pour un
// fournisseur en http://localhost.
const config = await client.discovery(
  new URL(ISSUER),
  CLIENT_ID,
  CLIENT_SECRET,
  undefined,
  ISSUER.startsWith('http://') ? { execute: [client.allowInsecureRequests] } : undefined,
);

const sessions = new Map(); // identifiant de session (cookie) → { verifier, state, nonce, tokens, sub }

async function read(session) {
  const token = session.tokens.access_token;
  const userinfo = await client.fetchUserInfo(config, token, session.sub);
  const api = await client.fetchProtectedResource(
    config,
    token,
    new URL(`${ISSUER}/api/v1/competences`),
    'GET',
  );
  return { userinfo, competences: await api.json() };
}

async function handle(req, res) {
  const url = new URL(req.url, APP_URL);
  const sid = /(?:^|; )sid=([\w-]+)/.exec(req.headers.cookie ?? '')?.[1];
  const session = (sid && sessions.get(sid)) || {};
  const redirect = (location, cookie) => {
    res.writeHead(303, { location, ...(cookie ? { 'set-cookie': cookie } : {}) }).end();
  };
  if (url.pathname === '/login') {
    const id = randomUUID();
    const verifier = client.randomPKCECodeVerifier();
    const started = { verifier, state: client.randomState(), nonce: client.randomNonce() };
    sessions.set(id, started);
    const authorizationUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: `${APP_URL}/callback`,
      scope: SCOPE,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: started.state,
      nonce: started.nonce,
    });
    return redirect(authorizationUrl.href, `sid=${id}; Path=/; HttpOnly; SameSite=Lax`);
  }
  if (url.pathname === '/callback') {
    session.tokens = await client.authorizationCodeGrant(config, url, {
      pkceCodeVerifier: session.verifier,
      expectedState: session.state,
      expectedNonce: session.nonce,
    });
    session.sub = session.tokens.claims().sub;
    session.idToken = session.tokens.id_token;
    return redirect('/');
  }
  if (url.pathname === '/refresh' && session.tokens) {
    session.tokens = await client.refreshTokenGrant(config, session.tokens.refresh_token);
    return redirect('/');
  }
  if (url.pathname === '/logout' && session.tokens) {
    sessions.delete(sid);
    const logoutUrl = client.buildEndSessionUrl(config, {
      id_token_hint: session.idToken,
      post_logout_redirect_uri: `${APP_URL}/`,
    });
    return redirect(logoutUrl.href, 'sid=; Path=/; Max-Age=0');
  }
  if (url.pathname === '/' && session.tokens) {
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify(await read(session), null, 2));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end('<!doctype html><html lang="fr"><title>Mon appli</title><a href="/login">Se connecter</a></html>');
}

http
  .createServer((req, res) =>
    handle(req, res).catch((err) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: err.error ?? err.name,
          error_description: err.error_description ?? err.message,
        }),
      );
    }),
  )
  .listen(Number(new URL(APP_URL).port || 80), new URL(APP_URL).hostname);

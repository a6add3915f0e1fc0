// A small third-party app, "CV Express (démo)", that logs in with Pôle emploi Connect through a
// standard OpenID Connect library (openid-client: code flow + PKCE + state + nonce) and shows exactly
// the data it received. It is what a partner's integration looks like, and the demo of `npm start`.
// Beside it, under /spa/, "CV Express Web": the same app as a single-page app in the browser, a public
// client using oidc-client-ts with the developer quick-start's configuration, showing the same result
// page filled in the browser.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import Koa from 'koa';
import session from 'koa-session';
import * as oidc from 'openid-client';
import type { Logger } from 'pino';
import { listen } from '../http/listen.ts';
import { createRenderer } from '../http/render.ts';
import { demoSpa, isSpaPath } from './demo-spa.ts';

export interface DemoAppOptions {
  issuer: string;
  url: string;
  host: string;
  port: number;
  clientId: string;
  clientSecret: string;
  /** the single-page app's client id (a public client); no /spa/ without it */
  spaClientId?: string;
  apiBase: string;
  viewsDir: string;
  logger: Logger;
}

const SCOPE =
  'openid profile email phone address offline_access statut competences langues permis formations experiences projet';
const DATA_SCOPES = ['statut', 'competences', 'langues', 'permis', 'formations', 'experiences', 'projet'];

type DemoSession = { verifier?: string; state?: string; nonce?: string; idToken?: string; vaultKey?: string };
type HeldTokens = { accessToken: string; refreshToken?: string; claims: Record<string, unknown> };
const HIDDEN_CLAIMS = new Set(['iss', 'aud', 'exp', 'iat', 'nonce', 'at_hash', 'sid', 'auth_time', 'azp']);
const APP_NAME = 'CV Express (démo)';
export async function startDemoApp(options: DemoAppOptions): Promise<{ close(): Promise<void> }> {
  const render = createRenderer(options.viewsDir, false);
  const stylesheet = readFileSync(path.resolve(options.viewsDir, '../public/style.css'));
  const insecure = new URL(options.issuer).protocol === 'http:';
  let configuration: oidc.Configuration | undefined;
  // Discovery is lazy so that the demo starts even while the provider is still warming up.
  const discover = async () => {
    configuration ??= await oidc.discovery(
      new URL(options.issuer),
      options.clientId,
      undefined,
      oidc.ClientSecretBasic(options.clientSecret),
      insecure ? { execute: [oidc.allowInsecureRequests] } : undefined,
    );
    return configuration;
  };

  // Tokens stay on the server, in memory, keyed by a random id in the (signed) session cookie.
  const vault = new Map<string, HeldTokens>();

  async function read(config: oidc.Configuration, accessToken: string, path: string) {
    let res: Response;
    try {
      res = await oidc.fetchProtectedResource(
        config,
        accessToken,
        new URL(`${options.apiBase}/v1/${path}`),
        'GET',
      );
    } catch (err) {
      // A 401/403 with a WWW-Authenticate challenge (e.g. a scope with nothing ticked) is shown as is.
      if (!(err instanceof oidc.WWWAuthenticateChallengeError)) throw err;
      res = err.response as Response;
    }
    return { status: res.status, body: JSON.stringify(await res.json(), null, 2) };
  }

  async function resultPage(config: oidc.Configuration, held: HeldTokens, tokenScope: string) {
    const scopes = [];
    for (const id of DATA_SCOPES)
      scopes.push({ id, title: id, ...(await read(config, held.accessToken, id)) });
    const grant = await read(config, held.accessToken, 'consent');
    return render('demo/result', {
      title: 'Données reçues',
      appName: APP_NAME,
      sub: held.claims.sub,
      tokenScope,
      idClaims: Object.entries(held.claims)
        .filter(([name]) => !HIDDEN_CLAIMS.has(name))
        .map(([name, value]) => ({
          name,
          value: typeof value === 'object' ? JSON.stringify(value) : String(value),
        })),
      scopes,
      grant: grant.body,
      canRefresh: Boolean(held.refreshToken),
    });
  }

  const spa = options.spaClientId
    ? demoSpa({
        issuer: options.issuer,
        url: options.url,
        clientId: options.spaClientId,
        docsDir: path.resolve(options.viewsDir, '../docs'),
        dataScopes: DATA_SCOPES,
        render,
      })
    : undefined;
  const home = (error?: string) => render('demo/home', { title: 'CV Express', error, spa: Boolean(spa) });
  const app = new Koa({ keys: [options.clientSecret] });
  app.use(
    session({ key: 'cvexpress.sess', httpOnly: true, sameSite: 'lax', signed: true, maxAge: 3_600_000 }, app),
  );
  app.use(async (ctx, next) => {
    // Only the single-page app runs scripts and calls the provider from the browser.
    const browserApp = spa && isSpaPath(ctx.path) ? ` ${spa.contentSecurityPolicy};` : '';
    ctx.set(
      'Content-Security-Policy',
      `default-src 'none'; style-src 'self';${browserApp} frame-ancestors 'none'; base-uri 'none'`,
    );
    ctx.set('Cache-Control', 'no-store');
    try {
      await next();
    } catch (err) {
      options.logger.warn(
        { err: { name: (err as Error).name, message: (err as Error).message } },
        'demo app error',
      );
      ctx.status = 400;
      ctx.type = 'html';
      ctx.body = home(describeError(err));
    }
  });
  if (spa) app.use(spa.middleware);
  app.use(async (ctx) => {
    const sess = ctx.session as unknown as DemoSession;
    switch (ctx.path) {
      case '/style.css':
        ctx.type = 'text/css';
        ctx.body = stylesheet;
        return;
      case '/': {
        ctx.type = 'html';
        ctx.body = home();
        return;
      }
      // The app's own privacy notice, which Pôle emploi Connect links to from its consent page.
      case '/confidentialite': {
        ctx.type = 'html';
        ctx.body = render('demo/privacy', { title: 'Politique de confidentialité' });
        return;
      }
      case '/login': {
        const config = await discover();
        sess.verifier = oidc.randomPKCECodeVerifier();
        sess.state = oidc.randomState();
        sess.nonce = oidc.randomNonce();
        ctx.redirect(
          oidc.buildAuthorizationUrl(config, {
            redirect_uri: `${options.url}/callback`,
            scope: SCOPE,
            code_challenge: await oidc.calculatePKCECodeChallenge(sess.verifier),
            code_challenge_method: 'S256',
            state: sess.state,
            nonce: sess.nonce,
          }).href,
        );
        return;
      }
      case '/callback': {
        const config = await discover();
        const { verifier, state, nonce } = sess;
        sess.verifier = sess.state = sess.nonce = undefined;
        if (!verifier || !state || !nonce) throw new Error('Session expirée : recommencez.');
        const current = new URL(ctx.originalUrl, options.url);
        // The code is exchanged for a token for the resource API (RFC 8707); identity claims come in
        // the ID token.
        const tokens = await oidc.authorizationCodeGrant(
          config,
          current,
          { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce },
          { resource: options.apiBase },
        );
        const held = {
          accessToken: tokens.access_token,
          refreshToken: tokens.refresh_token,
          claims: tokens.claims() ?? {},
        };
        const key = randomUUID();
        vault.set(key, held);
        sess.vaultKey = key;
        sess.idToken = tokens.id_token;
        ctx.type = 'html';
        ctx.body = await resultPage(config, held, tokens.scope ?? '');
        return;
      }
      // What an app does later: read the API again with the token it holds...
      case '/donnees': {
        const held = sess.vaultKey ? vault.get(sess.vaultKey) : undefined;
        if (!held) return ctx.redirect('/');
        ctx.type = 'html';
        ctx.body = await resultPage(await discover(), held, '');
        return;
      }
      // ...or use its refresh token to get a new access token.
      case '/rafraichir': {
        const held = sess.vaultKey ? vault.get(sess.vaultKey) : undefined;
        if (!held?.refreshToken) return ctx.redirect('/');
        const config = await discover();
        try {
          const tokens = await oidc.refreshTokenGrant(config, held.refreshToken, {
            resource: options.apiBase,
          });
          held.accessToken = tokens.access_token;
          held.refreshToken = tokens.refresh_token ?? held.refreshToken;
          ctx.type = 'html';
          ctx.body = await resultPage(config, held, tokens.scope ?? '');
        } catch (err) {
          const code = err instanceof oidc.ResponseBodyError ? err.error : 'erreur';
          ctx.status = 400;
          ctx.type = 'html';
          ctx.body = home(
            `Le jeton de rafraîchissement a été refusé (${code}) : reconnectez-vous pour redonner votre accord.`,
          );
        }
        return;
      }
      case '/logout': {
        const config = await discover();
        const idToken = sess.idToken;
        if (sess.vaultKey) vault.delete(sess.vaultKey);
        ctx.session = null;
        ctx.redirect(
          oidc.buildEndSessionUrl(config, {
            post_logout_redirect_uri: `${options.url}/`,
            ...(idToken ? { id_token_hint: idToken } : {}),
          }).href,
        );
        return;
      }
      default:
        ctx.status = 404;
        ctx.body = 'Page introuvable';
    }
  });

  const server = http.createServer(app.callback());
  await listen(server, options.port, options.host, 'DEMO_APP_PORT');
  return { close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function describeError(err: unknown): string {
  if (err instanceof oidc.AuthorizationResponseError && err.error === 'access_denied') {
    // The provider says whether the jobseeker cancelled the login or refused to share.
    return /cancel/i.test(err.error_description ?? '')
      ? 'Vous avez annulé la connexion : CV Express n’a reçu aucune donnée.'
      : 'Vous avez refusé le partage : CV Express n’a reçu aucune donnée.';
  }
  return 'La connexion n’a pas abouti. Recommencez.';
}

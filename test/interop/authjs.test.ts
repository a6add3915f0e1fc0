// Auth.js (@auth/core) with its documented minimal usage — Auth(request, config) behind a small Node
// server — and a generic OIDC provider configured from discovery. The tokens live in Auth.js's own
// encrypted JWT session: the app reads them with getToken, refreshes them in the jwt callback on a
// session update (the "refresh token rotation" guide), and logs out of both Auth.js and the provider.
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import { Readable } from 'node:stream';
import { Auth, type AuthConfig } from '@auth/core';
import { getToken } from '@auth/core/jwt';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AppResult,
  appAddress,
  expectFullScenario,
  INTEROP_SCOPE,
  type Interop,
  readJson,
  registerApp,
  serveApp,
  startInterop,
  TIMEOUT,
} from './support/interop.ts';

const PROVIDER_ID = 'pole-emploi-connect';

let interop: Interop;
let app: http.Server | undefined;
let appUrl: string;
let clientId: string;

function authConfig(issuer: string, client: { client_id: string; client_secret: string }, secret: string) {
  let tokenEndpoint: string | undefined;
  const config: AuthConfig = {
    basePath: '/auth',
    secret,
    trustHost: true,
    providers: [
      {
        id: PROVIDER_ID,
        name: 'Pôle emploi Connect',
        type: 'oidc',
        issuer,
        clientId: client.client_id,
        clientSecret: client.client_secret,
        authorization: { params: { scope: INTEROP_SCOPE } },
        checks: ['pkce', 'state', 'nonce'],
      },
    ],
    callbacks: {
      async jwt({ token, account, trigger, session }) {
        if (account) {
          return {
            ...token,
            access_token: account.access_token,
            refresh_token: account.refresh_token,
            id_token: account.id_token,
          };
        }
        if (trigger !== 'update' || !(session as { refresh?: boolean } | undefined)?.refresh) return token;
        // The guide's refresh: a plain POST to the token endpoint, the secret in the body.
        tokenEndpoint ??= (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json())
          .token_endpoint as string;
        const response = await fetch(tokenEndpoint, {
          method: 'POST',
          body: new URLSearchParams({
            client_id: client.client_id,
            client_secret: client.client_secret,
            grant_type: 'refresh_token',
            refresh_token: token.refresh_token as string,
          }),
        });
        const tokens = await response.json();
        if (!response.ok) throw new Error(`refresh refused: ${JSON.stringify(tokens)}`);
        return { ...token, access_token: tokens.access_token, refresh_token: tokens.refresh_token };
      },
    },
  };
  return config;
}

function toRequest(req: http.IncomingMessage, base: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  return new Request(new URL(req.url ?? '/', base), {
    method: req.method,
    headers,
    body: hasBody ? (Readable.toWeb(req) as ReadableStream) : undefined,
    duplex: 'half',
  } as RequestInit);
}

async function send(res: http.ServerResponse, response: Response, extraCookies: string[] = []) {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  headers['set-cookie'] = [...extraCookies, ...response.headers.getSetCookie()];
  res.writeHead(response.status, headers);
  res.end(Buffer.from(await response.arrayBuffer()));
}

async function startApp(issuer: string, client: { client_id: string; client_secret: string }, url: string) {
  const secret = randomBytes(32).toString('base64url');
  const config = authConfig(issuer, client, secret);
  const auth = (path: string, init: RequestInit = {}) =>
    Auth(new Request(`${url}/auth/${path}`, init), config);

  // A session update or a sign-out, as Auth.js's client sends them: a POST with the CSRF token.
  async function post(path: string, cookie: string, body: object) {
    const csrf = await auth('csrf', { headers: { cookie } });
    const fresh = csrf.headers.getSetCookie();
    const cookies = [cookie, ...fresh.map((c) => c.split(';')[0])].filter(Boolean).join('; ');
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const answer = await auth(path, {
      method: 'POST',
      headers: { cookie: cookies, 'content-type': 'application/json', 'x-auth-return-redirect': '1' },
      body: JSON.stringify({ csrfToken, ...body }),
    });
    return { answer, cookies: [...fresh, ...answer.headers.getSetCookie()] };
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const request = toRequest(req, url);
    const path = new URL(request.url).pathname;
    const cookie = request.headers.get('cookie') ?? '';
    if (path.startsWith('/auth/')) return send(res, await Auth(request, config));
    const token = await getToken({ req: request, secret, secureCookie: false });
    const json = (value: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (path === '/' && token) {
      const get = async (target: string) => {
        const answer = await fetch(target, { headers: { authorization: `Bearer ${token.access_token}` } });
        return { status: answer.status, body: await answer.json() };
      };
      const userinfo = await get(`${issuer}/me`);
      const competences = await get(`${issuer}/api/v1/competences`);
      const session = await (await auth('session', { headers: { cookie } })).json();
      const failed = [userinfo, competences].find((r) => r.status !== 200);
      if (failed)
        return json({ error: `HTTP ${failed.status}`, error_description: JSON.stringify(failed.body) });
      return json({ userinfo: userinfo.body, competences: competences.body, user: session.user });
    }
    if (path === '/refresh' && token) {
      const { cookies } = await post('session', cookie, { data: { refresh: true } });
      res.writeHead(303, { location: '/', 'set-cookie': cookies });
      return res.end();
    }
    if (path === '/logout' && token) {
      const { cookies } = await post('signout', cookie, {});
      const logout = new URL(`${issuer}/session/end`);
      logout.searchParams.set('id_token_hint', token.id_token as string);
      logout.searchParams.set('post_logout_redirect_uri', `${url}/deconnecte`);
      res.writeHead(303, { location: logout.href, 'set-cookie': cookies });
      return res.end();
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><html lang="fr"><title>App</title><p>Non connecté.</p></html>');
  }

  return serveApp(url, handle);
}

beforeAll(async () => {
  interop = await startInterop();
  appUrl = await appAddress();
  const client = await registerApp(interop, {
    redirectUri: `${appUrl}/auth/callback/${PROVIDER_ID}`,
    afterLogout: `${appUrl}/deconnecte`,
  });
  clientId = client.client_id;
  app = await startApp(interop.server.issuer, client, appUrl);
}, TIMEOUT);

afterAll(async () => {
  app?.close();
  await interop?.close();
});

// Auth.js's own sign-in page, and its button for the provider.
async function startLogin(page: Page) {
  await page.goto(`${appUrl}/auth/signin?callbackUrl=${encodeURIComponent(`${appUrl}/`)}`);
  await page.getByRole('button', { name: 'Sign in with Pôle emploi Connect' }).click();
}

describe('Auth.js (@auth/core)', () => {
  it(
    'logs in, reads userinfo and the API with the token of its session, refreshes and logs out',
    async () => {
      let user: { name?: string } | undefined;
      const { jobseeker } = await expectFullScenario(interop, {
        clientId,
        login: startLogin,
        home: `${appUrl}/`,
        refresh: `${appUrl}/refresh`,
        logout: `${appUrl}/logout`,
        afterLogout: `${appUrl}/deconnecte`,
        async read(page) {
          const shown = await readJson(page);
          user = shown.user as typeof user;
          return shown as unknown as AppResult;
        },
      });
      // Auth.js shows the person's name from the `name` claim.
      const claims = jobseeker.claims as { given_name: string; family_name: string };
      expect(user?.name).toBe(`${claims.given_name} ${claims.family_name}`);
    },
    TIMEOUT,
  );
});

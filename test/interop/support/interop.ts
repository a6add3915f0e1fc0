// What every interop test shares: a provider over HTTP on its own database, a real Chromium, a
// jobseeker, and the scenario a relying party must complete — log in and consent in the browser, read
// userinfo and /api/v1/competences with the one access token it holds, refresh, log out.
import http from 'node:http';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { launchBrowser } from '../../support/browser.ts';
import { freePort } from '../../support/demo-app.ts';
import { createClient, createJobseeker } from '../../support/factories.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';
import { confirmLogout, expectLoginPage, logInAndConsent } from './provider-pages.ts';

export const TIMEOUT = 120_000;
/** What every interop app asks for: identity, one data scope, and a refresh token. */
export const INTEROP_SCOPE = 'openid profile competences offline_access';
/** What the jobseeker shares in every interop test: all of these two blocks. */
export const SHARED_SCOPES = ['profile', 'competences'];

export interface Interop {
  server: TestServer;
  browser: Browser;
  /** a fresh browser profile (no cookies of a previous test) */
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export async function startInterop(env: Record<string, string> = {}): Promise<Interop> {
  const server = await startTestServer(env);
  const browser = await launchBrowser();
  let context: BrowserContext | undefined;
  return {
    server,
    browser,
    async newPage() {
      await context?.close();
      context = await browser.newContext({ locale: 'fr-FR' });
      return context.newPage();
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/** A loopback address on a free port, for an app that must know its own URL before it listens. */
export async function appAddress(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}

/** An app registered with the defaults of the CLI and the console, asking for INTEROP_SCOPE. */
export function registerApp(interop: Interop, o: { redirectUri: string; afterLogout: string }) {
  return createClient(interop.server, {
    redirect_uris: [o.redirectUri],
    post_logout_redirect_uris: [o.afterLogout],
    scopes: INTEROP_SCOPE.split(' '),
  });
}

/**
 * Serves an app's handler on `url`'s port; what it throws is answered as JSON
 * { error, error_description }, which the scenario reports (`describe` picks them from the error).
 */
export async function serveApp(
  url: string,
  handle: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<unknown>,
  describe = (err: Error & { error?: string; error_description?: string }) => ({
    error: err.error ?? err.name,
    error_description: err.error_description ?? err.message,
  }),
): Promise<http.Server> {
  const server = http.createServer((req, res) =>
    handle(req, res).catch((err: Error) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify(describe(err)));
    }),
  );
  await new Promise<void>((resolve) => server.listen(Number(new URL(url).port), '127.0.0.1', resolve));
  return server;
}

/** The refresh tokens the provider issued to an app, and how many of them were used (rotation). */
export async function refreshTokens(server: TestServer, clientId: string) {
  const { rows } = await server.pool.query<{ issued: number; used: number }>(
    `SELECT count(*)::int AS issued, count(consumed_at)::int AS used FROM oidc_models
     WHERE model = 'RefreshToken' AND payload->>'clientId' = $1`,
    [clientId],
  );
  return rows[0];
}

export type Jobseeker = Awaited<ReturnType<typeof createJobseeker>>;

/** What an app holds after a login: userinfo's answer and the API's, with its one access token. */
export interface AppResult {
  userinfo: Record<string, unknown>;
  competences: unknown;
}

/** The identity fields and the competences the jobseeker shared, exactly. */
export function expectSharedData(result: AppResult, jobseeker: Jobseeker) {
  const claims = jobseeker.claims as Record<string, unknown>;
  expect(result.userinfo).toMatchObject({
    given_name: claims.given_name,
    family_name: claims.family_name,
    birthdate: claims.birthdate,
  });
  expect(typeof result.userinfo.sub).toBe('string');
  // Pairwise: the app's own identifier, never the jobseeker's internal id.
  expect(result.userinfo.sub).not.toBe(jobseeker.id);
  expect(result.competences).toEqual(jobseeker.data.competences);
}

/** A page whose body is the JSON an app shows; an error it shows fails the test with its text. */
export async function readJson(page: Page): Promise<Record<string, unknown>> {
  const text = (await page.locator('body').textContent()) ?? '';
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`not JSON at ${page.url()}: ${text.slice(0, 600)}`);
  }
  expect(parsed.error, JSON.stringify(parsed)).toBeUndefined();
  return parsed;
}

/** The routes of an app that shows what it holds as JSON. */
export interface JsonApp {
  clientId: string;
  /** starts a login: a URL to open, or what to do on the app's own sign-in page */
  login: string | ((page: Page) => Promise<void>);
  /** where the app lands after its callback, showing { userinfo, competences } */
  home: string;
  /** refreshes its tokens, then shows { userinfo, competences } again (or does so on the page) */
  refresh: string | ((page: Page) => Promise<void>);
  /** starts an RP-initiated logout */
  logout: string;
  /** where the provider sends the browser back after logout */
  afterLogout: string;
  /** reads what the app shows on `home` (default: the page's JSON) */
  read?: (page: Page) => Promise<AppResult>;
}

/** The routes of an app laid out as the quick-start apps are: /login, /, /refresh, /logout. */
export function jsonAppRoutes(url: string, clientId: string, afterLogout = `${url}/`): JsonApp {
  return {
    clientId,
    login: `${url}/login`,
    home: `${url}/`,
    refresh: `${url}/refresh`,
    logout: `${url}/logout`,
    afterLogout,
  };
}

/** The whole scenario, for an app that shows its result as JSON. */
export async function expectFullScenario(interop: Interop, app: JsonApp) {
  const read = app.read ?? (async (page: Page) => (await readJson(page)) as unknown as AppResult);
  const jobseeker = await createJobseeker(interop.server);
  const page = await interop.newPage();
  try {
    return await scenario(interop, app, read, page, jobseeker);
  } catch (err) {
    // Where the browser was and what it showed, to tell a provider error from an app error.
    const text = await page
      .locator('body')
      .textContent({ timeout: 1_000 })
      .catch(() => '');
    throw new Error(`${(err as Error).message}\nbrowser at ${page.url()}: ${(text ?? '').slice(0, 800)}`, {
      cause: err,
    });
  }
}

async function scenario(
  { server }: Interop,
  app: JsonApp,
  read: (page: Page) => Promise<AppResult>,
  page: Page,
  jobseeker: Jobseeker,
) {
  const startLogin = () => (typeof app.login === 'string' ? page.goto(app.login) : app.login(page));
  await startLogin();
  await logInAndConsent(page, { issuer: server.issuer, jobseeker, scopes: SHARED_SCOPES });
  await page.waitForURL((url) => url.href.startsWith(app.home));
  const first = await read(page);
  expectSharedData(first, jobseeker);
  expect(await refreshTokens(server, app.clientId)).toEqual({ issued: 1, used: 0 });

  if (typeof app.refresh === 'string') await page.goto(app.refresh);
  else await app.refresh(page);
  await page.waitForURL((url) => url.href.startsWith(app.home));
  const second = await read(page);
  expectSharedData(second, jobseeker);
  expect(second.userinfo.sub).toBe(first.userinfo.sub);
  // The refresh token was used once and replaced (rotation).
  expect(await refreshTokens(server, app.clientId)).toEqual({ issued: 2, used: 1 });

  await page.goto(app.logout);
  await confirmLogout(page, server.issuer);
  await page.waitForURL((url) => url.href.startsWith(app.afterLogout));
  // The provider's session is over: logging in again asks for the password.
  await startLogin();
  await expectLoginPage(page, server.issuer);
  return { first, second, page, jobseeker };
}

// The demo's single-page app, "CV Express Web" (/spa/ of the demo process), in a real browser: its
// home and result pages are accessible at 1280 and 375 px with no horizontal scroll, and after the same
// consent it shows the same result page as the server-side CV Express — the same headings, table and
// API answers — with the page's Content-Security-Policy enforced.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consent, logIn } from '../interop/support/provider-pages.ts';
import { checkA11y, launchBrowser } from '../support/browser.ts';
import { DEMO_SCOPES, freePort, startDemo } from '../support/demo-app.ts';
import { createClient, createJobseeker } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

const TIMEOUT = 90_000;
const SCREENSHOTS = path.resolve('artifacts/screenshots');
const SHARED = ['profile', 'competences', 'statut'];

let server: TestServer;
let demo: { close(): Promise<void> } | undefined;
let demoUrl: string;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  server = await startTestServer();
  const port = await freePort();
  demoUrl = `http://127.0.0.1:${port}`;
  const scopes = DEMO_SCOPES.split(' ');
  const [confidential, spa] = await Promise.all([
    createClient(server, {
      redirect_uris: [`${demoUrl}/callback`],
      post_logout_redirect_uris: [`${demoUrl}/`],
      scopes,
    }),
    createClient(server, {
      token_endpoint_auth_method: 'none',
      redirect_uris: [`${demoUrl}/spa/callback`],
      post_logout_redirect_uris: [`${demoUrl}/spa/`],
      scopes,
    }),
  ]);
  demo = await startDemo(server, {
    port,
    clientId: confidential.client_id,
    clientSecret: confidential.client_secret,
    spaClientId: spa.client_id,
  });
  browser = await launchBrowser();
}, TIMEOUT);

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await demo?.close();
  await server?.close();
});

async function newPage(width = 1280) {
  const context = await browser.newContext({ locale: 'fr-FR', viewport: { width, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  // Script errors, Content-Security-Policy refusals, and failed loads other than the favicon and the
  // API's 403 for a scope with nothing shared.
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource'))
      problems.push(msg.text());
  });
  page.on('pageerror', (err) => problems.push(err.message));
  page.on('response', (response) => {
    const { pathname } = new URL(response.url());
    const expected =
      pathname === '/favicon.ico' || (pathname.startsWith('/api/v1/') && response.status() === 403);
    if (response.status() >= 400 && !expected) problems.push(`${response.status()} ${response.url()}`);
  });
  return { page, problems };
}

async function expectAccessible(page: Page, name: string) {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  expect(await checkA11y(page)).toEqual([]);
  expect(
    await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
  ).toBeLessThanOrEqual(0);
}

/** What a result page shows, without the values that differ between two apps (sub, claims' order). */
async function resultShape(page: Page) {
  const headings = await page.locator('main h1:visible, main h2:visible, main h3:visible').allTextContents();
  const answers: Record<string, string> = {};
  for (const section of await page.locator('section.api-result:has(h3)').all()) {
    const id = (await section.locator('h3').textContent()) as string;
    answers[id] =
      `${await section.locator('.status').textContent()} ${await section.locator('pre').textContent()}`;
  }
  const claims = (await page.locator('#id-claims th code').allTextContents()).sort();
  return {
    headings: headings.map((h) => h.replace(/CV Express( Web)? \(démo\)/, 'APP')),
    caption: await page.locator('table caption').textContent(),
    answers,
    claims,
  };
}

async function signIn(page: Page, jobseeker: { login: string; password: string }) {
  await page.waitForURL(`${server.issuer}/interaction/**`);
  if (await page.locator('input[name="password"]').count()) await logIn(page, jobseeker);
  await consent(page, SHARED);
  await page.getByRole('heading', { level: 1, name: 'Voici exactement les données reçues' }).waitFor();
  await page.locator('#grant', { hasText: 'client_id' }).waitFor();
}

describe('the single-page demo app (CV Express Web)', () => {
  it('has an accessible home page, linked from CV Express', async () => {
    for (const width of [1280, 375]) {
      const { page, problems } = await newPage(width);
      await page.goto(`${demoUrl}/`);
      await page.getByRole('link', { name: 'Essayer CV Express Web' }).click();
      await page.getByRole('button', { name: 'Se connecter avec Pôle emploi Connect' }).waitFor();
      await expectAccessible(page, `demo-spa-home-${width}`);
      expect(problems).toEqual([]);
    }
  });

  it(
    'shows the same result page as CV Express after the same consent, accessible at 1280 and 375 px',
    async () => {
      const jobseeker = await createJobseeker(server);
      const { page, problems } = await newPage();
      await page.goto(`${demoUrl}/`);
      await page.getByRole('link', { name: 'Se connecter avec Pôle emploi Connect' }).click();
      await signIn(page, jobseeker);
      const server_side = await resultShape(page);

      await page.goto(`${demoUrl}/spa/`);
      await page.getByRole('button', { name: 'Se connecter avec Pôle emploi Connect' }).click();
      await signIn(page, jobseeker);
      const single_page = await resultShape(page);
      expect(single_page).toEqual(server_side);
      expect(single_page.answers.competences).toMatch(/^200 /);
      expect(single_page.answers.langues).toMatch(/^403 /);

      await expectAccessible(page, 'demo-spa-result-1280');
      await page.setViewportSize({ width: 375, height: 900 });
      await expectAccessible(page, 'demo-spa-result-375');
      expect(problems).toEqual([]);
    },
    TIMEOUT,
  );
});

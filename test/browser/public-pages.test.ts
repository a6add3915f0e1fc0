// The pages around the flow, in a real browser: the public pages every French public service
// publishes (linked from every footer, texts from the configuration), and the error pages a person
// can meet — an unknown or suspended app, Back after a step, cancelling the login — each in plain
// French with a way forward. Every page: axe finds nothing at 1280 and 375 px, with and without
// JavaScript, and nothing scrolls sideways on a phone.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SITE_PAGES } from '../../src/site/site-pages.ts';
import { checkA11y, launchBrowser } from '../support/browser.ts';
import { registeredDemo } from '../support/demo-app.ts';
import { createJobseeker } from '../support/factories.ts';
import { OPERATOR, startTestServer, type TestServer } from '../support/test-server.ts';

const TIMEOUT = 90_000;
const SCREENSHOTS = path.resolve('artifacts/screenshots');
const FOOTER = [
  'Aide',
  'Contact',
  'Identifiant ou mot de passe oublié',
  'Accessibilité : non conforme',
  'Mentions légales',
  'Données personnelles',
  'Développeurs',
];

let server: TestServer;
let demo: { close(): Promise<void> } | undefined;
let demoUrl: string;
let clientId: string;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // The operator's own texts, and retention periods other than the defaults: the pages must follow.
  server = await startTestServer({
    ...OPERATOR,
    ACCESS_LOG_RETENTION_DAYS: '183',
    CONSENT_DURATION_DAYS: '730',
  });
  const started = await registeredDemo(server, undefined, (url) => ({ website: `${url}/` }));
  demo = started;
  demoUrl = started.url;
  clientId = started.client.client_id;
  browser = await launchBrowser();
}, TIMEOUT);

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await demo?.close();
  await server?.close();
});

async function newPage(width: number, js: boolean): Promise<Page> {
  const context = await browser.newContext({ locale: 'fr-FR', viewport: { width, height: 800 } });
  contexts.push(context);
  if (!js) await context.route(/\.js(\?|$)/, (route) => route.abort());
  return context.newPage();
}

async function expectReadable(page: Page, what: string) {
  const violations = await checkA11y(page);
  expect(violations, `${what}: ${JSON.stringify(violations, null, 2)}`).toEqual([]);
  const size = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
    // What sticks out, to name it when this fails.
    wide: [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}.${e.className}: ${(e.textContent ?? '').slice(0, 40)}`),
  }));
  expect(size.scrollWidth, `${what}: horizontal scroll (${size.wide.join(' | ')})`).toBeLessThanOrEqual(
    size.clientWidth,
  );
}

const SETUPS = [
  { width: 1280, js: true },
  { width: 375, js: false },
  { width: 1280, js: false },
  { width: 375, js: true },
];

describe('the public pages', () => {
  for (const { width, js } of SETUPS) {
    it(
      `are accessible and linked from the footer, at ${width} px ${js ? 'with' : 'without'} JavaScript`,
      async () => {
        const page = await newPage(width, js);
        for (const [route, { title }] of Object.entries(SITE_PAGES)) {
          const response = await page.goto(`${server.issuer}${route}`);
          expect(response?.status(), route).toBe(200);
          expect(await page.title()).toBe(`${title} – Pôle emploi Connect`);
          const footer = page.getByRole('navigation', { name: 'Informations et aide' });
          expect(await footer.getByRole('link').allTextContents()).toEqual(FOOTER);
          await expectReadable(page, `${route} at ${width} px`);
          const name = route === '/' ? 'home' : route.slice(1);
          if (js)
            await page.screenshot({
              path: path.join(SCREENSHOTS, `site-${name}-${width}.png`),
              fullPage: true,
            });
        }
      },
      TIMEOUT,
    );
  }

  it('say what the configuration says: the operator, and the retention periods it applies', async () => {
    const page = await newPage(1280, true);
    await page.goto(`${server.issuer}/donnees-personnelles`);
    const privacy = (await page.locator('main').textContent()) ?? '';
    expect(privacy).toContain(OPERATOR.OPERATOR_NAME);
    expect(privacy).toContain(OPERATOR.DPO_CONTACT);
    expect(privacy).toContain('6 mois, puis supprimées automatiquement'); // ACCESS_LOG_RETENTION_DAYS=183
    expect(privacy).toContain('2 ans'); // CONSENT_DURATION_DAYS=730
    expect(await page.getByText('Version de démonstration').count()).toBe(0);

    await page.goto(`${server.issuer}/mentions-legales`);
    const legal = (await page.locator('main').textContent()) ?? '';
    for (const value of [OPERATOR.OPERATOR_ADDRESS, OPERATOR.PUBLICATION_DIRECTOR, OPERATOR.HOSTING_PROVIDER])
      expect(legal).toContain(value);
    await page.goto(`${server.issuer}/identifiants-oublies`);
    expect(await page.getByRole('link', { name: OPERATOR.ACCOUNT_HELP_URL }).count()).toBe(1);
    await page.goto(`${server.issuer}/accessibilite`);
    expect(await page.locator('main').textContent()).toContain('non conforme avec le RGAA');
  });

  it('mark demonstration values as such when the operator has not configured its own', async () => {
    const bare = await startTestServer();
    try {
      const page = await newPage(1280, true);
      await page.goto(`${bare.issuer}/mentions-legales`);
      expect(await page.getByText('Version de démonstration').count()).toBe(1);
      expect(await page.locator('main').textContent()).toContain('OPERATOR_NAME à configurer');
    } finally {
      await bare.close();
    }
  });
});

async function logIn(page: Page, jobseeker: { login: string; password: string }) {
  await page.locator('input[name="login"]').fill(jobseeker.login);
  await page.locator('input[name="password"]').fill(jobseeker.password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.getByRole('button', { name: 'Autoriser', exact: true }).waitFor();
}

describe('errors a person understands', () => {
  it(
    'resumes the flow on Back, and after the last step says it is over, naming the app',
    async () => {
      const jobseeker = await createJobseeker(server);
      const page = await newPage(1280, true);
      await page.goto(`${demoUrl}/login`);
      await page.waitForURL(`${server.issuer}/interaction/**`);
      await logIn(page, jobseeker);
      const consentUrl = page.url();

      // Back from the consent page to the login page, whose step is over: the flow resumes.
      await page.goBack();
      await page.getByRole('button', { name: 'Autoriser', exact: true }).waitFor();
      expect(page.url()).toBe(consentUrl);

      await page.getByRole('button', { name: 'Autoriser', exact: true }).click();
      await page.waitForURL(`${demoUrl}/callback**`);
      // Back from the app to the consent page, which was answered.
      await page.goBack();
      await page.getByRole('heading', { level: 1, name: 'Cette étape est terminée' }).waitFor();
      expect(await page.getByRole('alert').textContent()).toContain(
        'Vous avez déjà répondu à la demande de « CV Express (démo) »',
      );
      expect(
        await page.getByRole('link', { name: 'Revenir sur CV Express (démo)' }).getAttribute('href'),
      ).toBe(`${demoUrl}/`);
      expect(await page.locator('main').textContent()).not.toMatch(/session_not_found|invalid_/);
      await page.screenshot({ path: path.join(SCREENSHOTS, 'error-step-over.png'), fullPage: true });
      await expectReadable(page, 'step over');
    },
    TIMEOUT,
  );

  it(
    'reports a cancelled login as such, while the app still receives access_denied',
    async () => {
      const page = await newPage(375, true);
      await page.goto(`${demoUrl}/login`);
      await page.waitForURL(`${server.issuer}/interaction/**`);
      await page.getByRole('button', { name: 'Annuler et revenir à l’application' }).click();
      await page.waitForURL(`${demoUrl}/callback**`);
      expect(new URL(page.url()).searchParams.get('error')).toBe('access_denied');
      expect(await page.getByRole('alert').textContent()).toContain('Vous avez annulé la connexion');
    },
    TIMEOUT,
  );

  for (const width of [1280, 375]) {
    it(
      `names a suspended app and says what to do, and warns about an unknown one, at ${width} px`,
      async () => {
        const page = await newPage(width, false);
        const authorize = (id: string) =>
          `${server.issuer}/auth?${new URLSearchParams({
            client_id: id,
            response_type: 'code',
            scope: 'openid',
            redirect_uri: `${demoUrl}/callback`,
            code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
            code_challenge_method: 'S256',
          })}`;
        await server.pool.query(`UPDATE clients SET status = 'suspended' WHERE id = $1`, [clientId]);
        try {
          const suspended = await page.goto(authorize(clientId));
          expect(suspended?.status()).toBe(400);
          await page.getByRole('heading', { level: 1, name: 'CV Express (démo) est suspendue' }).waitFor();
          expect(await page.getByRole('heading', { level: 2, name: 'Que faire ?' }).count()).toBe(1);
          await page.screenshot({
            path: path.join(SCREENSHOTS, `error-suspended-${width}.png`),
            fullPage: true,
          });
          await expectReadable(page, 'suspended app');
        } finally {
          await server.pool.query(`UPDATE clients SET status = 'active' WHERE id = $1`, [clientId]);
        }
        const unknown = await page.goto(authorize('no-such-app'));
        expect(unknown?.status()).toBe(400);
        await page.getByRole('heading', { level: 1, name: 'Application inconnue' }).waitFor();
        expect(await page.locator('main').textContent()).not.toContain('no-such-app');
        await expectReadable(page, 'unknown app');
      },
      TIMEOUT,
    );
  }
});

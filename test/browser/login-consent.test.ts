// A jobseeker in a real browser: the demo app → login page → consent page → back to the demo, which
// shows exactly the ticked fields. Also: accessibility (axe, WCAG 2.1 AA), keyboard focus, refusal.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkA11y, launchBrowser } from '../support/browser.ts';
import { tickFields } from '../support/consent-page.ts';
import { registeredDemo } from '../support/demo-app.ts';
import { createJobseeker } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

const TIMEOUT = 60_000;
const SCREENSHOTS = path.resolve('artifacts/screenshots');

let server: TestServer;
let demo: { close(): Promise<void> } | undefined;
let demoUrl: string;
let browser: Browser;
let context: BrowserContext | undefined;
let cspViolations: string[];

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  server = await startTestServer();
  const started = await registeredDemo(server);
  demo = started;
  demoUrl = started.url;
  browser = await launchBrowser();
}, TIMEOUT);

afterAll(async () => {
  await browser?.close();
  await demo?.close();
  await server?.close();
});

// A fresh browser profile per test, with the pages' Content-Security-Policy enforced: its violations
// are collected from the console so that a page broken by our own policy fails.
async function newPage(): Promise<Page> {
  await context?.close();
  context = await browser.newContext({ locale: 'fr-FR' });
  const page = await context.newPage();
  cspViolations = [];
  page.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) cspViolations.push(msg.text());
  });
  return page;
}

async function openLoginPage(page: Page) {
  await page.goto(`${demoUrl}/`);
  await page.getByRole('link', { name: 'Se connecter avec Pôle emploi Connect' }).click();
  await page.waitForURL(`${server.issuer}/interaction/**`);
  await page.getByRole('heading', { level: 1, name: /Connectez-vous/ }).waitFor();
}

async function logIn(page: Page, jobseeker: { login: string; password: string }) {
  await page.locator('input[name="login"]').fill(jobseeker.login);
  await page.locator('input[name="password"]').fill(jobseeker.password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  // The consent page, or an error (shown in an alert) to report instead of a bare timeout.
  const alert = page.getByRole('alert');
  await page.getByRole('button', { name: 'Autoriser' }).or(alert).first().waitFor();
  expect(await alert.count(), (await page.locator('main').textContent()) ?? '').toBe(0);
}

/** The JSON the demo received for one data scope, with its HTTP status. */
async function apiResult(page: Page, scope: string) {
  const section = page.locator('section.api-result', { has: page.locator(`#scope-${scope}`) });
  const status = Number(await section.locator('p.small strong').textContent());
  return { status, body: JSON.parse((await section.locator('pre').textContent()) as string) };
}

describe('login and consent in a real browser', () => {
  it('has an accessibility check that does report violations', async () => {
    const page = await newPage();
    await page.setContent('<html><body><img src="data:,"><input type="text"></body></html>');
    const ids = (await checkA11y(page)).map((v) => v.id);
    expect(ids).toEqual(expect.arrayContaining(['html-has-lang', 'image-alt', 'label']));
  });

  it(
    'shares exactly the ticked fields with the demo app, on accessible pages',
    async () => {
      const jobseeker = await createJobseeker(server);
      const claims = jobseeker.claims as Record<string, unknown>;
      const data = jobseeker.data as {
        competences: { code: string; libelle: string }[];
        statut: { codeStatutIndividu: string; libelleStatutIndividu: string };
      };
      const page = await newPage();

      await openLoginPage(page);
      await page.screenshot({ path: path.join(SCREENSHOTS, 'login.png'), fullPage: true });
      expect(await checkA11y(page)).toEqual([]);
      await logIn(page, jobseeker);

      await page.screenshot({ path: path.join(SCREENSHOTS, 'consent.png'), fullPage: true });
      expect(await checkA11y(page)).toEqual([]);
      const boxes = page.locator('input[type="checkbox"][name="fields"]');
      expect(await boxes.count()).toBeGreaterThan(10);
      expect(await page.locator('input[type="checkbox"]:checked').count()).toBe(0);

      // The block shows this jobseeker's actual values, only once opened, each skill with its code.
      const block = page.locator('#bloc-competences');
      const shown = block.locator('.field', {
        has: page.getByLabel('Nom de la compétence', { exact: true }),
      });
      expect(await shown.locator('.value').isVisible()).toBe(false);
      await block.locator('summary').click();
      expect(await shown.locator('.value').isVisible()).toBe(true);
      expect(await shown.locator('.value li').allTextContents()).toEqual(
        // A competence the jobseeker wrote in has no code (demo-jobseekers.ts).
        data.competences.map((c) => (c.code ? `${c.libelle} (code ${c.code})` : c.libelle)),
      );

      await tickFields(page, {
        profile: ['Prénom'],
        email: ['Adresse e-mail'],
        statut: ['Votre situation'],
        competences: ['Nom de la compétence'],
      });
      expect(await page.locator('input[name="fields"]:checked').count()).toBe(4);
      await page.getByRole('button', { name: 'Autoriser', exact: true }).click();

      await page.waitForURL(`${demoUrl}/callback**`);
      await page.getByRole('heading', { level: 1, name: 'Voici exactement les données reçues' }).waitFor();
      await page.screenshot({ path: path.join(SCREENSHOTS, 'demo-result.png'), fullPage: true });

      const granted = page.locator('p', { hasText: 'Autorisations accordées' }).locator('code.break');
      // The token serves userinfo and the API: its scope lists the identity and data scopes it covers.
      const grantedScopes = new Set((await granted.textContent())?.split(' '));
      for (const scope of ['openid', 'profile', 'email', 'statut', 'competences']) {
        expect(grantedScopes).toContain(scope);
      }
      expect(grantedScopes).not.toContain('langues');

      const rows = await page
        .locator('table tbody tr')
        .evaluateAll((trs) =>
          trs.map((tr) => [
            tr.querySelector('th')?.textContent ?? '',
            tr.querySelector('td')?.textContent ?? '',
          ]),
        );
      const idToken = Object.fromEntries(rows);
      expect(Object.keys(idToken).sort()).toEqual(['email', 'given_name', 'sub']);
      expect(idToken.given_name).toBe(claims.given_name);
      expect(idToken.email).toBe(claims.email);

      expect(await apiResult(page, 'competences')).toEqual({
        status: 200,
        body: data.competences.map(({ code, libelle }) => ({ code, libelle })),
      });
      // The code of the situation travels with it.
      expect(await apiResult(page, 'statut')).toEqual({
        status: 200,
        body: {
          codeStatutIndividu: data.statut.codeStatutIndividu,
          libelleStatutIndividu: data.statut.libelleStatutIndividu,
        },
      });
      for (const untouched of ['langues', 'permis', 'formations', 'experiences', 'projet']) {
        const result = await apiResult(page, untouched);
        expect(result.status, untouched).toBe(403);
        expect(result.body.error, untouched).toBe('insufficient_scope');
      }
      const grant = JSON.parse(
        (await page.getByRole('region', { name: 'Accord actuel' }).textContent()) as string,
      );
      expect(grant.fields).toEqual(
        [
          'competences.code',
          'competences.libelle',
          'email.email',
          'openid.sub',
          'profile.given_name',
          'statut.codeStatutIndividu',
          'statut.libelleStatutIndividu',
        ].sort(),
      );
      expect(cspViolations).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'lets a keyboard user reach the skip link first, with a visible focus indicator',
    async () => {
      const page = await newPage();
      await openLoginPage(page);
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement;
        const style = getComputedStyle(el);
        const box = el.getBoundingClientRect();
        return {
          className: el.className,
          text: el.textContent?.trim(),
          href: el.getAttribute('href'),
          outlineStyle: style.outlineStyle,
          outlineWidth: Number.parseFloat(style.outlineWidth),
          onScreen: box.bottom > 0 && box.right > 0 && box.width > 0 && box.height > 0,
        };
      });
      expect(focused).toMatchObject({ className: 'skip-link', text: 'Aller au contenu', href: '#contenu' });
      expect(focused.outlineStyle).not.toBe('none');
      expect(focused.outlineWidth).toBeGreaterThan(0);
      expect(focused.onScreen).toBe(true);

      // Following it moves focus to the main content.
      await page.keyboard.press('Enter');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('contenu');
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('login');
    },
    TIMEOUT,
  );

  it(
    'returns to the demo with its refusal message when the jobseeker clicks « Refuser »',
    async () => {
      const jobseeker = await createJobseeker(server);
      const page = await newPage();
      await openLoginPage(page);
      await logIn(page, jobseeker);
      await tickFields(page, { profile: ['Prénom'] }); // ticked, then refused: nothing is sent
      await page.getByRole('button', { name: 'Refuser', exact: true }).click();

      await page.waitForURL(`${demoUrl}/callback**`);
      expect(new URL(page.url()).searchParams.get('error')).toBe('access_denied');
      expect(await page.getByRole('alert').textContent()).toContain(
        'Vous avez refusé le partage : CV Express n’a reçu aucune donnée.',
      );
      expect(await page.getByRole('heading', { name: 'Voici exactement les données reçues' }).count()).toBe(
        0,
      );
    },
    TIMEOUT,
  );
});

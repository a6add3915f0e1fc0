// The consent page for the demo app's request, as a jobseeker meets it in a real browser: measured at
// 1280×800 and 375×800, with and without JavaScript. Targets (issue 12): page height with the blocks
// closed ≤ 2,500 px, at most 30 Tab presses from the top to either final button, « Autoriser » and
// « Refuser » side by side with the same look, no horizontal scroll on a phone, axe finds nothing.
// Then what a choice means: a block ticked as a whole shares all of it, a field ticked alone shares
// that field and the code that travels with it, and the demo app receives exactly that.
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkA11y, launchBrowser } from '../support/browser.ts';
import { registeredDemo } from '../support/demo-app.ts';
import { createJobseeker } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

const TIMEOUT = 90_000;
const SCREENSHOTS = path.resolve('artifacts/screenshots');
const MAX_HEIGHT = 2_500; // px, blocks closed, at 1280×800
const MAX_TABS = 30;

let server: TestServer;
let demo: { close(): Promise<void> } | undefined;
let demoUrl: string;
let browser: Browser;
const contexts: BrowserContext[] = [];
// What was measured, written to artifacts/consent-measures.json for the record.
const measures: Record<string, unknown> = {};

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  server = await startTestServer();
  const started = await registeredDemo(server, undefined, (url) => ({
    description: 'Crée un CV à partir de vos compétences, expériences et formations.',
    website: `${url}/`,
  }));
  demo = started;
  demoUrl = started.url;
  browser = await launchBrowser();
}, TIMEOUT);

afterAll(async () => {
  writeFileSync(path.resolve('artifacts/consent-measures.json'), `${JSON.stringify(measures, null, 2)}\n`);
  for (const context of contexts) await context.close();
  await browser?.close();
  await demo?.close();
  await server?.close();
});

interface Setup {
  width: number;
  js: boolean;
}

// Without JavaScript: every script file is refused. They are the only scripts our pages have (the
// Content-Security-Policy forbids inline ones), and axe, which is JavaScript itself, can still run.
async function consentPage({ width, js }: Setup, jobseeker?: { login: string; password: string }) {
  const context = await browser.newContext({ locale: 'fr-FR', viewport: { width, height: 800 } });
  contexts.push(context);
  if (!js) await context.route(/\.js(\?|$)/, (route) => route.abort());
  const page = await context.newPage();
  const who = jobseeker ?? (await createJobseeker(server));
  await page.goto(`${demoUrl}/login`);
  await page.waitForURL(`${server.issuer}/interaction/**`);
  await page.locator('input[name="login"]').fill(who.login);
  await page.locator('input[name="password"]').fill(who.password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.getByRole('button', { name: 'Autoriser', exact: true }).waitFor();
  return page;
}

/** Tab presses from the top of the freshly loaded page until this button has the focus. */
async function tabsTo(page: Page, name: string): Promise<number> {
  await page.reload();
  await page.getByRole('button', { name: 'Autoriser', exact: true }).waitFor();
  for (let presses = 1; presses <= 200; presses++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      return { tag: el?.tagName, text: el?.textContent?.trim() };
    });
    if (focused.tag === 'BUTTON' && focused.text === name) return presses;
  }
  throw new Error(`« ${name} » is not reachable with Tab`);
}

const label = (s: Setup) => `${s.width} px, ${s.js ? 'with' : 'without'} JavaScript`;
const SETUPS: Setup[] = [
  { width: 1280, js: true },
  { width: 1280, js: false },
  { width: 375, js: true },
  { width: 375, js: false },
];

describe('the consent page for the demo app’s request', () => {
  for (const setup of SETUPS) {
    it(
      `meets its targets at ${label(setup)}`,
      async () => {
        const page = await consentPage(setup);
        const name = `consent-${setup.width}${setup.js ? '' : '-nojs'}.png`;
        await page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true });
        // The README's copy (docs/screenshots), refreshed with UPDATE_DOC_SCREENSHOTS=1.
        const doc = path.resolve('docs/screenshots/consent.png');
        if (name === 'consent-1280.png' && (process.env.UPDATE_DOC_SCREENSHOTS === '1' || !existsSync(doc)))
          copyFileSync(path.join(SCREENSHOTS, name), doc);

        // Nothing chosen in advance, and one block per requested scope.
        expect(await page.locator('input[type="checkbox"]:checked').count()).toBe(0);
        expect(await page.locator('input[type="checkbox"][name="scopes"]').count()).toBe(11);

        const size = await page.evaluate(() => ({
          height: document.documentElement.scrollHeight,
          scrollWidth: document.documentElement.scrollWidth,
          clientWidth: document.documentElement.clientWidth,
        }));
        const measured: Record<string, number> = { height: size.height, scrollWidth: size.scrollWidth };
        measures[label(setup)] = measured;
        if (setup.width === 1280) expect(size.height, 'page height').toBeLessThanOrEqual(MAX_HEIGHT);
        expect(size.scrollWidth, 'horizontal scroll').toBeLessThanOrEqual(size.clientWidth);

        const violations = await checkA11y(page);
        expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);

        // « Autoriser » and « Refuser »: side by side, same size, same look.
        const look = (name: string) =>
          page.getByRole('button', { name, exact: true }).evaluate((el) => {
            const s = getComputedStyle(el);
            const box = el.getBoundingClientRect();
            return {
              top: Math.round(box.top),
              width: Math.round(box.width),
              height: Math.round(box.height),
              style: [s.backgroundColor, s.color, s.borderColor, s.borderWidth, s.fontSize, s.fontWeight],
            };
          });
        const allow = await look('Autoriser');
        const refuse = await look('Refuser');
        expect(refuse.top).toBe(allow.top);
        expect(refuse.width).toBe(allow.width);
        expect(refuse.height).toBe(allow.height);
        expect(refuse.style).toEqual(allow.style);

        if (setup.width === 1280) {
          for (const button of ['Autoriser', 'Refuser']) {
            const presses = await tabsTo(page, button);
            measured[`tabsTo${button}`] = presses;
            expect(presses, `Tab presses to « ${button} »`).toBeLessThanOrEqual(MAX_TABS);
          }
        }

        // A block opened for choosing is still accessible and fits the screen.
        await page.locator('#bloc-formations summary').click();
        expect(await page.getByLabel('Nom de la formation', { exact: true }).isVisible()).toBe(true);
        const open = await page.evaluate(() => ({
          scrollWidth: document.documentElement.scrollWidth,
          clientWidth: document.documentElement.clientWidth,
        }));
        expect(open.scrollWidth).toBeLessThanOrEqual(open.clientWidth);
        const openViolations = await checkA11y(page);
        expect(openViolations, JSON.stringify(openViolations, null, 2)).toEqual([]);
        await page.screenshot({
          path: path.join(SCREENSHOTS, name.replace('.png', '-open.png')),
          fullPage: true,
        });
      },
      TIMEOUT,
    );
  }
});

/** The JSON the demo received for one data scope, with its HTTP status. */
async function apiResult(page: Page, scope: string) {
  const section = page.locator('section.api-result', { has: page.locator(`#scope-${scope}`) });
  const status = Number(await section.locator('p.small strong').textContent());
  return { status, body: JSON.parse((await section.locator('pre').textContent()) as string) };
}

async function idTokenClaims(page: Page) {
  const rows = await page
    .locator('table tbody tr')
    .evaluateAll((trs) =>
      trs.map((tr) => [tr.querySelector('th')?.textContent ?? '', tr.querySelector('td')?.textContent ?? '']),
    );
  return Object.fromEntries(rows) as Record<string, string>;
}

describe('what a choice on the consent page shares', () => {
  for (const js of [true, false]) {
    it(
      `shares a whole block, or one field with its code, ${js ? 'with' : 'without'} JavaScript`,
      async () => {
        const jobseeker = await createJobseeker(server);
        const data = jobseeker.data as { competences: { code: string; libelle: string }[] };
        const page = await consentPage({ width: 1280, js }, jobseeker);

        // The whole « Votre identité » block…
        await page.getByLabel('Partager : Votre identité', { exact: true }).check();
        // …and, in « Vos compétences », only the name of each skill (its code travels with it).
        const competences = page.locator('#bloc-competences');
        await competences.locator('summary').click();
        await competences.getByLabel('Nom de la compétence', { exact: true }).check();
        expect(await competences.getByLabel('Code de la compétence', { exact: true }).count()).toBe(0);
        if (js) {
          // The script keeps the page in step: the block reads as partly chosen, the identity fields as ticked.
          const whole = page.getByLabel('Partager : Vos compétences', { exact: true });
          expect(await whole.evaluate((el) => (el as HTMLInputElement).indeterminate)).toBe(true);
          await page.locator('#bloc-profile summary').click();
          expect(await page.locator('#bloc-profile input[name="fields"]:checked').count()).toBe(4);
        } else {
          // Without the script, the page says what a ticked block means.
          await page.locator('#bloc-profile summary').click();
          expect(await page.locator('#bloc-profile .all-shared').isVisible()).toBe(true);
          expect(await page.locator('#bloc-competences .all-shared').isVisible()).toBe(false);
        }
        await page.getByRole('button', { name: 'Autoriser', exact: true }).click();

        await page.waitForURL(`${demoUrl}/callback**`);
        await page.getByRole('heading', { level: 1, name: 'Voici exactement les données reçues' }).waitFor();
        const claims = await idTokenClaims(page);
        expect(Object.keys(claims).sort()).toEqual([
          'birthdate',
          'family_name',
          'gender',
          'given_name',
          // Derived from the two names, released with them (scopes/profile.yaml, derived_claims).
          'name',
          'sub',
        ]);
        expect(await apiResult(page, 'competences')).toEqual({
          status: 200,
          body: data.competences.map(({ code, libelle }) => ({ code, libelle })),
        });
        for (const untouched of ['statut', 'langues', 'permis', 'formations', 'experiences', 'projet'])
          expect((await apiResult(page, untouched)).status, untouched).toBe(403);
      },
      TIMEOUT,
    );
  }

  it(
    'shows each value as a person reads it: dates in words, labels for codes, an address, lists',
    async () => {
      const page = await consentPage({ width: 1280, js: true });
      const value = async (block: string, field: string) => {
        const scope = page.locator(`#bloc-${block}`);
        if (!(await scope.locator('details').evaluate((d) => (d as HTMLDetailsElement).open)))
          await scope.locator('summary').click();
        const row = scope.locator('.field', { has: page.getByLabel(field, { exact: true }) });
        const items = await row.locator('.value li').allTextContents();
        return items.length ? items : await row.locator('.value p:not(.value-title)').textContent();
      };
      expect(await value('statut', "Date d'inscription")).toBe('3 février 2026');
      expect(await value('statut', "Catégorie de demandeur d'emploi")).toBe(
        'Catégorie A : sans emploi, vous cherchez un emploi',
      );
      expect(await value('statut', 'Votre situation')).toBe("Demandeur d'emploi (code 1)");
      expect(await value('profile', 'Genre')).toBe('Femme');
      expect(await value('address', 'Adresse postale')).toBe(
        'Appartement 12\nRésidence Les Tilleuls\n12 rue des Lilas\n69003 Lyon\nAuvergne-Rhône-Alpes\nFrance\nCode commune 69383\nCode pays FR',
      );
      expect(await value('langues', 'Nom de la langue')).toEqual(['Anglais (code EN)', 'Espagnol (code ES)']);
      expect(await value('langues', 'Niveau')).toEqual(['Courant', 'Débutant']);
      expect(await value('projet', 'Types de contrat souhaités')).toEqual([
        'CDI (contrat à durée indéterminée)',
        'CDD (contrat à durée déterminée)',
      ]);
      // Ordinary personal data carries no alarming mark.
      expect(await page.locator('.badge').count()).toBe(0);
      const text = (await page.locator('main').textContent()) ?? '';
      for (const raw of ['2026-02-03', 'courant ;', 'postal_code', 'female'])
        expect(text, raw).not.toContain(raw);
      const violations = await checkA11y(page);
      expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
    },
    TIMEOUT,
  );
});

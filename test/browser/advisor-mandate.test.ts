// MAP in a real browser, both sides, without our scripts (each .js request refused): the jobseeker gives a mandate per field → the
// advisor sees exactly those fields and a diagnosis naming its sources → writes a plan step → the
// jobseeker sees it and marks it done → narrows the mandate → the advisor's next view loses the
// field → the jobseeker withdraws → the advisor sees nothing. Every page is checked with axe
// (WCAG 2.1 A and AA) at 1280 and 375 px.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrolledAdmin, totp } from '../support/admin-console.ts';
import { ADVISOR_PASSWORD, assign, createAdvisor } from '../support/advisors.ts';
import { checkA11y, launchBrowser } from '../support/browser.ts';
import { createClient, createJobseeker } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

const TIMEOUT = 120_000;
const SCREENSHOTS = path.resolve('artifacts/screenshots');
const DOC_SCREENSHOTS = path.resolve('docs/screenshots');

let server: TestServer;
let browser: Browser;
let contexts: BrowserContext[] = [];
let jobseekerPage: Page;
let advisorPage: Page;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  server = await startTestServer();
  browser = await launchBrowser();
  const open = async () => {
    const context = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1280, height: 900 } });
    // No JavaScript needed: every script of ours is refused (axe itself runs through DevTools).
    await context.route('**/*.js', (route) => route.abort());
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    return page;
  };
  jobseekerPage = await open();
  advisorPage = await open();
}, TIMEOUT);

afterAll(async () => {
  for (const c of contexts) await c.close();
  contexts = [];
  await browser?.close();
  await server?.close();
});

async function screenshot(page: Page, name: string) {
  const file = path.join(SCREENSHOTS, name);
  await page.screenshot({ path: file, fullPage: true });
  const doc = path.join(DOC_SCREENSHOTS, name);
  if (process.env.UPDATE_DOC_SCREENSHOTS === '1' || !existsSync(doc)) {
    mkdirSync(DOC_SCREENSHOTS, { recursive: true });
    copyFileSync(file, doc);
  }
}

/** axe at 1280 px, then at 375 px, then back. */
async function expectAccessible(page: Page, what: string) {
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 900 });
    const violations = await checkA11y(page);
    expect(violations, `${what} at ${width} px: ${JSON.stringify(violations, null, 2)}`).toEqual([]);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

const lentText = async () => (await advisorPage.locator('main').textContent()) ?? '';

describe('MAP in a real browser', () => {
  it(
    'mandate per field → the advisor sees exactly it → plan → done → narrowed → withdrawn',
    async () => {
      const jobseeker = await createJobseeker(server);
      const advisor = await createAdvisor(server, { name: 'Julie Martin', agency: 'Lyon Part-Dieu' });
      await assign(server, advisor.id, jobseeker.id);
      // Two apps of the catalog: one for sales jobs around Lyon (lent below), one for registered
      // jobseekers (Marie is, but her registration is not lent: it must not be suggested).
      await createClient(server, {
        name: 'Vendeur Pro',
        category: 'offres',
        audience: { rome: ['D11'], regions: ['84'] },
        audience_vetted: true,
      });
      await createClient(server, {
        name: 'Créer sa boîte',
        category: 'creation_entreprise',
        audience: { statuses: ['A', 'B'] },
        audience_vetted: true,
      });

      // The advisor signs in: password, enrolment code, first TOTP code.
      const a = advisorPage;
      await a.goto(`${server.issuer}/conseiller`);
      await a.waitForURL(`${server.issuer}/conseiller/login`);
      await expectAccessible(a, 'advisor login');
      await a.getByLabel('Adresse e-mail').fill(advisor.email);
      await a.getByLabel('Mot de passe').fill(ADVISOR_PASSWORD);
      await a.getByRole('button', { name: 'Continuer' }).click();
      await a.waitForURL(`${server.issuer}/conseiller/activation`);
      await expectAccessible(a, 'advisor enrolment code');
      await a.getByLabel('Code d’activation').fill(advisor.enrolmentCode);
      await a.getByRole('button', { name: 'Continuer' }).click();
      const secret = ((await a.locator('#totp-secret').textContent()) ?? '').replace(/\s/g, '');
      await expectAccessible(a, 'advisor enrolment');
      await a.getByLabel('Code à 6 chiffres').fill(totp(secret).generate());
      await a.getByRole('button', { name: 'Activer et se connecter' }).click();
      await a.waitForURL(`${server.issuer}/conseiller`);
      await expect.poll(() => a.locator('main').textContent()).toContain('Marie Dupont');
      expect(await a.locator('main').textContent()).toContain('Aucun');

      // The jobseeker opens "Mon conseiller": nothing ticked, the freedom sentence.
      const j = jobseekerPage;
      await j.goto(`${server.issuer}/account/conseiller`);
      await j.locator('input[name="login"]').fill(jobseeker.login);
      await j.locator('input[name="password"]').fill(jobseeker.password);
      await j.getByRole('button', { name: 'Se connecter' }).click();
      await j.waitForURL(`${server.issuer}/account/conseiller`);
      await j.getByRole('heading', { level: 1, name: 'Mon conseiller' }).waitFor();
      expect(await j.locator('main').textContent()).toContain('ne change rien à vos droits');
      expect(await j.locator('input[type="checkbox"]:checked').count()).toBe(0);
      // The financial data's warning speaks of the advisor, not of an app.
      expect(await j.locator('main').textContent()).toContain(
        'ne la confiez que si votre conseiller en a vraiment besoin',
      );
      await expectAccessible(j, 'Mon conseiller, no mandate');
      await screenshot(j, 'advisor-mandate-form.png');

      // Per field: the skills' names, and the whole "projet" block; 6 months.
      const skills = j.locator('#bloc-competences');
      await skills.locator('summary').click();
      await skills.locator('input[value="competences.libelle"]').check();
      await j.locator('#scope-projet').check();
      await j.getByLabel('Durée du mandat').selectOption('6');
      await j.getByRole('button', { name: 'Donner mon mandat' }).click();
      await j.waitForURL(`${server.issuer}/account/conseiller?ok=given`);
      await expectAccessible(j, 'Mon conseiller, mandate given');

      // The advisor sees exactly those fields, and the diagnosis names its sources.
      await a.goto(`${server.issuer}/conseiller`);
      await expectAccessible(a, 'portfolio');
      await screenshot(a, 'advisor-portfolio.png');
      await a.getByRole('link', { name: 'Marie Dupont' }).click();
      let text = await lentText();
      expect(text).toContain('Accueillir une clientèle');
      expect(text).toContain('Vente en alimentation');
      expect(text).not.toContain('Responsable de rayon'); // experiences: not lent
      expect(text).not.toContain('Anglais'); // languages: not lent
      expect(text).toContain("D’après : Votre projet de recherche d'emploi › Métiers recherchés");
      expect(text).toContain('Non partagé');
      // Apps of the catalog, from the lent fields only, each naming them.
      expect(text).toContain('Ajouter au plan : Utiliser l’application « Vendeur Pro » du catalogue');
      expect(text).toContain(
        "D’après : Votre projet de recherche d'emploi › Métiers recherchés ; Votre projet de recherche d'emploi › Zone de recherche.",
      );
      expect(text).not.toContain('Créer sa boîte');
      expect(text).toMatch(/Non partagé \(d’autres applications[^.]*Votre inscription à Pôle emploi/);
      await expectAccessible(a, 'a jobseeker’s page');
      await screenshot(a, 'advisor-jobseeker.png');
      await a
        .getByRole('button', {
          name: 'Ajouter au plan : Utiliser l’application « Vendeur Pro » du catalogue',
        })
        .click();
      expect(await a.locator('#plan').textContent()).toContain(
        'Utiliser l’application « Vendeur Pro » du catalogue',
      );

      // A plan step, suggested by the diagnosis.
      await a
        .getByRole('button', { name: /^Ajouter au plan : Se former/ })
        .first()
        .click();
      await a.getByLabel('Intitulé').fill('Compléter vos compétences');
      await a.getByLabel('À faire pour le (facultatif)').fill('2027-01-15');
      await a.getByRole('button', { name: 'Ajouter l’étape' }).click();
      expect(await lentText()).toContain('Compléter vos compétences');

      // The jobseeker sees the plan and marks a step done.
      await j.goto(`${server.issuer}/account/conseiller`);
      expect(await j.locator('#plan').textContent()).toContain('Compléter vos compétences');
      await j.getByRole('button', { name: 'C’est fait : Compléter vos compétences' }).click();
      await expect.poll(() => j.locator('#plan').textContent()).toContain('Fait par vous');
      await expectAccessible(j, 'Mon conseiller, with a plan');

      // Narrowed: the whole projet block unticked.
      const project = j.locator('#bloc-projet');
      await project.locator('summary').click();
      for (const box of await project.locator('input[name="fields"]').all()) await box.uncheck();
      await j.getByRole('button', { name: 'Enregistrer mon mandat' }).click();
      await j.waitForURL(`${server.issuer}/account/conseiller?ok=narrowed`);
      await a.reload();
      text = await lentText();
      expect(text).toContain('Accueillir une clientèle');
      expect(text).not.toContain('Vente en alimentation');
      expect(text).toContain('Fait par la personne');

      // Withdrawn: nothing at all, at the advisor's next view.
      await j.getByRole('button', { name: 'Retirer mon mandat' }).click();
      await j.waitForURL(`${server.issuer}/account/conseiller?ok=withdrawn`);
      await a.reload();
      text = await lentText();
      expect(text).not.toContain('Accueillir une clientèle');
      expect(text).toContain('ne vous a pas donné de mandat');
      await expectAccessible(a, 'a jobseeker’s page without a mandate');

      // « Retirer tous mes accords » ends a mandate too, and its notice says so.
      await j.goto(`${server.issuer}/account/consents?ok=all-revoked`);
      expect(await j.locator('main').textContent()).toContain(
        'si vous aviez donné un mandat à votre conseiller, il a pris fin',
      );
      await expectAccessible(j, 'all consents withdrawn');
      // Looked at, not published in the README: artifacts only.
      await j.screenshot({ path: path.join(SCREENSHOTS, 'advisor-revoke-all-notice.png'), fullPage: true });
      await j.setViewportSize({ width: 375, height: 900 });
      await j.screenshot({
        path: path.join(SCREENSHOTS, 'advisor-revoke-all-notice-375.png'),
        fullPage: true,
      });
      await j.setViewportSize({ width: 1280, height: 900 });

      // Each view is in "Qui a consulté mes données".
      await j.goto(`${server.issuer}/account/access-log`);
      expect(await j.locator('main').textContent()).toContain(
        'Votre conseiller Julie Martin (Lyon Part-Dieu)',
      );
    },
    TIMEOUT,
  );

  it(
    'the admin console’s advisors page and the code it shows once are accessible at 1280 and 375 px',
    async () => {
      const admin = await enrolledAdmin(server);
      const context = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1280, height: 900 } });
      contexts.push(context);
      await context.route('**/*.js', (route) => route.abort());
      // The admin signed in over HTTP: their session cookies, handed to the browser.
      const cookies = admin.agent.cookieHeader(new URL(server.issuer)).split('; ').filter(Boolean);
      await context.addCookies(
        cookies.map((c) => {
          const at = c.indexOf('=');
          return { name: c.slice(0, at), value: c.slice(at + 1), url: server.issuer };
        }),
      );
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      await page.goto(`${server.issuer}/admin/conseillers`);
      await page.getByRole('heading', { level: 1, name: 'Conseillers' }).waitFor();
      await expectAccessible(page, 'admin advisors page');
      await page.locator('#advisor-email').fill('nouveau.conseiller@pole-emploi.example');
      await page.locator('#advisor-name').fill('Nouveau Conseiller');
      await page.locator('#advisor-agency').fill('Lyon Sud');
      await page.locator('#advisor-password').fill('court');
      await page.getByRole('button', { name: 'Créer le conseiller' }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('Mot de passe initial');
      await expectAccessible(page, 'admin advisors page with an error');
      await page.locator('#advisor-password').fill(ADVISOR_PASSWORD);
      await page.getByRole('button', { name: 'Créer le conseiller' }).click();
      await page.getByRole('heading', { level: 1, name: 'Conseiller créé' }).waitFor();
      expect(await page.locator('#enrolment-code').textContent()).toMatch(/^([A-Z2-9]{4}-){4}[A-Z2-9]{4}$/);
      await expectAccessible(page, 'advisor created, its code shown once');
      await page.goto(`${server.issuer}/admin/conseillers`);
      await screenshot(page, 'admin-advisors.png');
    },
    TIMEOUT,
  );
});

// The Emploi Store in a real browser, with JavaScript off (nothing on these pages needs it), at 1280
// and 375 px: the catalog (search, category filter), an app's page, a jobseeker's recommendations with
// why each app is shown, hiding one, switching them all off and on again; and the admin's « Fiche
// catalogue » where an audience is vetted. Every page is checked with axe (WCAG 2.1 A and AA), must
// not scroll sideways, and is screenshotted.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkA11y, launchBrowser, screenshot } from '../support/browser.ts';
import { createClient, createJobseeker } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

const TIMEOUT = 120_000;
const ADMIN_EMAIL = 'admin.catalogue@pole-emploi-connect.example';
const ADMIN_PASSWORD = 'un mot de passe long et unique';
const APP_ORIGIN = 'http://127.0.0.1:9';

let server: TestServer;
let browser: Browser;
const ids: Record<string, string> = {};

beforeAll(async () => {
  // Password-only admin sign-in: the second factor has its own browser test.
  server = await startTestServer({ ADMIN_TOTP_REQUIRED: 'false' });
  await server.app.services.admins.create(ADMIN_EMAIL, ADMIN_PASSWORD, { actor: 'test' });
  const app = async (key: string, overrides: Parameters<typeof createClient>[1]) => {
    ids[key] = (
      await createClient(server, {
        redirect_uris: [`${APP_ORIGIN}/cb-${key}`],
        start_url: `${APP_ORIGIN}/${key}`,
        policy_uri: `${APP_ORIGIN}/confidentialite`,
        ...overrides,
      })
    ).client_id;
  };
  await app('vente', {
    name: 'Vendeur Pro',
    description: 'Des offres de vente en magasin près de chez vous, mises à jour chaque jour.',
    operator_name: 'Commerce Emploi SAS',
    category: 'offres',
    scopes: ['openid', 'profile', 'projet', 'competences'],
    purposes: {
      projet: 'Chercher des offres pour vos métiers.',
      competences: 'Mettre en avant vos compétences.',
    },
    audience: { rome: ['D11'], regions: ['84'] },
    audience_vetted: true,
  });
  await app('creation', {
    name: 'Créer sa boîte',
    description: 'Un accompagnement gratuit pour créer votre entreprise, de l’idée aux premiers clients.',
    operator_name: 'Réseau Entreprendre Ensemble',
    category: 'creation_entreprise',
    scopes: ['openid', 'statut'],
    purposes: { statut: 'Vérifier votre droit à l’accompagnement.' },
    audience: { statuses: ['A', 'B'] },
    audience_vetted: true,
  });
  await app('formation', {
    name: 'Formations près de chez vous',
    description: 'Trouver une formation financée, près de chez vous.',
    operator_name: 'Région Formation',
    category: 'formation',
    scopes: ['openid', 'formations', 'projet'],
    purposes: { formations: 'Proposer des formations à votre niveau.', projet: 'Cibler vos métiers.' },
    audience: { training_levels: ['cap_bep', 'bac'] },
    audience_vetted: true,
  });
  await app('mobilite', {
    name: 'Bouger pour l’emploi',
    description: 'Aides au déménagement et au transport pour une reprise d’emploi.',
    operator_name: 'Mobilité Solidaire',
    category: 'mobilite',
    scopes: ['openid', 'address', 'projet'],
    purposes: { projet: 'Savoir où vous cherchez.' },
  });
  browser = await launchBrowser();
}, TIMEOUT);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function expectGood(page: Page, what: string, _width: number) {
  const violations = await checkA11y(page);
  expect(violations, `${what}: ${JSON.stringify(violations, null, 2)}`).toEqual([]);
  const size = await page.evaluate(() => ({
    scripts: document.scripts.length,
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  expect(size.scripts, `${what}: no script`).toBe(0);
  expect(size.scrollWidth, `${what}: no sideways scrolling`).toBeLessThanOrEqual(size.clientWidth);
}

const cardTitles = (page: Page, section: string) =>
  page.locator(`section[aria-labelledby="${section}"] .store-card .card-title`).allTextContents();

for (const width of [1280, 375]) {
  describe(`the Emploi Store at ${width} px, without JavaScript`, () => {
    let context: BrowserContext;
    let page: Page;
    beforeAll(async () => {
      // Without JavaScript: every script is refused (axe itself runs through the DevTools protocol).
      context = await browser.newContext({ locale: 'fr-FR', viewport: { width, height: 800 } });
      await context.route(/\.js(\?|$)/, (route) => route.abort());
      page = await context.newPage();
    });
    afterAll(() => context?.close());

    it(
      'lists the apps, searches them and filters them by category',
      async () => {
        await page.goto(`${server.issuer}/applications`);
        await page.getByRole('heading', { level: 1, name: 'Applications partenaires' }).waitFor();
        expect(await cardTitles(page, 'catalogue-titre')).toEqual([
          'Bouger pour l’emploi',
          'Créer sa boîte',
          'Formations près de chez vous',
          'Vendeur Pro',
        ]);
        await expectGood(page, 'catalog', width);
        await screenshot(
          page,
          `store-catalog-${width}.png`,
          width === 375 ? 'store-catalog-375.png' : undefined,
        );

        await page.getByLabel('Rechercher une application').fill('creation entreprise');
        await page.getByRole('button', { name: 'Rechercher' }).click();
        await page.waitForURL(/q=creation/);
        expect(await cardTitles(page, 'catalogue-titre')).toEqual(['Créer sa boîte']);
        await expectGood(page, 'search results', width);

        await page.goto(`${server.issuer}/applications`);
        await page
          .getByRole('navigation', { name: 'Catégories' })
          .getByRole('link', { name: /Mobilité/ })
          .click();
        await page.waitForURL(/categorie=mobilite/);
        expect(await cardTitles(page, 'catalogue-titre')).toEqual(['Bouger pour l’emploi']);
        expect(await page.getByRole('link', { name: /Mobilité/ }).getAttribute('aria-current')).toBe('page');
        await expectGood(page, 'category filter', width);
      },
      TIMEOUT,
    );

    it(
      'has a page per app with what it may ask and why',
      async () => {
        await page.goto(`${server.issuer}/applications`);
        await page.getByRole('link', { name: 'Voir la fiche de Vendeur Pro' }).click();
        await page.waitForURL(`${server.issuer}/applications/${ids.vente}`);
        await page.getByRole('heading', { level: 1, name: 'Vendeur Pro' }).waitFor();
        expect(await page.getByText('Pourquoi : Chercher des offres pour vos métiers.').isVisible()).toBe(
          true,
        );
        expect(
          await page.getByRole('link', { name: 'Se connecter à Vendeur Pro' }).getAttribute('href'),
        ).toBe(`${APP_ORIGIN}/vente`);
        await expectGood(page, 'app page', width);
        await screenshot(page, `store-app-${width}.png`, width === 1280 ? 'store-app.png' : undefined);
      },
      TIMEOUT,
    );

    it(
      'recommends apps to a signed-in jobseeker, says why, and lets them hide one or switch all off',
      async () => {
        const jobseeker = await createJobseeker(server);
        await page.goto(`${server.issuer}/account/login?retour=/account/recommandations`);
        await page.getByLabel('Identifiant').fill(jobseeker.login);
        await page.getByLabel('Mot de passe').fill(jobseeker.password);
        await page.getByRole('button', { name: 'Se connecter' }).click();
        await page.waitForURL(`${server.issuer}/account/recommandations`);
        await page.getByRole('heading', { level: 1, name: 'Applications recommandées pour vous' }).waitFor();
        expect(await cardTitles(page, 'recommandations-titre')).toEqual(['Vendeur Pro', 'Créer sa boîte']);
        const vente = page.locator('article', { has: page.getByRole('heading', { name: 'Vendeur Pro' }) });
        expect(await vente.getByRole('listitem').allTextContents()).toEqual([
          'Parce que vous recherchez un emploi « Vente en alimentation » (D1106)',
          'Parce que vous cherchez un emploi dans la région Auvergne-Rhône-Alpes',
        ]);
        await expectGood(page, 'recommendations', width);
        await screenshot(
          page,
          `store-recommendations-${width}.png`,
          width === 1280 ? 'store-recommendations.png' : undefined,
        );

        await page.getByRole('button', { name: 'Ne plus me recommander Créer sa boîte' }).click();
        await page.getByRole('status').getByText('cette application ne vous sera plus recommandée').waitFor();
        expect(await cardTitles(page, 'recommandations-titre')).toEqual(['Vendeur Pro']);
        await page
          .getByRole('button', { name: 'Proposer à nouveau les application masquée' })
          .or(page.getByRole('button', { name: 'Proposer à nouveau l’application masquée' }))
          .click();
        await page.getByRole('status').getByText('peuvent à nouveau vous être recommandées').waitFor();
        expect(await cardTitles(page, 'recommandations-titre')).toEqual(['Vendeur Pro', 'Créer sa boîte']);

        await page.getByRole('button', { name: 'Ne plus me faire de recommandations' }).click();
        await page.getByRole('status').getByText('plus aucune application ne vous est recommandée').waitFor();
        expect(await cardTitles(page, 'recommandations-titre')).toEqual([]);
        await expectGood(page, 'recommendations off', width);
        await screenshot(page, `store-recommendations-off-${width}.png`);
        await page.goto(`${server.issuer}/applications`);
        expect(await page.getByText('Vous avez désactivé les recommandations').isVisible()).toBe(true);
        await page.getByRole('button', { name: 'Réactiver les recommandations' }).click();
        await page.waitForURL(/\/applications\?ok=on/);
        expect(await cardTitles(page, 'recommandations-titre')).toEqual(['Vendeur Pro', 'Créer sa boîte']);
        await expectGood(page, 'catalog with recommendations', width);
        await screenshot(
          page,
          `store-catalog-signed-in-${width}.png`,
          width === 1280 ? 'store-catalog.png' : undefined,
        );
      },
      TIMEOUT,
    );

    it(
      'pages the recommendations with a pager of plain links that says which page is shown',
      async () => {
        const extra: string[] = [];
        for (let i = 0; i < 10; i++) {
          const created = await createClient(server, {
            name: `Pour la catégorie A ${width} ${String(i).padStart(2, '0')}`,
            redirect_uris: [`${APP_ORIGIN}/cb-page-${width}-${i}`],
            audience: { statuses: ['A'] },
            audience_vetted: true,
          });
          extra.push(created.client_id);
        }
        const own = await browser.newContext({ locale: 'fr-FR', viewport: { width, height: 800 } });
        await own.route(/\.js(\?|$)/, (route) => route.abort());
        const tab = await own.newPage();
        try {
          const jobseeker = await createJobseeker(server);
          await tab.goto(`${server.issuer}/account/login?retour=/account/recommandations`);
          await tab.getByLabel('Identifiant').fill(jobseeker.login);
          await tab.getByLabel('Mot de passe').fill(jobseeker.password);
          await tab.getByRole('button', { name: 'Se connecter' }).click();
          await tab.waitForURL(`${server.issuer}/account/recommandations`);
          const pager = tab.getByRole('navigation', { name: 'Pages des applications recommandées' });
          expect(await cardTitles(tab, 'recommandations-titre')).toHaveLength(10);
          expect(
            await pager.getByRole('link', { name: 'Page 1', exact: true }).getAttribute('aria-current'),
          ).toBe('page');
          await expectGood(tab, 'recommendations, page 1', width);
          await pager.getByRole('link', { name: 'Page suivante' }).click();
          await tab.waitForURL(/\/account\/recommandations\?page=2/);
          expect((await cardTitles(tab, 'recommandations-titre')).length).toBeGreaterThanOrEqual(2);
          expect(
            await pager.getByRole('link', { name: 'Page 2', exact: true }).getAttribute('aria-current'),
          ).toBe('page');
          expect(
            await pager.getByRole('link', { name: 'Page 1', exact: true }).getAttribute('aria-current'),
          ).toBeNull();
          await expectGood(tab, 'recommendations, page 2', width);
          await screenshot(tab, `store-recommendations-page-2-${width}.png`);
        } finally {
          await own.close();
          await server.pool.query("UPDATE clients SET status = 'suspended' WHERE id = ANY($1)", [extra]);
        }
      },
      TIMEOUT,
    );

    it(
      'lets an admin vet an app’s declared audience on its « Fiche catalogue »',
      async () => {
        await page.goto(`${server.issuer}/admin/login`);
        await page.getByLabel('Adresse e-mail').fill(ADMIN_EMAIL);
        await page.getByLabel('Mot de passe').fill(ADMIN_PASSWORD);
        await page.getByRole('button', { name: 'Continuer' }).click();
        await page.waitForURL(`${server.issuer}/admin`);
        await page.goto(`${server.issuer}/admin/clients/${ids.mobilite}`);
        await page.getByRole('link', { name: /Fiche catalogue/ }).click();
        await page.waitForURL(`${server.issuer}/admin/clients/${ids.mobilite}/catalogue`);
        await expectGood(page, 'admin catalogue page', width);
        await page.getByRole('group', { name: 'Types de contrat acceptés' }).getByLabel('Intérim').check();
        await page.getByLabel('J’ai vérifié ce public').check();
        await page.getByRole('button', { name: 'Enregistrer la fiche catalogue' }).click();
        await page.getByText('La fiche catalogue est enregistrée.').waitFor();
        expect(
          await page
            .getByText('Vérifié par un administrateur : utilisé pour les recommandations.')
            .isVisible(),
        ).toBe(true);
        await expectGood(page, 'admin catalogue page saved', width);
        await screenshot(
          page,
          `admin-client-store-${width}.png`,
          width === 1280 ? 'admin-client-store.png' : undefined,
        );
      },
      TIMEOUT,
    );
  });
}

// The jobseeker's space (/account) in a real browser, end to end with the demo app: consent in the
// demo → the consent card with its fields and read statistics → untick a field (the demo then reads
// less) → revoke with confirmation (the demo's tokens stop working) → who read my data → the export.
// Every dashboard page is checked with axe (WCAG 2.1 A and AA) and screenshotted. Each test sets up
// the steps before its own (through the same pages) in a fresh browser profile, so that it runs alone.
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureAccessLogPartitions, insertAccessLogEntries } from '../../src/api/access-log-queries.ts';
import {
  expectAccessible as axeCheck,
  type BrowserTab,
  launchBrowser,
  openTab,
  screenshot as shoot,
} from '../support/browser.ts';
import { tickFields } from '../support/consent-page.ts';
import { registeredDemo } from '../support/demo-app.ts';
import { createJobseeker } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

const TIMEOUT = 60_000;
const APP_NAME = 'CV Express (démo)';
const DATA_SCOPES = ['statut', 'competences', 'langues', 'permis', 'formations', 'experiences', 'projet'];

type Competence = { code: string; libelle: string; niveau: string | null };

// One provider and one demo app for the file; each test has its own jobseeker and its own browser
// profile (the demo app and the dashboard side by side, as a jobseeker would use them), and sets up
// the consent it needs.
let server: TestServer;
let demo: { close(): Promise<void> } | undefined;
let demoUrl: string;
let clientId: string;
let browser: Browser;
let tab: BrowserTab;
let page: Page;
let jobseeker: Awaited<ReturnType<typeof createJobseeker>>;
let competences: Competence[];

beforeAll(async () => {
  server = await startTestServer();
  const started = await registeredDemo(server, APP_NAME);
  demo = started;
  demoUrl = started.url;
  clientId = started.client.client_id;
  browser = await launchBrowser();
}, TIMEOUT);

afterAll(async () => {
  await browser?.close();
  await demo?.close();
  await server?.close();
});

beforeEach(async () => {
  jobseeker = await createJobseeker(server);
  competences = (jobseeker.data as { competences: Competence[] }).competences;
  tab = await openTab(browser);
  page = tab.page;
}, TIMEOUT);

afterEach(async () => {
  try {
    expect(tab.cspViolations).toEqual([]);
  } finally {
    await tab.close();
  }
});

const screenshot = (name: string, forDocs = false) => shoot(page, name, forDocs ? name : undefined);
const expectAccessible = (what: string) => axeCheck(page, what);

/** Signs in through the demo app and consents to competences (name, level) and statut. */
async function consentInDemo() {
  await page.goto(`${demoUrl}/`);
  await page.getByRole('link', { name: 'Se connecter avec Pôle emploi Connect' }).click();
  await page.waitForURL(`${server.issuer}/interaction/**`);
  await page.locator('input[name="login"]').fill(jobseeker.login);
  await page.locator('input[name="password"]').fill(jobseeker.password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.getByRole('button', { name: 'Autoriser' }).waitFor();
  await tickFields(page, {
    competences: ['Nom de la compétence', 'Niveau de maîtrise'],
    statut: ['Votre situation'],
  });
  await page.getByRole('button', { name: 'Autoriser', exact: true }).click();
  await page.waitForURL(`${demoUrl}/callback**`);
  await page.getByRole('heading', { level: 1, name: 'Voici exactement les données reçues' }).waitFor();
}

/** Unticks « Niveau de maîtrise » on the consent card and saves. */
async function narrowLevel() {
  await page.goto(`${server.issuer}/account/consents`);
  await card().getByLabel('Niveau de maîtrise', { exact: true }).uncheck();
  await card().getByRole('button', { name: 'Enregistrer', exact: true }).click();
  await page.waitForURL(`${server.issuer}/account/consents?ok=narrowed**`);
}

/** The demo app reads every scope again. */
async function demoReads() {
  await page.goto(`${demoUrl}/donnees`);
  await page.getByRole('heading', { level: 1, name: 'Voici exactement les données reçues' }).waitFor();
}

async function renew() {
  await page.goto(`${server.issuer}/account/consents`);
  await card().getByRole('button', { name: 'Prolonger mon accord' }).click();
  await page.waitForURL(`${server.issuer}/account/consents?ok=renewed**`);
}

async function revoke() {
  await page.goto(`${server.issuer}/account/consents`);
  await card().getByRole('button', { name: 'Révoquer', exact: true }).click();
  await page.getByRole('button', { name: 'Confirmer', exact: true }).click();
  await page.waitForURL(`${server.issuer}/account/consents?ok=revoked`);
}

/** 60 reads of langues 40 days ago and before: past the first page of 50 of the access log. */
async function olderReads() {
  const old = Date.now() - 40 * 86_400_000;
  // Their months' partitions (a new database has the current month onwards: migration 082).
  await ensureAccessLogPartitions(server.pool, 0, 3);
  await insertAccessLogEntries(
    server.pool,
    Array.from({ length: 60 }, (_, i) => ({
      jobseekerId: jobseeker.id,
      clientId,
      scope: 'langues',
      fields: ['code', 'libelle'],
      readAt: new Date(old - i * 60_000),
    })),
  );
}

/** Signs in to the jobseeker's space on its own login page. */
async function signIn() {
  await page.goto(`${server.issuer}/account`);
  await page.getByLabel('Identifiant', { exact: true }).fill(jobseeker.login);
  await page.getByLabel('Mot de passe', { exact: true }).fill(jobseeker.password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForURL(`${server.issuer}/account/consents`);
}

/** The JSON the demo received for one data scope, with its HTTP status. */
async function apiResult(scope: string) {
  const section = page.locator('section.api-result', { has: page.locator(`#scope-${scope}`) });
  const status = Number(await section.locator('p.small strong').textContent());
  return { status, body: JSON.parse((await section.locator('pre').textContent()) as string) };
}

const card = (): Locator =>
  page.locator('section.consent-card', { has: page.getByRole('heading', { level: 2, name: APP_NAME }) });

const checkedFields = () =>
  card()
    .locator('input[type="checkbox"][name="fields"]:checked')
    .evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value).sort());

/** Loads the consents page and presses Tab until the button with this exact text has the focus; returns how its focus looks. */
async function tabTo(text: string) {
  await page.goto(`${server.issuer}/account/consents`); // Tab from the top of a freshly loaded page
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      const style = getComputedStyle(el);
      const box = el.getBoundingClientRect();
      return {
        tag: el.tagName,
        text: el.textContent?.trim(),
        outlineStyle: style.outlineStyle,
        outlineWidth: Number.parseFloat(style.outlineWidth),
        visible: box.width > 0 && box.height > 0,
      };
    });
    if (focused.tag === 'BUTTON' && focused.text === text) return focused;
  }
  throw new Error(`« ${text} » is not reachable with Tab`);
}

describe('the jobseeker’s space in a real browser', () => {
  it(
    'starts with a consent given to the demo app, which reads the ticked fields',
    async () => {
      await consentInDemo();

      expect(await apiResult('competences')).toEqual({
        status: 200,
        body: competences.map(({ code, libelle, niveau }) => ({ code, libelle, niveau })),
      });
      expect((await apiResult('statut')).status).toBe(200);
    },
    TIMEOUT,
  );

  it(
    'is open after the app’s flow, asks to log in after a logout, then shows the consent card',
    async () => {
      await consentInDemo();
      // One sign-in: the login during the demo app's flow opened the jobseeker's space too.
      await page.goto(`${server.issuer}/account`);
      await page.waitForURL(`${server.issuer}/account/consents`);
      await page.getByRole('heading', { level: 1, name: 'Mes autorisations' }).waitFor();
      await page.getByRole('button', { name: 'Se déconnecter' }).click();
      await page.waitForURL(`${server.issuer}/account/login?deconnecte=1`);

      await page.goto(`${server.issuer}/account`);
      await page.waitForURL(`${server.issuer}/account/login?retour=**`);
      await page
        .getByRole('heading', { level: 1, name: 'Connectez-vous à votre espace Pôle emploi Connect' })
        .waitFor();
      await screenshot('dashboard-login.png');
      await expectAccessible('login page');

      // A wrong password: an alert, the inputs marked invalid, and still on the login page.
      await page.getByLabel('Identifiant', { exact: true }).fill(jobseeker.login);
      await page.getByLabel('Mot de passe', { exact: true }).fill('not-the-password');
      await page.getByRole('button', { name: 'Se connecter' }).click();
      await expect
        .poll(() => page.getByRole('alert').textContent())
        .toContain('Identifiant ou mot de passe incorrect');
      expect(await page.getByLabel('Mot de passe', { exact: true }).getAttribute('aria-invalid')).toBe(
        'true',
      );
      await expectAccessible('login page with an error');

      await page.getByLabel('Identifiant', { exact: true }).fill(jobseeker.login);
      await page.getByLabel('Mot de passe', { exact: true }).fill(jobseeker.password);
      await page.getByRole('button', { name: 'Se connecter' }).click();
      await page.waitForURL(`${server.issuer}/account/consents`);
      await page.getByRole('heading', { level: 1, name: 'Mes autorisations' }).waitFor();

      const nav = page.getByRole('navigation', { name: 'Mon espace' });
      expect(await nav.getByRole('link', { name: 'Mes autorisations' }).getAttribute('aria-current')).toBe(
        'page',
      );

      expect(await card().count()).toBe(1);
      // A code and its label are one checkbox, as on the consent page.
      expect(await checkedFields()).toEqual([
        'competences.libelle',
        'competences.niveau',
        'statut.libelleStatutIndividu',
      ]);
      expect(await card().getByLabel('Nom de la compétence (avec : code de la compétence)').count()).toBe(1);
      // The app's own notice is on its card.
      expect(
        await card()
          .getByRole('link', { name: /Sa politique de confidentialité/ })
          .getAttribute('href'),
      ).toBe('https://app.example.fr/confidentialite');
      expect(
        await card()
          .getByText(/Accord donné le .+, valable jusqu’au .+/)
          .count(),
      ).toBe(1);
      // The demo read each scope once when it came back from the consent.
      const competencesSet = card().locator('fieldset', {
        has: page.locator('legend', { hasText: 'Vos compétences' }),
      });
      expect(await competencesSet.locator('.reads').textContent()).toMatch(
        /^Dernière consultation : .*\d{4}.* · 1 consultation sur les 30 derniers jours$/,
      );
      expect(await page.getByText('Vous n’avez autorisé aucune application pour le moment.').count()).toBe(0);

      await screenshot('dashboard-consents.png', true);
      await expectAccessible('consents page');
    },
    TIMEOUT,
  );

  it(
    'reaches « Enregistrer » and « Révoquer » with the keyboard, with a visible focus',
    async () => {
      await consentInDemo();
      for (const name of ['Enregistrer', 'Révoquer']) {
        const focused = await tabTo(name);
        expect(focused.visible, name).toBe(true);
        expect(focused.outlineStyle, name).not.toBe('none');
        expect(focused.outlineWidth, name).toBeGreaterThanOrEqual(2);
      }
    },
    TIMEOUT,
  );

  it(
    'stops sharing an unticked field: the demo app no longer receives it',
    async () => {
      await consentInDemo();
      await narrowLevel();
      expect(await page.getByRole('status').textContent()).toContain('C’est enregistré');
      expect(await checkedFields()).toEqual(['competences.libelle', 'statut.libelleStatutIndividu']);

      await demoReads();
      expect(await apiResult('competences')).toEqual({
        status: 200,
        body: competences.map(({ code, libelle }) => ({ code, libelle })),
      });
    },
    TIMEOUT,
  );

  it(
    'shows the history of the consent, newest first, with the texts that were shown',
    async () => {
      await consentInDemo();
      await narrowLevel();
      await page.goto(`${server.issuer}/account/consents`);
      await card()
        .getByRole('link', { name: /Voir l’historique/ })
        .click();
      await page.getByRole('heading', { level: 1, name: `Historique : ${APP_NAME}` }).waitFor();
      const titles = await page.locator('ol.timeline > li h2').allTextContents();
      expect(titles).toEqual(['Accord réduit', 'Accord donné']);
      const narrowed = page.locator('ol.timeline > li').first();
      expect(await narrowed.textContent()).toContain('par vous');
      expect(await narrowed.textContent()).toContain('Niveau de maîtrise');

      const granted = page.locator('ol.timeline > li').last();
      const texts = granted.locator('details', { hasText: 'Textes qui vous ont été montrés' });
      expect(await texts.count()).toBe(1);
      await texts.locator('summary').click();
      // The texts read as they were shown, not as data.
      const shown = texts.locator('.shown-texts');
      expect(await shown.isVisible()).toBe(true);
      expect(await shown.locator('h3').allTextContents()).toEqual(
        expect.arrayContaining(['Vos compétences', 'Votre inscription à Pôle emploi']),
      );
      expect(await shown.textContent()).toContain('Nom de la compétence');
      expect(await shown.textContent()).not.toMatch(/"label"|scopes|\{/);
      expect(await texts.locator('code').textContent()).toMatch(/\S{16,}/);

      await screenshot('dashboard-history.png', true);
      await expectAccessible('history page');
    },
    TIMEOUT,
  );

  it(
    'offers to renew a consent that expires soon',
    async () => {
      await consentInDemo();
      await server.pool.query(
        "UPDATE consents SET expires_at = now() + interval '10 days' WHERE jobseeker_id = $1",
        [jobseeker.id],
      );
      await page.goto(`${server.issuer}/account/consents`);
      expect(await card().getByText('Expire bientôt', { exact: true }).isVisible()).toBe(true);
      const renew = card().getByRole('button', { name: 'Prolonger mon accord' });
      expect(await renew.count()).toBe(1);
      expect(await renew.getAttribute('class')).toBeNull(); // the main button, not a secondary one
      await screenshot('dashboard-consents-expiring.png');
      await expectAccessible('consents page with a consent expiring soon');

      await renew.click();
      await page.waitForURL(`${server.issuer}/account/consents?ok=renewed**`);
      expect(await page.getByRole('status').textContent()).toContain('votre accord est prolongé');
      expect(await card().getByText('Expire bientôt', { exact: true }).count()).toBe(0);
      expect(await card().getByRole('button', { name: 'Prolonger mon accord' }).getAttribute('class')).toBe(
        'secondary',
      );
    },
    TIMEOUT,
  );

  it(
    'offers « Retirer tous mes accords » behind one confirmation, which « Annuler » leaves untouched',
    async () => {
      await consentInDemo();
      await page.goto(`${server.issuer}/account/consents`);
      await page.getByRole('button', { name: 'Retirer tous mes accords' }).click();
      await page.getByRole('heading', { level: 1, name: 'Retirer tous vos accords ?' }).waitFor();
      expect(await page.locator('main').textContent()).toContain(APP_NAME);
      await screenshot('dashboard-revoke-all-confirm.png');
      await expectAccessible('revoke-all confirmation page');
      await page.getByRole('link', { name: 'Annuler' }).click();
      await page.getByRole('heading', { level: 1, name: 'Mes autorisations' }).waitFor();
      expect(await card().count()).toBe(1);
    },
    TIMEOUT,
  );

  it(
    'revokes after confirmation: the card moves to the past, the demo’s tokens stop working',
    async () => {
      await consentInDemo();
      await page.goto(`${server.issuer}/account/consents`);
      await card().getByRole('button', { name: 'Révoquer', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: `Retirer votre accord à ${APP_NAME} ?` }).waitFor();
      // Said honestly: what stops, what the app keeps, and whom to ask to delete it.
      const effects = (await page.locator('main').textContent()) ?? '';
      expect(effects).toContain('ne peut plus lire vos données');
      expect(effects).toContain('n’est pas effacé');
      expect(
        await page.getByRole('link', { name: 'donnees-personnelles@app.example.fr' }).getAttribute('href'),
      ).toMatch(/^mailto:donnees-personnelles@app\.example\.fr\?subject=/);
      await screenshot('dashboard-revoke-confirm.png');
      await expectAccessible('revoke confirmation page');

      // « Annuler » changes nothing.
      await page.getByRole('link', { name: 'Annuler' }).click();
      await page.getByRole('heading', { level: 1, name: 'Mes autorisations' }).waitFor();
      expect(await card().count()).toBe(1);

      await card().getByRole('button', { name: 'Révoquer', exact: true }).click();
      await page.getByRole('button', { name: 'Confirmer', exact: true }).click();
      await page.waitForURL(`${server.issuer}/account/consents?ok=revoked`);
      expect(await page.getByRole('status').textContent()).toContain('ne peut plus lire vos données');
      expect(await card().count()).toBe(0);
      expect(await page.getByText('Vous n’avez autorisé aucune application pour le moment.').count()).toBe(1);
      const past = page.getByRole('region', { name: 'Autorisations passées' });
      const item = past.locator('li', { hasText: APP_NAME });
      expect(await item.count()).toBe(1);
      expect(await item.textContent()).toMatch(/Retirée depuis le /);
      await screenshot('dashboard-consents-after-revoke.png');
      await expectAccessible('consents page after revocation');

      await demoReads();
      for (const scope of DATA_SCOPES) expect((await apiResult(scope)).status, scope).toBe(401);

      await page.goto(`${demoUrl}/rafraichir`);
      expect(await page.getByRole('alert').textContent()).toContain('invalid_grant');
    },
    TIMEOUT,
  );

  it(
    'lists who read the data',
    async () => {
      // Read at the consent, then once narrowed.
      await consentInDemo();
      await narrowLevel();
      await demoReads();
      await page.goto(`${server.issuer}/account/consents`);
      await page
        .getByRole('navigation', { name: 'Mon espace' })
        .getByRole('link', { name: 'Qui a consulté mes données' })
        .click();
      await page.getByRole('heading', { level: 1, name: 'Qui a consulté mes données' }).waitFor();
      const headers = await page.locator('table thead th[scope="col"]').allTextContents();
      expect(headers).toEqual(['Date', 'Application', 'Catégorie', 'Données transmises']);
      const rows = await page
        .locator('table tbody tr')
        .evaluateAll((trs) =>
          trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
        );
      const competencesReads = rows.filter(
        ([, app, scope]) => app === APP_NAME && scope === 'Vos compétences',
      );
      // Read at the consent (code, libelle, niveau), then once narrowed (code, libelle): newest first.
      expect(competencesReads.map((r) => r[3])).toEqual([
        'Code de la compétence, Nom de la compétence',
        'Code de la compétence, Nom de la compétence, Niveau de maîtrise',
      ]);
      expect(await page.getByRole('link', { name: 'Consultations plus anciennes' }).count()).toBe(0);

      await screenshot('dashboard-access-log.png', true);
      await expectAccessible('access log page');

      // Older reads, past the first page of 50: the page links to them, and back.
      await olderReads();
      await page.reload();
      expect(await page.locator('table tbody tr').count()).toBe(50);
      expect(await page.getByRole('link', { name: 'Revenir aux plus récentes' }).count()).toBe(0);
      await page.getByRole('link', { name: 'Consultations plus anciennes' }).click();
      await page.waitForURL(`${server.issuer}/account/access-log?avant=**`);
      expect(await page.locator('table tbody tr').count()).toBe(4 + 60 - 50);
      expect(await page.locator('table tbody tr').last().textContent()).toContain(
        'Les langues que vous parlez',
      );
      expect(await page.getByRole('link', { name: 'Consultations plus anciennes' }).count()).toBe(0);
      await expectAccessible('access log, older page');
      await page.getByRole('link', { name: 'Revenir aux plus récentes' }).click();
      await page.waitForURL(`${server.issuer}/account/access-log`);
    },
    TIMEOUT,
  );

  it(
    'shows « Mes données » as a readable, printable page in French',
    async () => {
      await signIn();
      await page
        .getByRole('navigation', { name: 'Mon espace' })
        .getByRole('link', { name: 'Mes données', exact: true })
        .click();
      await page.getByRole('heading', { level: 1, name: 'Mes données' }).waitFor();
      const text = (await page.locator('main').textContent()) ?? '';
      for (const expected of ['Votre identité', 'Date de naissance', 'Accueillir une clientèle', 'Expert'])
        expect(text, expected).toContain(expected);
      for (const raw of ['given_name', 'savoir_faire', '"code"']) expect(text, raw).not.toContain(raw);
      await screenshot('dashboard-my-data.png', true);
      await expectAccessible('my data page');
      // Printed, only the content remains.
      await page.emulateMedia({ media: 'print' });
      expect(await page.locator('.site-header').isVisible()).toBe(false);
      expect(await page.locator('.account-bar').isVisible()).toBe(false);
      expect(await page.getByRole('heading', { level: 2, name: 'Vos compétences' }).isVisible()).toBe(true);
      await page.emulateMedia({ media: 'screen' });
    },
    TIMEOUT,
  );

  it(
    'reads well on a phone: no page of the space scrolls sideways, and each is accessible',
    async () => {
      await consentInDemo(); // the access log has rows
      await page.setViewportSize({ width: 375, height: 800 });
      try {
        for (const path of ['/account/consents', '/account/access-log', '/account/mes-donnees']) {
          await page.goto(`${server.issuer}${path}`);
          const size = await page.evaluate(() => ({
            scrollWidth: document.documentElement.scrollWidth,
            clientWidth: document.documentElement.clientWidth,
          }));
          expect(size.scrollWidth, path).toBeLessThanOrEqual(size.clientWidth);
          await expectAccessible(`${path} at 375 px`);
          await screenshot(`dashboard-${path.split('/').pop()}-375.png`);
        }
        // On the access log, the date and the data read are on screen, each with its column's name.
        await page.goto(`${server.issuer}/account/access-log`);
        const first = page.locator('table tbody tr').first();
        for (const cell of await first.locator('td').all()) expect(await cell.isVisible()).toBe(true);
        const before = await first
          .locator('td')
          .first()
          .evaluate((td) => getComputedStyle(td, '::before').content);
        expect(before).toBe('"Date"');
      } finally {
        await page.setViewportSize({ width: 1024, height: 768 });
      }
    },
    TIMEOUT,
  );

  it(
    'exports everything held about the jobseeker as JSON',
    async () => {
      // A consent's whole life: given, narrowed, read again, extended, revoked; and older reads.
      await consentInDemo();
      await narrowLevel();
      await demoReads();
      await renew();
      await revoke();
      await olderReads();
      await page.goto(`${server.issuer}/account/mes-donnees`);
      const link = page.getByRole('link', { name: 'Télécharger mes données (fichier JSON)' });
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
      expect(download.suggestedFilename()).toBe('mes-donnees-pole-emploi-connect.json');
      const file = await download.path();
      const { readFile } = await import('node:fs/promises');
      const exported = JSON.parse(await readFile(file, 'utf8'));

      expect(exported.profile.login).toBe(jobseeker.login);
      expect(exported.consents).toHaveLength(1);
      expect(exported.consents[0]).toMatchObject({ status: 'revoked', client: { name: APP_NAME } });
      expect(exported.consent_events.map((e: { kind: string }) => e.kind)).toEqual([
        'granted',
        'narrowed',
        'extended',
        'revoked',
      ]);
      expect(exported.access_log.length).toBe(4 + 60);
      expect(exported.access_log.some((r: { scope: string }) => r.scope === 'competences')).toBe(true);
    },
    TIMEOUT,
  );

  it(
    'logs out, and then asks to log in again',
    async () => {
      await signIn();
      await page.getByRole('button', { name: 'Se déconnecter' }).click();
      await page.waitForURL(`${server.issuer}/account/login?deconnecte=1`);
      expect(await page.getByRole('status').textContent()).toContain('Vous êtes déconnecté.');
      await page.goto(`${server.issuer}/account/access-log`);
      await page.waitForURL(`${server.issuer}/account/login?retour=%2Faccount%2Faccess-log`);
      expect(tab.cspViolations).toEqual([]);
    },
    TIMEOUT,
  );
});

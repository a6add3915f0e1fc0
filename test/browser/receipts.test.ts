// The receipt pages in a real browser, checked with axe (WCAG 2.1 A and AA): the printable receipt
// of a consent event, and the public verification page with a genuine and a modified receipt — usable
// without JavaScript (plain links and a plain form).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize, discover } from '../support/authorize.ts';
import { type BrowserTab, expectAccessible, launchBrowser, openTab } from '../support/browser.ts';
import { createClient, createJobseeker } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

const TIMEOUT = 60_000;
let server: TestServer;
let browser: Browser;
let tab: BrowserTab;
let page: Page;

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
  tab = await openTab(browser);
  page = tab.page;
}, TIMEOUT);
afterAll(async () => {
  await tab?.close();
  await browser?.close();
  await server?.close();
});

describe('receipt pages', () => {
  it(
    'shows a printable receipt and verifies it on the public page, refusing a modified one',
    async () => {
      const jobseeker = await createJobseeker(server);
      const client = await createClient(server, { name: 'Mon CV', scopes: ['openid', 'competences'] });
      const config = await discover(server.issuer, client.client_id, client.client_secret);
      await authorize({
        config,
        redirectUri: client.redirectUri,
        scope: 'openid competences',
        login: jobseeker,
        fields: ['competences.code'],
      });
      await page.goto(`${server.issuer}/account`);
      await page.getByLabel('Identifiant', { exact: true }).fill(jobseeker.login);
      await page.getByLabel('Mot de passe', { exact: true }).fill(jobseeker.password);
      await page.getByRole('button', { name: 'Se connecter' }).click();
      await page.waitForURL(`${server.issuer}/account/consents`);
      await page.getByRole('link', { name: /Voir l’historique/ }).click();
      await page.getByRole('link', { name: /^Reçu signé/ }).click();
      await page.getByRole('heading', { level: 1, name: 'Reçu : Accord donné' }).waitFor();
      expect(await page.getByText('Mon CV').count()).toBeGreaterThan(0);
      await expectAccessible(page, 'printable receipt');
      const jws = ((await page.locator('pre.receipt-jws').textContent()) ?? '').trim();
      expect(jws.split('.')).toHaveLength(3);

      await page.goto(`${server.issuer}/recus/verifier`);
      await expectAccessible(page, 'verification page');
      await page.getByLabel('Contenu du reçu').fill(jws);
      await page.getByRole('button', { name: 'Vérifier' }).click();
      await page.getByText('Ce reçu est authentique.').waitFor();
      await expectAccessible(page, 'verification page, genuine receipt');

      const [h, p, s] = jws.split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
      claims.consent_receipt.piiControllers[0].name = 'Quelqu’un d’autre';
      await page
        .getByLabel('Contenu du reçu')
        .fill(`${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`);
      await page.getByRole('button', { name: 'Vérifier' }).click();
      await page.getByText('Ce reçu n’est pas valide').waitFor();
      expect(await page.getByRole('alert').textContent()).toContain('il a été modifié');
      await expectAccessible(page, 'verification page, modified receipt');
    },
    TIMEOUT,
  );
});

// « Ce que vous partagez encore » in /account, in a real browser (axe-checked): the summary of which
// apps hold which fields shows once 90 days have passed, each field with a one-click « Ne plus
// partager » that takes back that field only; « C’est noté » hides it; a consent coming within 30
// days of its expiry brings it back, saying which one.
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

describe('« Ce que vous partagez encore »', () => {
  it(
    'summarises what each app holds after 90 days, narrows in one click, and comes back before an expiry',
    async () => {
      const jobseeker = await createJobseeker(server);
      const apps = [];
      for (const name of ['Appli Alpha', 'Appli Bêta']) {
        const client = await createClient(server, { name, scopes: ['openid', 'profile', 'competences'] });
        const config = await discover(server.issuer, client.client_id, client.client_secret);
        await authorize({
          config,
          redirectUri: client.redirectUri,
          scope: 'openid profile competences',
          login: jobseeker,
          fields: ['profile.given_name', 'competences.libelle'],
        });
        apps.push(client);
      }
      const consentOf = async (clientId: string) =>
        (
          await server.pool.query(
            'SELECT id, fields FROM consents WHERE jobseeker_id = $1 AND client_id = $2',
            [jobseeker.id, clientId],
          )
        ).rows[0] as { id: string; fields: string[] };
      const summary = page.locator('section.still-sharing');

      await page.goto(`${server.issuer}/account`);
      await page.getByLabel('Identifiant', { exact: true }).fill(jobseeker.login);
      await page.getByLabel('Mot de passe', { exact: true }).fill(jobseeker.password);
      await page.getByRole('button', { name: 'Se connecter' }).click();
      await page.waitForURL(`${server.issuer}/account/consents`);
      // Fresh consents: nothing to remind.
      expect(await summary.count()).toBe(0);

      await server.pool.query(
        "UPDATE consents SET granted_at = now() - interval '100 days' WHERE jobseeker_id = $1",
        [jobseeker.id],
      );
      await page.reload();
      await summary.waitFor();
      expect(await summary.getByRole('heading', { level: 3 }).allTextContents()).toEqual(
        expect.arrayContaining(['Appli Alpha', 'Appli Bêta']),
      );
      await expectAccessible(page, 'summary');

      // One click: Alpha stops receiving the first name, and keeps the rest.
      await summary.getByRole('button', { name: /Ne plus partager : Prénom avec Appli Alpha/ }).click();
      await page.waitForURL(/ok=narrowed/);
      const alpha = await consentOf(apps[0]?.client_id as string);
      expect(alpha.fields).not.toContain('profile.given_name');
      expect(alpha.fields).toContain('competences.libelle');
      expect((await consentOf(apps[1]?.client_id as string)).fields).toContain('profile.given_name');

      await page.getByRole('button', { name: 'C’est noté' }).click();
      await page.waitForURL(/ok=reviewed/);
      expect(await summary.count()).toBe(0);

      // Two weeks later, Bêta's consent is within 30 days of its expiry (the window opened after the
      // review): the summary is back, naming it.
      await server.pool.query(
        "UPDATE sharing_reviews SET reviewed_at = now() - interval '15 days' WHERE jobseeker_id = $1",
        [jobseeker.id],
      );
      await server.pool.query("UPDATE consents SET expires_at = now() + interval '20 days' WHERE id = $1", [
        (await consentOf(apps[1]?.client_id as string)).id,
      ]);
      await page.goto(`${server.issuer}/account/consents`);
      await summary.waitFor();
      const said = ((await summary.textContent()) ?? '').replace(/\s+/g, ' ');
      expect(said).toMatch(/Appli Bêta Cet accord arrive à échéance le /);
      expect(said).not.toMatch(/Appli Alpha Cet accord arrive/);
      await expectAccessible(page, 'summary before an expiry');
    },
    TIMEOUT,
  );
});

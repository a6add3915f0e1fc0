// « Données supprimées » in the jobseeker's history, in a real browser (axe-checked): for each
// withdrawal, the history says whether the app was asked to delete what it received (a signed event
// it got, src/ssf/) and whether it confirmed. Three apps: one with a stream that confirms the
// deletion (POST /ssf/deletion-confirmations with the SET's jti), one with a stream that does not,
// one with no stream at all. The first consent is revoked through the pages themselves.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize, discover } from '../support/authorize.ts';
import { checkA11y, launchBrowser } from '../support/browser.ts';
import { eventually } from '../support/eventually.ts';
import { createClient, createJobseeker } from '../support/factories.ts';
import { exchange } from '../support/grant.ts';
import { type SetReceiver, startSetReceiver } from '../support/set-receiver.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

const TIMEOUT = 60_000;
const SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
const TOKEN_CLAIMS_CHANGE = 'https://schemas.openid.net/secevent/caep/event-type/token-claims-change';

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const receivers: SetReceiver[] = [];

beforeAll(async () => {
  server = await startTestServer({ SSF_DELIVERY_INTERVAL_MS: '100' });
  browser = await launchBrowser();
  context = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1024, height: 768 } });
  page = await context.newPage();
}, TIMEOUT);
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await Promise.all(receivers.map((r) => r.close()));
  await server?.close();
});

const basic = (c: { client_id: string; client_secret: string }) =>
  `Basic ${Buffer.from(`${c.client_id}:${c.client_secret}`).toString('base64')}`;

async function app(name: string, withStream: boolean) {
  const client = await createClient(server, { name, scopes: ['openid', 'profile', 'competences'] });
  if (!withStream) return { client, receiver: undefined };
  const receiver = await startSetReceiver({ issuer: server.issuer, audience: client.client_id });
  receivers.push(receiver);
  const response = await fetch(`${server.issuer}/ssf/streams`, {
    method: 'POST',
    headers: { authorization: basic(client), 'content-type': 'application/json' },
    body: JSON.stringify({
      delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: receiver.url },
      events_requested: [SESSION_REVOKED, TOKEN_CLAIMS_CHANGE],
    }),
  });
  expect(response.status).toBe(201);
  return { client, receiver };
}

describe('the history of a withdrawal says whether the app deleted the data', () => {
  it(
    'shows « envoyée le … » and « confirmée le … », « non confirmée », or that the app is not told',
    async () => {
      const jobseeker = await createJobseeker(server);
      const confirming = await app('Appli qui confirme', true);
      const silent = await app('Appli silencieuse', true);
      const unlinked = await app('Appli sans flux', false);
      const consentIds: Record<string, string> = {};
      for (const a of [confirming, silent, unlinked]) {
        const config = await discover(server.issuer, a.client.client_id, a.client.client_secret);
        const flow = await authorize({
          config,
          redirectUri: a.client.redirectUri,
          scope: 'openid profile competences',
          login: jobseeker,
          fields: ['profile.given_name', 'competences.code'],
        });
        await exchange(server, config, flow);
        const { rows } = await server.pool.query(
          'SELECT id FROM consents WHERE jobseeker_id = $1 AND client_id = $2',
          [jobseeker.id, a.client.client_id],
        );
        consentIds[a.client.client_id] = rows[0].id;
      }

      // The jobseeker revokes the first app's consent in the browser.
      await page.goto(`${server.issuer}/account`);
      await page.getByLabel('Identifiant', { exact: true }).fill(jobseeker.login);
      await page.getByLabel('Mot de passe', { exact: true }).fill(jobseeker.password);
      await page.getByRole('button', { name: 'Se connecter' }).click();
      await page.waitForURL(`${server.issuer}/account/consents`);
      const firstCard = page.locator(`#autorisation-${consentIds[confirming.client.client_id]}`);
      await firstCard.getByRole('button', { name: 'Révoquer' }).click();
      await page.getByRole('button', { name: 'Confirmer' }).click();
      await page.waitForURL(/ok=revoked/);
      // The others through the same service the pages use.
      for (const a of [silent, unlinked]) {
        await server.app.services.consentChanges.revoke(
          jobseeker.id,
          consentIds[a.client.client_id] as string,
        );
      }

      // The first app gets its SET and confirms the deletion, naming its jti.
      const [set] = await (confirming.receiver as SetReceiver).waitFor(1);
      const confirmation = await fetch(`${server.issuer}/ssf/deletion-confirmations`, {
        method: 'POST',
        headers: { authorization: basic(confirming.client), 'content-type': 'application/json' },
        body: JSON.stringify({ jti: set?.jti }),
      });
      expect(confirmation.status).toBe(200);
      expect(await confirmation.json()).toMatchObject({ jti: set?.jti, txn: set?.payload.txn });
      await (silent.receiver as SetReceiver).waitFor(1);
      // Delivered means settled on our side too (the 202 is in).
      await eventually(async () => {
        const { rows } = await server.pool.query(
          "SELECT count(*)::int AS n FROM ssf_outbox WHERE state = 'pending' AND client_id = ANY($1)",
          [[confirming.client.client_id, silent.client.client_id]],
        );
        expect(rows[0].n).toBe(0);
      });

      const historyOf = async (clientId: string) => {
        await page.goto(`${server.issuer}/account/consents/${consentIds[clientId]}/history`);
        const withdrawal = page.locator('li.event-revoked');
        await withdrawal.waitFor();
        const violations = await checkA11y(page);
        expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
        return ((await withdrawal.textContent()) ?? '').replace(/\s+/g, ' ');
      };
      const confirmed = await historyOf(confirming.client.client_id);
      expect(confirmed).toMatch(/Demande de suppression envoyée le \d{1,2} \S+ \d{4} à \d{2}:\d{2}\./);
      expect(confirmed).toMatch(
        /Suppression confirmée par l’application le \d{1,2} \S+ \d{4} à \d{2}:\d{2}\./,
      );
      const unconfirmed = await historyOf(silent.client.client_id);
      expect(unconfirmed).toMatch(/Demande de suppression envoyée le /);
      expect(unconfirmed).toContain('Suppression non confirmée par l’application.');
      const notTold = await historyOf(unlinked.client.client_id);
      expect(notTold).toContain('L’application n’est pas prévenue automatiquement');
      expect(notTold).not.toContain('Demande de suppression envoyée');
      // The grant itself asked for no deletion.
      expect(await page.locator('li.event-granted .event-deletion').count()).toBe(0);
    },
    TIMEOUT,
  );
});

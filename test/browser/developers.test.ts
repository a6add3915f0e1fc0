// /developpeurs, the developer quick start, in a real browser: a page without any script, accessible
// at 1280 and 375 px, no horizontal scroll on a phone, its scopes table derived from the catalog, its
// configurations exactly the quick-start files the interop suite runs, demo credentials outside
// production only.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLACEHOLDERS } from '../../src/developers/quickstart-model.ts';
import {
  fillSnippet,
  readSnippet,
  SNIPPETS,
  type SnippetId,
} from '../../src/developers/quickstart-snippets.ts';
import { checkA11y, launchBrowser } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

const SCREENSHOTS = path.resolve('artifacts/screenshots');

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function open(width: number) {
  const context = await browser.newContext({
    locale: 'fr-FR',

    viewport: { width, height: 900 },
  });
  const page = await context.newPage();
  const response = await page.goto(`${server.issuer}/developpeurs`);
  return { page, context, response };
}

describe('/developpeurs', () => {
  for (const width of [1280, 375]) {
    it(`is accessible and fits the screen at ${width} px, with no script`, async () => {
      const { page, context, response } = await open(width);
      expect(response?.status()).toBe(200);
      expect(await page.locator('script').count()).toBe(0);
      await page.screenshot({ path: path.join(SCREENSHOTS, `developers-${width}.png`), fullPage: true });
      expect(await checkA11y(page)).toEqual([]);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await context.close();
    });
  }

  it('shows the quick-start files the interop suite runs, with this provider filled in', async () => {
    const { page, context } = await open(1280);
    for (const id of Object.keys(SNIPPETS) as SnippetId[]) {
      const shown = await page.locator(`section[aria-labelledby="config-${id}"] pre`).textContent();
      expect(shown).toBe(
        fillSnippet(readSnippet(path.resolve('docs'), id), { ISSUER: server.issuer, ...PLACEHOLDERS }),
      );
    }
    await context.close();
  });

  it('lists every scope of the catalog with its fields, and marks the high-assurance ones', async () => {
    const { page, context } = await open(1280);
    const table = page.locator('table', { has: page.locator('caption', { hasText: 'Scopes du catalogue' }) });
    for (const scope of server.app.catalog.scopes) {
      const row = table.locator('tbody tr', {
        has: page.locator('th code', { hasText: new RegExp(`^${scope.id}$`) }),
      });
      const text = (await row.textContent()) ?? '';
      for (const field of scope.fields) expect(text).toContain(`${field.id} (${field.label})`);
      expect(text.includes('haute sécurité')).toBe(scope.id === 'indemnisation');
    }
    await context.close();
  });

  it('shows the demo credentials outside production only', async () => {
    const { page, context } = await open(1280);
    expect(await page.locator('#demo').count()).toBe(1);
    expect(await page.locator('main').textContent()).toContain('demo-pole-emploi');
    await context.close();
    const noDemo = await startTestServer({ SEED_DEMO_DATA: 'false' });
    try {
      const html = await (await fetch(`${noDemo.issuer}/developpeurs`)).text();
      expect(html).not.toContain('demo-pole-emploi');
      expect(html).not.toContain('id="demo"');
    } finally {
      await noDemo.close();
    }
  });
});

// A real browser for end-to-end checks: Debian's chromium driven by playwright-core, and axe-core run
// inside the page under test; a fresh profile per test, screenshots and axe checks.
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import type { UserAgent } from './user-agent.ts';

export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

let axeSource: string | undefined;

/**
 * Runs axe on the page and returns its violations of WCAG 2.1 A and AA. Our pages forbid inline
 * scripts (CSP `script-src 'self'`), which makes page.addScriptTag fail; rather than turning CSP off
 * for the whole context (bypassCSP, which would also hide pages broken by our own policy), axe is
 * evaluated through the DevTools protocol, which CSP does not govern.
 */
export async function checkA11y(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(path.resolve('node_modules/axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  return page.evaluate(async (tags) => {
    const axe = (globalThis as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<unknown> } })
      .axe;
    const results = (await axe.run(document, { runOnly: { type: 'tag', values: tags } })) as {
      violations: AxeViolation[];
    };
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
  }, AXE_TAGS);
}

export const SCREENSHOTS = path.resolve('artifacts/screenshots');
// Committed copies for the README: written when missing, or refreshed with UPDATE_DOC_SCREENSHOTS=1
// (so that an ordinary test run does not rewrite committed images whose dates change every day).
const DOC_SCREENSHOTS = path.resolve('docs/screenshots');

export interface BrowserTab {
  context: BrowserContext;
  page: Page;
  /** what the page's console said about Content Security Policy: a page broken by our own policy */
  cspViolations: string[];
  close(): Promise<void>;
}

/**
 * A fresh browser profile (no cookie, no storage) with one page, in French; 1024×768 is the size
 * of the README screenshots. `signedIn` copies a UserAgent's cookies for the issuer into it: a
 * person signed in over HTTP, when the sign-in is not what the test checks.
 */
export async function openTab(
  browser: Browser,
  options: {
    viewport?: { width: number; height: number };
    signedIn?: { agent: UserAgent; issuer: string };
  } = {},
): Promise<BrowserTab> {
  const context = await browser.newContext({
    locale: 'fr-FR',
    viewport: options.viewport ?? { width: 1024, height: 768 },
  });
  if (options.signedIn) await context.addCookies(cookiesOf(options.signedIn.agent, options.signedIn.issuer));
  const page = await context.newPage();
  const cspViolations: string[] = [];
  page.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) cspViolations.push(msg.text());
  });
  return { context, page, cspViolations, close: () => context.close() };
}

/** A UserAgent's cookies for `issuer`, as a browser context takes them. */
export function cookiesOf(agent: UserAgent, issuer: string) {
  const header = agent.cookieHeader(new URL(issuer));
  if (!header) return [];
  return header.split('; ').map((pair) => {
    const at = pair.indexOf('=');
    return { name: pair.slice(0, at), value: pair.slice(at + 1), url: issuer };
  });
}

/** Fails with the list of axe's WCAG 2.1 A and AA violations on the page, if any. */
export async function expectAccessible(page: Page, what: string) {
  const violations = await checkA11y(page);
  expect(violations, `${what}: ${JSON.stringify(violations, null, 2)}`).toEqual([]);
}

/** A full-page screenshot in artifacts/screenshots; `forDocs` names its committed copy in docs/screenshots. */
export async function screenshot(page: Page, name: string, forDocs?: string) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, name);
  await page.screenshot({ path: file, fullPage: true });
  if (!forDocs) return file;
  const doc = path.join(DOC_SCREENSHOTS, forDocs);
  if (process.env.UPDATE_DOC_SCREENSHOTS === '1' || !existsSync(doc)) {
    mkdirSync(DOC_SCREENSHOTS, { recursive: true });
    copyFileSync(file, doc);
  }
  return file;
}

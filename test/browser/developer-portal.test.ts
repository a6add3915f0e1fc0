// The developer portal's whole path in a real browser: sign up → verify (the link from the mail
// outbox) → draft → sandbox sign-in with a persona through the real login and consent pages →
// submit → an admin approves in the console's review queue → the production credentials work for a
// real jobseeker; then the figures. Every page on the way is checked with axe (WCAG 2.1 A and AA)
// at 1280 and 375 px, with no horizontal scroll on a phone and no script. Each test sets up what comes
// before it over HTTP (sign-up, draft, approval), in a fresh provider and browser, so it runs alone.
import * as oidc from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_PASSWORD } from '../../src/developers/sandbox-personas.ts';
import { enrolledAdmin, post } from '../support/admin-console.ts';
import { discover } from '../support/authorize.ts';
import { type BrowserTab, checkA11y, launchBrowser, openTab, screenshot } from '../support/browser.ts';
import { tickFields } from '../support/consent-page.ts';
import {
  createDraft,
  lastMail,
  linkIn,
  signedInDeveloper,
  submittedDraft,
} from '../support/developer-portal.ts';
import { createJobseeker } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import type { UserAgent } from '../support/user-agent.ts';

const TIMEOUT = 120_000;
const EMAIL = 'equipe@cv-partenaire.example';
const PASSWORD = 'une longue phrase de passe pour le portail';
const ORGANISATION = 'CV Partenaire SAS';
const APP = 'CV Partenaire';
const REDIRECT = 'http://127.0.0.1:9/retour';
const VIEWPORT = { width: 1280, height: 900 };

// One browser for the file; each test has its own provider (the review queue and the figures count
// what is in it) and its own browser profile, and sets up over HTTP the account and the app it needs.
let browser: Browser;
let server: TestServer;
const tabs: BrowserTab[] = [];
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
}, TIMEOUT);

afterAll(async () => {
  await browser?.close();
});

beforeEach(async () => {
  server = await startTestServer();
}, TIMEOUT);

afterEach(async () => {
  for (const tab of tabs.splice(0)) await tab.close();
  await server?.close();
});

/** A fresh browser profile at 1280 px, signed in with `agent`'s cookies when given. */
async function newTab(agent?: UserAgent) {
  const tab = await openTab(browser, {
    viewport: VIEWPORT,
    ...(agent ? { signedIn: { agent, issuer: server.issuer } } : {}),
  });
  tabs.push(tab);
  return tab.page;
}

/** A developer of ORGANISATION, verified and signed in over HTTP, and the portal open in a browser. */
async function developer() {
  const dev = await signedInDeveloper(server, ORGANISATION);
  page = await newTab(dev.agent);
  return dev;
}

/** A complete draft, submitted over HTTP, approved by an admin over HTTP, with its production secret. */
async function approvedApp(agent: UserAgent) {
  const draft = await submittedDraft(server, agent, APP, REDIRECT);
  const admin = await enrolledAdmin(server);
  const review = `/admin/validations/${draft.appId}`;
  const decided = await post(admin.agent, server, review, review, [
    ['decision', 'approve'],
    ['comment', ''],
  ]);
  expect(decided.location, decided.html).toBe('/admin/validations?ok=approve');
  const base = `/developpeurs/applications/${draft.appId}`;
  const issued = await post(agent, server, base, `${base}/production/secret`, []);
  expect(issued.response.status, issued.html).toBe(200);
  return {
    appPath: base,
    sandbox: { clientId: draft.sandboxClientId, secret: draft.sandboxSecret },
    production: {
      clientId: /id="client-id">([^<]+)</.exec(issued.html)?.[1] as string,
      secret: /id="client-secret">([^<]+)</.exec(issued.html)?.[1] as string,
    },
  };
}

/** axe at 1280 and 375 px, no horizontal scroll at 375, no script; a screenshot of each. */
async function expectAccessible(on: Page, name: string, forDocs?: string) {
  expect(await on.locator('script').count(), name).toBe(0);
  for (const width of [1280, 375]) {
    await on.setViewportSize({ width, height: 900 });
    const violations = await checkA11y(on);
    expect(violations, `${name} at ${width} px: ${JSON.stringify(violations, null, 2)}`).toEqual([]);
    await screenshot(on, `${name}-${width}.png`, width === 1280 ? forDocs : undefined);
    if (width === 375) {
      const overflow = await on.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${name} scrolls sideways at 375 px`).toBeLessThanOrEqual(0);
    }
  }
  await on.setViewportSize({ width: 1280, height: 900 });
}

/** Signs a person in to an app through the real pages in a fresh browser; the API's answer. */
async function signInWith(
  credentials: { clientId: string; secret: string },
  person: { login: string; password: string },
) {
  const { context, page: tab } = await openTab(browser, { viewport: VIEWPORT });
  let callback: string | undefined;
  await tab.route('http://127.0.0.1:9/**', (route) => {
    callback = route.request().url();
    return route.fulfill({
      status: 200,
      contentType: 'text/html',
      body: '<!doctype html><html lang="fr"><title>Retour</title><p>Retour</p></html>',
    });
  });
  const config = await discover(server.issuer, credentials.clientId, credentials.secret);
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: 'openid profile competences',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });
  await tab.goto(url.href);
  await tab.locator('input[name="login"]').fill(person.login);
  await tab.locator('input[name="password"]').fill(person.password);
  await tab.getByRole('button', { name: 'Se connecter' }).click();
  const authorise = tab.getByRole('button', { name: 'Autoriser', exact: true });
  await authorise.or(tab.getByRole('alert')).first().waitFor();
  if (!(await authorise.isVisible())) {
    const refused = (await tab.getByRole('alert').textContent()) ?? '';
    await context.close();
    return { status: 0, body: '', refused };
  }
  await tickFields(tab, { competences: ['Nom de la compétence'] });
  await tab.getByRole('button', { name: 'Autoriser', exact: true }).click();
  await tab.waitForURL('http://127.0.0.1:9/**');
  await context.close();
  const tokens = await oidc.authorizationCodeGrant(
    config,
    new URL(callback as string),
    { pkceCodeVerifier: verifier, expectedState: state },
    { resource: `${server.issuer}/api` },
  );
  const res = await fetch(`${server.issuer}/api/v1/competences`, {
    headers: { authorization: `Bearer ${tokens.access_token}` },
  });
  return { status: res.status, body: JSON.stringify(await res.json()), refused: undefined };
}

describe('the developer portal, end to end', () => {
  it('signs up and verifies the address through the outbox', { timeout: TIMEOUT }, async () => {
    page = await newTab();
    await page.goto(`${server.issuer}/developpeurs/inscription`);
    await expectAccessible(page, 'portal-sign-up');
    await page.getByLabel('Adresse e-mail professionnelle').fill(EMAIL);
    await page.getByLabel('Mot de passe').fill(PASSWORD);
    await page.getByLabel('Nom de votre organisation').fill(ORGANISATION);
    await page.getByRole('button', { name: 'Créer mon compte' }).click();
    await page.getByRole('heading', { level: 1, name: 'Vérifiez votre adresse e-mail' }).waitFor();
    await expectAccessible(page, 'portal-sign-up-sent');

    const link = linkIn((await lastMail(server, EMAIL))?.body ?? '') as string;
    await page.goto(link);
    await page.getByText('Votre adresse e-mail est vérifiée').waitFor();
    await expectAccessible(page, 'portal-sign-in');
    await page.getByRole('link', { name: 'Mot de passe oublié ?' }).click();
    await expectAccessible(page, 'portal-forgotten-password');
    await page.goBack();
    await page.getByLabel('Adresse e-mail').fill(EMAIL);
    await page.getByLabel('Mot de passe').fill(PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('heading', { level: 1, name: 'Mes applications' }).waitFor();
    await expectAccessible(page, 'portal-apps-empty');
  });

  it('drafts an app and gets sandbox credentials at once', { timeout: TIMEOUT }, async () => {
    await developer();
    await page.goto(`${server.issuer}/developpeurs/applications`);
    await page.getByRole('link', { name: 'Créer une application' }).click();
    await page.getByRole('heading', { level: 1, name: 'Nouvelle application' }).waitFor();
    await expectAccessible(page, 'portal-app-new');
    await page.getByRole('button', { name: 'Créer le brouillon' }).click(); // empty: errors first
    await page.locator('#erreurs').waitFor();
    await expectAccessible(page, 'portal-app-new-errors');
    await page.getByLabel('Nom de l’application').fill(APP);
    await page.locator('textarea[name="description"]').fill('Votre CV rempli à partir de votre dossier.');
    await page.locator('textarea[name="redirect_uris"]').fill(REDIRECT);
    await page.locator('input[name="policy_uri"]').fill('http://127.0.0.1:9/confidentialite');
    for (const scope of ['openid', 'profile', 'competences']) await page.locator(`#scope-${scope}`).check();
    await page
      .locator('textarea[name="purpose_competences"]')
      .fill('Remplir la rubrique Compétences de votre CV.');
    await page.locator('input[name="free_for_jobseekers"]').check();
    await page.getByRole('button', { name: 'Créer le brouillon' }).click();
    await page.getByRole('heading', { level: 1, name: 'Application créée' }).waitFor();
    const sandbox = {
      clientId: (await page.locator('#sandbox-client-id').textContent()) as string,
      secret: (await page.locator('#sandbox-client-secret').textContent()) as string,
    };
    expect(sandbox.clientId).toMatch(/^sandbox-/);
    await expectAccessible(page, 'portal-app-created');
    await page.getByRole('link', { name: 'Voir l’application' }).click();
    await page.getByRole('heading', { level: 1, name: APP }).waitFor();
    await expectAccessible(page, 'portal-app', 'developer-portal-app.png');
  });

  it('signs a sandbox persona in through the real consent page; a real jobseeker cannot', {
    timeout: TIMEOUT,
  }, async () => {
    const dev = await developer();
    const draft = await createDraft(server, dev.agent, { name: APP, redirectUri: REDIRECT });
    const sandbox = { clientId: draft.sandboxClientId, secret: draft.sandboxSecret };
    const persona = await signInWith(sandbox, { login: 'bac-a-sable.lea', password: SANDBOX_PASSWORD });
    expect(persona.status).toBe(200);
    expect(persona.body).toContain('Accueillir une clientèle');

    const real = await createJobseeker(server);
    const { context, page: tab } = await openTab(browser);
    const config = await discover(server.issuer, sandbox.clientId, sandbox.secret);
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid competences',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    await tab.goto(url.href);
    await tab.locator('input[name="login"]').fill(real.login);
    await tab.locator('input[name="password"]').fill(real.password);
    await tab.getByRole('button', { name: 'Se connecter' }).click();
    await tab.getByRole('alert').getByText('seuls les profils fictifs').waitFor();
    await expectAccessible(tab, 'sandbox-refuses-real-jobseeker');
    await context.close();

    await page.goto(`${server.issuer}/developpeurs/bac-a-sable`);
    await expectAccessible(page, 'portal-sandbox-personas');
  });

  it('submits; an admin approves in the review queue; production credentials work for a real jobseeker', {
    timeout: TIMEOUT,
  }, async () => {
    const dev = await developer();
    const draft = await createDraft(server, dev.agent, { name: APP, redirectUri: REDIRECT, complete: true });
    const appPath = `/developpeurs/applications/${draft.appId}`;
    await page.goto(`${server.issuer}${appPath}`);
    await page.getByRole('button', { name: 'Soumettre à la validation' }).click();
    await page.getByText('L’application est soumise').waitFor();
    await expectAccessible(page, 'portal-app-submitted');

    const admin = await enrolledAdmin(server);
    const { context: adminContext, page: console } = await openTab(browser, {
      viewport: VIEWPORT,
      signedIn: { agent: admin.agent, issuer: server.issuer },
    });
    await console.goto(`${server.issuer}/admin/validations`);
    await expectAccessible(console, 'admin-review-queue');
    await console.getByRole('link', { name: APP }).click();
    await console.getByRole('heading', { level: 1, name: `Validation de ${APP}` }).waitFor();
    await expectAccessible(console, 'admin-review', 'admin-review.png');
    await console.getByLabel('Approuver : l’application devient active').check();
    await console.getByRole('button', { name: 'Enregistrer la décision' }).click();
    await console.getByText('L’application est approuvée').waitFor();
    await console.goto(`${server.issuer}/admin/developpeurs`);
    await console.getByRole('cell', { name: ORGANISATION }).waitFor();
    await expectAccessible(console, 'admin-developer-accounts');
    await adminContext.close();

    await page.goto(`${server.issuer}${appPath}`);
    await page.getByRole('button', { name: 'Obtenir le secret de production' }).click();
    await page.getByRole('heading', { level: 1, name: /Secret de production/ }).waitFor();
    const production = {
      clientId: (await page.locator('#client-id').textContent()) as string,
      secret: (await page.locator('#client-secret').textContent()) as string,
    };
    await expectAccessible(page, 'portal-production-secret');
    await page.goto(`${server.issuer}${appPath}/adresses`);
    await expectAccessible(page, 'portal-app-addresses');
    const jobseeker = await createJobseeker(server);
    const real = await signInWith(production, jobseeker);
    expect(real.status).toBe(200);
    // And the persona no longer gets in with production credentials.
    const persona = await signInWith(production, { login: 'bac-a-sable.samir', password: SANDBOX_PASSWORD });
    expect(persona.refused).toContain('profil fictif');
  });

  it('shows the figures as charts with their tables, and the API reference', {
    timeout: TIMEOUT,
  }, async () => {
    // One persona's consent in the sandbox, one real jobseeker's in production.
    const dev = await developer();
    const { appPath, sandbox, production } = await approvedApp(dev.agent);
    expect((await signInWith(sandbox, { login: 'bac-a-sable.lea', password: SANDBOX_PASSWORD })).status).toBe(
      200,
    );
    expect((await signInWith(production, await createJobseeker(server))).status).toBe(200);
    await page.goto(`${server.issuer}${appPath}/statistiques?environnement=bac-a-sable`);
    await page.getByRole('heading', { level: 1, name: `Statistiques de ${APP}` }).waitFor();
    expect(await page.locator('#accords-actifs').textContent()).toBe('1');
    await expect(page.getByRole('img', { name: 'Accords donnés par jour' }).count()).resolves.toBe(1);
    await expectAccessible(page, 'portal-figures', 'developer-portal-figures.png');
    await page.goto(`${server.issuer}${appPath}/statistiques`);
    expect(await page.locator('#accords-actifs').textContent()).toBe('moins de 5');
    await page.goto(`${server.issuer}/developpeurs/api`);
    await expectAccessible(page, 'portal-api-reference');
  });
});

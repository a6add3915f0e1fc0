// The admin console in a real browser, end to end with the demo app: the admin enrols a TOTP
// authenticator at first login, registers "CV Express" (first with mistakes), vets and approves it;
// the demo app, configured with the credentials the console showed once, then works for a jobseeker
// in the same browser; once the admin suspends the app, the demo's API calls answer 401.
// Every console page is checked with axe (WCAG 2.1 A and AA) and screenshotted. Each test sets up
// what comes before it (over HTTP or the services where that is not what it checks), so it runs alone.
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { enrolledAdmin, totp } from '../support/admin-console.ts';
import {
  expectAccessible as axeCheck,
  type BrowserTab,
  launchBrowser,
  openTab,
  screenshot as shoot,
} from '../support/browser.ts';
import { tickFields } from '../support/consent-page.ts';
import { freePort, startDemo } from '../support/demo-app.ts';
import { createClient, createJobseeker } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

// Each test signs in and sets up its app before its own steps: twice the time of a single step.
const TIMEOUT = 120_000;
const APP_NAME = 'CV Express (démo)';
const ADMIN_EMAIL = 'admin@pole-emploi-connect.example';
const ADMIN_PASSWORD = 'un mot de passe long et unique';
// What the demo app asks for (src/demo/demo-app.ts): the app must be allowed all of it.
const OIDC_SCOPES = ['openid', 'profile', 'email', 'phone', 'address', 'offline_access'];
const DATA_SCOPES = ['statut', 'competences', 'langues', 'permis', 'formations', 'experiences', 'projet'];

type Competence = { code: string; libelle: string; niveau: string | null };

// One browser for the file; each test has its own provider (the apps list and the audit log count
// what is in it), its own browser profile, and sets up the admin, the app and the consent it needs.
let browser: Browser;
let server: TestServer;
let demo: { close(): Promise<void> } | undefined;
let demoPort: number;
let demoUrl: string;
let tab: BrowserTab | undefined;
let page: Page;
let jobseeker: Awaited<ReturnType<typeof createJobseeker>>;

beforeAll(async () => {
  browser = await launchBrowser();
}, TIMEOUT);

afterAll(async () => {
  await browser?.close();
});

beforeEach(async () => {
  server = await startTestServer(); // TOTP required, as in production
  // Two other apps, so that the list looks like a real one.
  const scopes = [...OIDC_SCOPES, ...DATA_SCOPES]; // no sensitive scope: ordinary apps
  await createClient(server, {
    name: 'Mon Job Idéal',
    operator_name: 'Job Idéal SAS',
    status: 'pending',
    scopes,
  });
  await createClient(server, { name: 'Alternance Facile', operator_name: 'Association Tremplin', scopes });
  demoPort = await freePort();
  demoUrl = `http://127.0.0.1:${demoPort}`;
  jobseeker = await createJobseeker(server);
}, TIMEOUT);

afterEach(async () => {
  try {
    expect(tab?.cspViolations ?? []).toEqual([]);
  } finally {
    await tab?.close();
    tab = undefined;
    await demo?.close();
    demo = undefined;
    await server?.close();
  }
});

/** A fresh browser profile; signed in as ADMIN_EMAIL (enrolled over HTTP) when `signedIn`. */
async function openConsole(signedIn: boolean) {
  const admin = signedIn ? await enrolledAdmin(server, ADMIN_EMAIL, ADMIN_PASSWORD) : undefined;
  tab = await openTab(browser, admin ? { signedIn: { agent: admin.agent, issuer: server.issuer } } : {});
  page = tab.page;
  if (signedIn) {
    await page.goto(`${server.issuer}/admin`);
    await h1('Applications');
  }
  return admin;
}

const screenshot = (name: string, forDocs?: string) => shoot(page, name, forDocs);
const expectAccessible = (what: string) => axeCheck(page, what);

/** Fills in the registration form as it should be and submits it: the app's credentials, shown once. */
async function registerDemoApp(beforeSubmit: () => Promise<unknown> = async () => undefined) {
  await page.goto(`${server.issuer}/admin/clients/new`);
  await h1('Enregistrer une application');
  await page.getByLabel('Nom de l’application').fill(APP_NAME);
  await page.getByLabel('Description').fill('Crée votre CV à partir de vos données Pôle emploi.');
  await page.getByLabel('Site web').fill('https://cv-express.example');
  await page
    .getByLabel('URL de la politique de confidentialité')
    .fill('https://cv-express.example/confidentialite');
  await page.getByLabel('Opérateur', { exact: true }).fill('CV Express SAS');
  await page.getByLabel('SIRET de l’opérateur').fill('73282932000074');
  await page.getByLabel('Adresse e-mail de contact').fill('equipe@cv-express.example');
  await page.locator('#redirect-uris').fill(`${demoUrl}/callback`);
  await page.locator('#post-logout-redirect-uris').fill(`${demoUrl}/`);
  for (const scope of [...OIDC_SCOPES, ...DATA_SCOPES]) await page.locator(`#scope-${scope}`).check();
  await page.getByLabel('Durée de l’accord (en jours)').fill('365');
  await beforeSubmit();
  await page.getByRole('button', { name: 'Enregistrer l’application' }).click();
  await h1('Application enregistrée');
  return {
    clientId: (await page.locator('#client-id').textContent()) as string,
    clientSecret: (await page.locator('#client-secret').textContent()) as string,
  };
}

/** The demo app as the console would have approved it (through the service), and the demo started. */
async function activeDemoApp() {
  const client = await createClient(server, {
    name: APP_NAME,
    operator_name: 'CV Express SAS',
    redirect_uris: [`${demoUrl}/callback`],
    post_logout_redirect_uris: [`${demoUrl}/`],
    scopes: [...OIDC_SCOPES, ...DATA_SCOPES],
    purposes: Object.fromEntries(DATA_SCOPES.map((scope) => [scope, `Préremplir votre CV (${scope}).`])),
  });
  demo = await startDemo(server, {
    port: demoPort,
    clientId: client.client_id,
    clientSecret: client.client_secret,
  });
  return { clientId: client.client_id, clientSecret: client.client_secret };
}

/** The jobseeker signs in through the demo app, up to the consent page. */
async function demoUpToConsent() {
  await page.goto(`${demoUrl}/`);
  await page.getByRole('link', { name: 'Se connecter avec Pôle emploi Connect' }).click();
  await page.waitForURL(`${server.issuer}/interaction/**`);
  await page.locator('input[name="login"]').fill(jobseeker.login);
  await page.locator('input[name="password"]').fill(jobseeker.password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.getByRole('button', { name: 'Autoriser' }).waitFor();
}

/** … and consents to competences (name) and statut: the demo then holds tokens and reads. */
async function consentInDemo() {
  await tickFields(page, { competences: ['Nom de la compétence'], statut: ['Votre situation'] });
  await page.getByRole('button', { name: 'Autoriser', exact: true }).click();
  await page.waitForURL(`${demoUrl}/callback**`);
  await h1('Voici exactement les données reçues');
}

/** Suspends the demo app from its page in the console. */
async function suspend(clientId: string) {
  await page.goto(`${server.issuer}/admin`);
  await page.getByRole('link', { name: APP_NAME }).click();
  await h1(APP_NAME);
  await page.getByRole('button', { name: 'Suspendre' }).click();
  await page.waitForURL(`${server.issuer}/admin/clients/${clientId}?ok=suspended`);
}

const h1 = (name: string) => page.getByRole('heading', { level: 1, name }).waitFor();
const nav = () => page.getByRole('navigation', { name: 'Administration' });

/** The JSON the demo received for one data scope, with its HTTP status. */
async function apiResult(scope: string) {
  const section = page.locator('section.api-result', { has: page.locator(`#scope-${scope}`) });
  const status = Number(await section.locator('p.small strong').textContent());
  return { status, body: JSON.parse((await section.locator('pre').textContent()) as string) };
}

describe('the admin console in a real browser', () => {
  it(
    'asks for the password, then the enrolment code, then enrols an authenticator at the first login',
    async () => {
      const { enrolmentCode } = await server.app.services.admins.create(ADMIN_EMAIL, ADMIN_PASSWORD, {
        actor: 'test',
      });
      await openConsole(false);
      await page.goto(`${server.issuer}/admin`);
      await page.waitForURL(`${server.issuer}/admin/login`);
      await h1('Connexion à l’administration');
      await screenshot('admin-login.png');
      await expectAccessible('login page');

      await page.getByLabel('Adresse e-mail').fill(ADMIN_EMAIL);
      await page.getByLabel('Mot de passe').fill('pas le bon mot de passe');
      await page.getByRole('button', { name: 'Continuer' }).click();
      await expect
        .poll(() => page.getByRole('alert').textContent())
        .toContain('Adresse e-mail ou mot de passe incorrect.');
      expect(await page.getByLabel('Adresse e-mail').inputValue()).toBe(ADMIN_EMAIL);
      await expectAccessible('login page with an error');

      await page.getByLabel('Mot de passe').fill(ADMIN_PASSWORD);
      await page.getByRole('button', { name: 'Continuer' }).click();
      await page.waitForURL(`${server.issuer}/admin/enrolment`);
      await h1('Activer la double authentification');
      await expectAccessible('enrolment code page');
      await page.getByLabel('Code d’activation').fill('AAAA-BBBB-CCCC-DDDD-EEEE');
      await page.getByRole('button', { name: 'Continuer' }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('Code d’activation incorrect');
      await expectAccessible('enrolment code page with an error');
      await page.getByLabel('Code d’activation').fill(enrolmentCode);
      await page.getByRole('button', { name: 'Continuer' }).click();
      await page.waitForURL(`${server.issuer}/admin/enrolment`);
      const qr = page.getByRole('img', {
        name: 'QR code à scanner avec votre application d’authentification',
      });
      expect(await qr.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
      expect(await qr.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(100);
      const totpSecret = ((await page.locator('#totp-secret').textContent()) ?? '').replace(/\s/g, '');
      expect(totpSecret).toMatch(/^[A-Z2-7]{32}$/);
      await screenshot('admin-enrolment.png');
      await expectAccessible('enrolment page');

      await page.getByLabel('Code à 6 chiffres').fill(totp(totpSecret).generate());
      await page.getByRole('button', { name: 'Activer et se connecter' }).click();
      await page.waitForURL(`${server.issuer}/admin?ok=enrolled`);
      await h1('Applications');
      expect(await page.getByRole('status').textContent()).toContain('double authentification est activée');
      expect(await nav().getByRole('link', { name: 'Applications' }).getAttribute('aria-current')).toBe(
        'page',
      );
    },
    TIMEOUT,
  );

  it(
    'asks for a code at the next login',
    async () => {
      const totpSecret = (await openConsole(true))?.secret as string;
      await nav().getByRole('button', { name: 'Se déconnecter' }).click();
      await page.waitForURL(`${server.issuer}/admin/login?deconnecte=1`);
      expect(await page.getByRole('status').textContent()).toContain('Vous êtes déconnecté');
      await page.getByLabel('Adresse e-mail').fill(ADMIN_EMAIL);
      await page.getByLabel('Mot de passe').fill(ADMIN_PASSWORD);
      await page.getByRole('button', { name: 'Continuer' }).click();
      await page.waitForURL(`${server.issuer}/admin/login/code`);
      await h1('Code de vérification');
      const input = page.getByLabel('Code à 6 chiffres');
      expect(await input.getAttribute('inputmode')).toBe('numeric');
      expect(await input.getAttribute('autocomplete')).toBe('one-time-code');
      await screenshot('admin-code.png');
      await expectAccessible('code page');

      // The code of the next 30-second step: the current one was spent on the enrolment.
      await input.fill(totp(totpSecret).generate({ timestamp: Date.now() + 30_000 }));
      await page.getByRole('button', { name: 'Se connecter' }).click();
      await page.waitForURL(`${server.issuer}/admin`);
      await h1('Applications');
    },
    TIMEOUT,
  );

  it(
    'adds an admin and shows their enrolment code once, on accessible pages at both widths',
    async () => {
      await openConsole(true);
      await nav().getByRole('link', { name: 'Administrateurs' }).click();
      await page.waitForURL(`${server.issuer}/admin/admins`);
      await h1('Administrateurs');
      await expectAccessible('admins page');
      await page.getByLabel('Adresse e-mail').fill('nouvel.admin@pole-emploi.example');
      await page.getByLabel('Mot de passe initial').fill('un mot de passe assez long');
      await page.getByRole('button', { name: 'Créer l’administrateur' }).click();
      await h1('Administrateur créé');
      expect(await page.locator('#enrolment-code').textContent()).toMatch(/^([A-Z2-9]{4}-){4}[A-Z2-9]{4}$/);
      await expectAccessible('enrolment code page');
      await page.setViewportSize({ width: 375, height: 800 });
      await expectAccessible('enrolment code page at 375 px');
      await screenshot('admin-enrolment-code-issued-375.png');
      await page.getByRole('link', { name: 'Revenir aux administrateurs' }).click();
      await h1('Administrateurs');
      await expectAccessible('admins page at 375 px');
      await page.setViewportSize({ width: 1024, height: 768 });
      await nav().getByRole('link', { name: 'Applications' }).click();
      await h1('Applications');
    },
    TIMEOUT,
  );

  it(
    'registers the demo app: mistakes are listed and linked to their fields, then the secret is shown once',
    async () => {
      await openConsole(true);
      await page.getByRole('link', { name: 'Enregistrer une application' }).click();
      await page.waitForURL(`${server.issuer}/admin/clients/new`);
      await h1('Enregistrer une application');
      expect(await page.locator('#scope-openid').isChecked()).toBe(true);
      await expectAccessible('empty app form');

      await page.getByLabel('Nom de l’application').fill(APP_NAME);
      await page.getByLabel('URI de redirection', { exact: false }).first().fill('http://evil.example/cb');
      await page.getByLabel('URL du logo').fill('javascript:alert(1)');
      await page.getByRole('button', { name: 'Enregistrer l’application' }).click();
      const summary = page.getByRole('alert');
      await expect.poll(() => summary.textContent()).toContain('L’application n’a pas été enregistrée');
      const links = await summary.getByRole('link').allTextContents();
      expect(links).toEqual([
        'URL du logo : le logo doit utiliser https',
        'URI de redirection : ligne 1 : l’URI de redirection doit utiliser https (http n’est accepté que pour localhost, hors production)',
      ]);
      expect(await page.title()).toMatch(/^Erreur – /);
      expect(await page.getByLabel('Nom de l’application').inputValue()).toBe(APP_NAME);
      expect(await page.locator('#redirect-uris').getAttribute('aria-invalid')).toBe('true');
      // A summary link takes the keyboard to its field.
      await summary.getByRole('link', { name: /^URI de redirection/ }).click();
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('redirect-uris');
      await screenshot('admin-client-form-errors.png');
      await expectAccessible('app form with errors');

      // A fresh form, filled in as it should be.
      const { clientId, clientSecret } = await registerDemoApp(() =>
        screenshot('admin-client-form.png', 'admin-client-form.png'),
      );
      expect(clientId).toMatch(/^[\w-]{20,}$/);
      expect(clientSecret).toMatch(/^[\w-]{40,}$/);
      expect(await page.getByText('Copiez le secret maintenant, il ne sera plus affiché.').count()).toBe(1);
      expect((await server.app.services.clients.find(clientId))?.status).toBe('pending');
      await screenshot('admin-client-created.png');
      await expectAccessible('app created page');
    },
    TIMEOUT,
  );

  it(
    'approves the app once its purposes and the attestation are filled in',
    async () => {
      await openConsole(true);
      const { clientId, clientSecret } = await registerDemoApp();
      await page.getByRole('link', { name: 'Voir la fiche de l’application' }).click();
      await h1(APP_NAME);
      expect(await page.locator('.page-head-status').textContent()).toContain('En attente');
      expect(await page.content()).not.toContain(clientSecret);

      await page.getByRole('button', { name: 'Approuver' }).click();
      const summary = page.getByRole('alert');
      await expect
        .poll(() => summary.textContent())
        .toContain('L’application ne peut pas encore être approuvée');
      const problems = await summary.getByRole('link').allTextContents();
      expect(problems).toHaveLength(DATA_SCOPES.length + 1);
      expect(problems).toContain(
        'Gratuité : l’application doit être attestée gratuite pour les demandeurs d’emploi',
      );
      await expectAccessible('app details with errors');

      for (const scope of DATA_SCOPES) {
        await page.locator(`#purpose-${scope}`).fill(`Préremplir votre CV (${scope}).`);
      }
      await page.getByLabel('L’application est gratuite pour les demandeurs d’emploi').check();
      await page.getByRole('button', { name: 'Enregistrer les modifications' }).click();
      await page.waitForURL(`${server.issuer}/admin/clients/${clientId}?ok=updated`);
      expect(await page.getByRole('status').textContent()).toContain('Les modifications sont enregistrées');

      await page.getByRole('button', { name: 'Approuver' }).click();
      await page.waitForURL(`${server.issuer}/admin/clients/${clientId}?ok=approved`);
      expect(await page.locator('.page-head-status').textContent()).toContain('Active');
      expect(await page.getByRole('button', { name: 'Suspendre' }).count()).toBe(1);
      const journal = page.getByRole('region', { name: 'Journal de l’application' });
      expect(await journal.locator('.audit-head strong').allTextContents()).toEqual([
        'Application approuvée',
        'Application modifiée',
        'Application enregistrée',
      ]);
      expect(await journal.textContent()).toContain(`par admin:${ADMIN_EMAIL}`);
      await screenshot('admin-client.png');
      await expectAccessible('app details');
    },
    TIMEOUT,
  );

  it(
    'lets a jobseeker use the demo app with the credentials the console gave, in the same browser',
    async () => {
      await openConsole(false);
      await activeDemoApp();
      await demoUpToConsent();
      // The purpose typed in the console is what the jobseeker reads.
      expect(await page.content()).toContain('Préremplir votre CV (competences).');
      await consentInDemo();
      const competences = (jobseeker.data as { competences: Competence[] }).competences;
      expect(await apiResult('competences')).toEqual({
        status: 200,
        body: competences.map(({ code, libelle }) => ({ code, libelle })),
      });
      expect((await apiResult('statut')).status).toBe(200);
    },
    TIMEOUT,
  );

  it(
    'lists the apps with their status, consents and last activity',
    async () => {
      await openConsole(true);
      await activeDemoApp();
      await demoUpToConsent();
      await consentInDemo();
      await page.goto(`${server.issuer}/admin`);
      await h1('Applications');
      const rows = await page
        .locator('table tbody tr')
        .evaluateAll((trs) =>
          trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent?.trim() ?? '')),
        );
      const demoRow = rows.find((r) => r[0] === APP_NAME);
      expect(demoRow?.slice(0, 4)).toEqual([APP_NAME, 'CV Express SAS', 'Active', '1']);
      expect(demoRow?.[4]).toMatch(/\d{4}/);
      expect(rows.find((r) => r[0] === 'Mon Job Idéal')?.slice(2, 5)).toEqual(['En attente', '0', 'Aucune']);
      expect(await page.locator('table caption').textContent()).toContain('Applications enregistrées (3)');
      await screenshot('admin-apps.png', 'admin-apps.png');
      await expectAccessible('apps list');
    },
    TIMEOUT,
  );

  it(
    'suspends the app: the demo’s API calls now answer 401',
    async () => {
      await openConsole(true);
      const { clientId } = await activeDemoApp();
      await demoUpToConsent();
      await consentInDemo();
      await suspend(clientId);
      expect(await page.locator('.page-head-status').textContent()).toContain('Suspendue');

      await page.goto(`${demoUrl}/donnees`);
      await h1('Voici exactement les données reçues');
      for (const scope of DATA_SCOPES) expect((await apiResult(scope)).status, scope).toBe(401);
    },
    TIMEOUT,
  );

  it(
    'shows the audit log, newest first, with the admin as the actor',
    async () => {
      await openConsole(true);
      const { clientId, clientSecret } = await activeDemoApp();
      await suspend(clientId);
      await page.goto(`${server.issuer}/admin`);
      await nav().getByRole('link', { name: 'Journal d’audit' }).click();
      await h1('Journal d’audit');
      const headers = await page.locator('table thead th[scope="col"]').allTextContents();
      expect(headers).toEqual(['Date', 'Auteur', 'Action', 'Cible', 'Changements']);
      const first = page.locator('table tbody tr').first();
      expect(await first.textContent()).toContain(`admin:${ADMIN_EMAIL}`);
      expect(await first.textContent()).toContain('Application suspendue');
      expect(await first.textContent()).toMatch(/statut\s*:\s*avant : Active\s*→\s*après : Suspendue/);
      expect(await page.content()).not.toContain(clientSecret);
      await screenshot('admin-audit.png');
      await expectAccessible('audit page');
    },
    TIMEOUT,
  );

  it(
    'creates an admin API token, shown once, and revokes it',
    async () => {
      await openConsole(true);
      await nav().getByRole('link', { name: 'Jetons d’API' }).click();
      await h1('Jetons d’API');
      await expectAccessible('tokens page, empty');
      await page.getByLabel('Nom du jeton').fill('Synchronisation nocturne');
      await page.getByRole('button', { name: 'Créer le jeton' }).click();
      await h1('Jeton d’API créé');
      const token = (await page.locator('#token-value').textContent()) as string;
      expect(token).toMatch(/^pecadm_/);
      await expectAccessible('token created page');
      const res = await fetch(`${server.issuer}/admin/api/clients`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);

      await page.getByRole('link', { name: 'Revenir aux jetons d’API' }).click();
      await h1('Jetons d’API');
      const row = page.locator('table tbody tr', { hasText: 'Synchronisation nocturne' });
      expect(await row.textContent()).toContain(ADMIN_EMAIL);
      expect(await row.textContent()).toContain('Actif');
      expect(await page.content()).not.toContain(token);
      await screenshot('admin-tokens.png');
      await expectAccessible('tokens page');

      await row.getByRole('button', { name: 'Révoquer le jeton « Synchronisation nocturne »' }).click();
      await page.waitForURL(`${server.issuer}/admin/tokens?ok=token-revoked`);
      expect(
        await page.locator('table tbody tr', { hasText: 'Synchronisation nocturne' }).textContent(),
      ).toContain('Révoqué');
      const after = await fetch(`${server.issuer}/admin/api/clients`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(after.status).toBe(401);

      await page.getByRole('button', { name: 'Émettre un jeton d’accès initial' }).click();
      await h1('Jeton d’accès initial émis');
      expect(await page.locator('#registration-endpoint').textContent()).toBe(`${server.issuer}/reg`);
      await expectAccessible('initial access token page');
    },
    TIMEOUT,
  );

  // Every test's pages are also checked in afterEach.
  it(
    'breaks no Content Security Policy rule',
    async () => {
      await openConsole(true);
      for (const path of ['/admin', '/admin/admins', '/admin/clients/new', '/admin/audit', '/admin/tokens']) {
        await page.goto(`${server.issuer}${path}`);
        await page.getByRole('heading', { level: 1 }).waitFor();
      }
      expect(tab?.cspViolations).toEqual([]);
    },
    TIMEOUT,
  );
});

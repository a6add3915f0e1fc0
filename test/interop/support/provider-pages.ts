// The jobseeker's side of every interop test, in a real browser: the provider's login page, its consent
// page and its logout confirmation. Driven only through what other tools may rely on: the inputs named
// `login` and `password`, the consent checkboxes named `scopes` (a whole block, value `<scope>`) or
// `fields` (value `<scope>.<field>`), and the buttons « Se connecter », « Autoriser », « Refuser »,
// « Oui, me déconnecter ».
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

export interface Jobseeker {
  login: string;
  password: string;
}

/** On the provider's login page: signs in, and fails with the page's own alert if it shows one. */
export async function logIn(page: Page, jobseeker: Jobseeker) {
  await page.locator('input[name="login"]').fill(jobseeker.login);
  await page.locator('input[name="password"]').fill(jobseeker.password);
  await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
}

/**
 * On the consent page: shares every requested field of `scopes` (through the block-level choice when
 * the page has one, field by field otherwise, opening a closed disclosure first as a person would),
 * then « Autoriser ».
 */
export async function consent(page: Page, scopes: string[]) {
  const alert = page.getByRole('alert');
  await page.getByRole('button', { name: 'Autoriser', exact: true }).or(alert).first().waitFor();
  expect(await alert.count(), (await page.locator('main').textContent()) ?? '').toBe(0);
  for (const scope of scopes) {
    const block = page.locator(`input[type="checkbox"][name="scopes"][value="${scope}"]`);
    if (await block.count()) {
      await block.check();
      continue;
    }
    const fields = page.locator(`input[type="checkbox"][name="fields"][value^="${scope}."]`);
    expect(await fields.count(), `the consent page shows no field of ${scope}`).toBeGreaterThan(0);
    for (const box of await fields.all()) {
      if (!(await box.isVisible())) {
        await page.locator('details', { has: box }).last().locator(':scope > summary').click();
      }
      await box.check();
    }
  }
  await page.getByRole('button', { name: 'Autoriser', exact: true }).click();
}

/** From an app's « log in » link to the app's page after the callback: login, then consent. */
export async function logInAndConsent(
  page: Page,
  o: { issuer: string; jobseeker: Jobseeker; scopes: string[] },
) {
  await page.waitForURL(`${o.issuer}/interaction/**`);
  await logIn(page, o.jobseeker);
  await consent(page, o.scopes);
}

/** The provider's RP-initiated logout page (OIDC RP-Initiated Logout 1.0): confirms. */
export async function confirmLogout(page: Page, issuer: string) {
  await page.waitForURL(`${issuer}/session/end**`);
  await page.getByRole('button', { name: 'Oui, me déconnecter', exact: true }).click();
}

/** After a logout: a new authorization must show the login page again (no provider session left). */
export async function expectLoginPage(page: Page, issuer: string) {
  await page.waitForURL(`${issuer}/interaction/**`);
  await page.locator('input[name="password"]').waitFor();
}

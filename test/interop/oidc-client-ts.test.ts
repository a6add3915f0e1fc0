// oidc-client-ts in Chromium: the demo's single-page app ("CV Express Web", /spa/ of the demo process),
// a public client configured with the quick-start settings of docs/quickstart/oidc-client-ts.js. The
// browser itself calls the token, userinfo, API and revocation endpoints across origins (CORS); the
// test watches those calls.
import type { Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SCOPES, freePort, startDemo } from '../support/demo-app.ts';
import { createClient, createJobseeker } from '../support/factories.ts';
import { type Interop, refreshTokens, SHARED_SCOPES, startInterop, TIMEOUT } from './support/interop.ts';
import { confirmLogout, expectLoginPage, logInAndConsent } from './support/provider-pages.ts';

let interop: Interop;
let demo: { close(): Promise<void> } | undefined;
let spaUrl: string;
let spaClientId: string;

beforeAll(async () => {
  interop = await startInterop();
  const port = await freePort();
  const demoUrl = `http://127.0.0.1:${port}`;
  spaUrl = `${demoUrl}/spa`;
  const [server, spa] = await Promise.all([
    createClient(interop.server, { redirect_uris: [`${demoUrl}/callback`] }),
    createClient(interop.server, {
      token_endpoint_auth_method: 'none',
      redirect_uris: [`${spaUrl}/callback`],
      post_logout_redirect_uris: [`${spaUrl}/`],
      // What the demo's single-page app asks for (as CV Express does).
      scopes: DEMO_SCOPES.split(' '),
    }),
  ]);
  spaClientId = spa.client_id;
  demo = await startDemo(interop.server, {
    port,
    clientId: server.client_id,
    clientSecret: server.client_secret,
    spaClientId,
  });
}, TIMEOUT);

afterAll(async () => {
  await demo?.close();
  await interop?.close();
});

/** The provider's answers to the page's own cross-origin calls: "METHOD /path status". */
function watchProvider(page: Page, issuer: string) {
  const calls: string[] = [];
  page.on('response', (response: Response) => {
    const url = new URL(response.url());
    if (url.origin !== issuer || response.request().resourceType() !== 'fetch') return;
    calls.push(`${response.request().method()} ${url.pathname} ${response.status()}`);
  });
  return calls;
}

async function apiStatus(page: Page, scope: string) {
  return Number(
    await page
      .locator('section.api-result', { has: page.locator(`#scope-${scope}`) })
      .locator('.status')
      .textContent(),
  );
}

describe('oidc-client-ts in the browser (public client)', () => {
  it(
    'logs in, reads userinfo and the API from the page with one token, refreshes and logs out',
    async () => {
      const jobseeker = await createJobseeker(interop.server);
      const page = await interop.newPage();
      const calls = watchProvider(page, interop.server.issuer);
      try {
        await scenario(page, jobseeker, calls);
      } catch (err) {
        // What the page showed and the calls it made, to tell the library's refusal from the provider's.
        const alert = await page
          .locator('#erreur')
          .textContent()
          .catch(() => '');
        throw new Error(
          `${(err as Error).message}\npage alert: ${alert?.trim()}\ncalls: ${calls.join(', ')}`,
          {
            cause: err,
          },
        );
      }
    },
    TIMEOUT,
  );
});

async function scenario(page: Page, jobseeker: Awaited<ReturnType<typeof createJobseeker>>, calls: string[]) {
  const { server } = interop;
  const claims = jobseeker.claims as Record<string, unknown>;

  await page.goto(`${spaUrl}/`);
  await page.getByRole('button', { name: 'Se connecter avec Pôle emploi Connect' }).click();
  await logInAndConsent(page, { issuer: server.issuer, jobseeker, scopes: SHARED_SCOPES });
  await page.getByRole('heading', { level: 1, name: 'Voici exactement les données reçues' }).waitFor();
  // The code left the address bar once redeemed.
  expect(page.url()).toBe(`${spaUrl}/`);
  await page.locator('section.api-result .status', { hasText: /\d/ }).first().waitFor();
  await page.locator('#grant', { hasText: 'client_id' }).waitFor();

  // The token came from the browser (no secret), userinfo and the API answered it.
  expect(calls).toEqual(
    expect.arrayContaining(['POST /token 200', 'GET /me 200', 'GET /api/v1/competences 200']),
  );
  const row = page.locator('#id-claims tr', { has: page.locator('code', { hasText: /^given_name$/ }) });
  expect(await row.locator('td').textContent()).toBe(claims.given_name);
  expect(await apiStatus(page, 'competences')).toBe(200);
  const competences = page
    .locator('section.api-result', { has: page.locator('#scope-competences') })
    .locator('pre');
  expect(JSON.parse((await competences.textContent()) as string)).toEqual(jobseeker.data.competences);
  // Nothing ticked for langues: the API says so.
  expect(await apiStatus(page, 'langues')).toBe(403);
  expect(await refreshTokens(server, spaClientId)).toEqual({ issued: 1, used: 0 });

  calls.length = 0;
  await page.getByRole('button', { name: 'Rafraîchir le jeton' }).click();
  await expect.poll(() => refreshTokens(server, spaClientId)).toEqual({ issued: 2, used: 1 });
  await expect.poll(() => calls.filter((c) => c === 'GET /api/v1/competences 200').length).toBe(1);
  expect(calls).toContain('POST /token 200');

  calls.length = 0;
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await confirmLogout(page, server.issuer);
  // The refresh token was revoked from the page before leaving (RFC 7009).
  expect(calls).toContain('POST /token/revocation 200');
  await page.waitForURL(`${spaUrl}/`);
  await page.getByRole('button', { name: 'Se connecter avec Pôle emploi Connect' }).click();
  await expectLoginPage(page, server.issuer);
}

// « Retirer tous mes accords »: one confirmation page that says honestly what stops and what the apps
// keep (with each app's contact to ask it to delete that), then every active consent revoked in one
// transaction, each with its own 'revoked' event as a single revocation records, and every app's
// tokens refused at once.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize, discover } from '../support/authorize.ts';
import { createClient, createJobseeker } from '../support/factories.ts';
import { apiGet, exchange } from '../support/grant.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { formAction, UserAgent } from '../support/user-agent.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

async function grantTo(jobseeker: Awaited<ReturnType<typeof createJobseeker>>, contactEmail: string) {
  const client = await createClient(server, { contact_email: contactEmail });
  const config = await discover(server.issuer, client.client_id, client.client_secret);
  const flow = await authorize({
    config,
    redirectUri: client.redirectUri,
    scope: 'openid offline_access competences',
    login: jobseeker,
    fields: ['competences.libelle'],
    extra: { prompt: 'consent' },
  });
  return { client, config, tokens: await exchange(server, config, flow) };
}

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('« Retirer tous mes accords »', () => {
  it('asks once, then revokes every active consent with one event each, and every token stops', async () => {
    const jobseeker = await createJobseeker(server);
    const first = await grantTo(jobseeker, 'dpo@premiere.example');
    const second = await grantTo(jobseeker, 'dpo@seconde.example');
    const agent = new UserAgent();
    const login = await agent.follow(`${server.issuer}/account/consents`);
    const loginHtml = await login.response.text();
    const consents = await agent.submit(login.url, loginHtml, formAction(loginHtml, '/account/login'), [
      ['login', jobseeker.login],
      ['password', jobseeker.password],
      ['retour', '/account/consents'],
    ]);
    const consentsHtml = await consents.response.text();

    // The first post only shows the confirmation: nothing is revoked yet.
    const confirm = await agent.submit(consents.url, consentsHtml, '/account/consents/revoke-all', []);
    const confirmHtml = await confirm.response.text();
    expect(confirm.response.status).toBe(200);
    const said = text(confirmHtml);
    expect(said).toContain('Retirer tous vos accords ?');
    expect(said).toContain('n’est pas effacé');
    expect(confirmHtml).toContain('href="mailto:dpo@premiere.example?subject=');
    expect(confirmHtml).toContain('href="mailto:dpo@seconde.example?subject=');
    expect((await apiGet(server, first.tokens.access_token, 'competences')).status).toBe(200);

    const done = await agent.submit(confirm.url, confirmHtml, '/account/consents/revoke-all', [
      ['confirm', 'yes'],
    ]);
    expect(done.url.searchParams.get('ok')).toBe('all-revoked');
    expect(text(await done.response.text())).toContain('plus aucune application ne peut lire vos données');

    const { rows } = await server.pool.query(
      `SELECT c.client_id, c.status, array_agg(e.kind ORDER BY e.id) AS kinds, array_agg(e.actor ORDER BY e.id) AS actors
         FROM consents c JOIN consent_events e ON e.consent_id = c.id
        WHERE c.jobseeker_id = $1 GROUP BY c.client_id, c.status`,
      [jobseeker.id],
    );
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.status).toBe('revoked');
      expect(row.kinds).toEqual(['granted', 'revoked']);
      expect(row.actors).toEqual(['jobseeker', 'jobseeker']);
    }
    for (const app of [first, second]) {
      expect((await apiGet(server, app.tokens.access_token, 'competences')).status).toBe(401);
      await expect(
        oidc.refreshTokenGrant(app.config, app.tokens.refresh_token as string),
      ).rejects.toMatchObject({
        error: 'invalid_grant',
      });
    }

    // Asked again with nothing left, it says so and changes nothing.
    const page = await agent.follow(`${server.issuer}/account/consents`);
    const again = await agent.submit(
      page.url,
      await page.response.text(),
      '/account/consents/revoke-all',
      [],
    );
    expect(text(await again.response.text())).toContain('il n’y a rien à retirer');
  });
});

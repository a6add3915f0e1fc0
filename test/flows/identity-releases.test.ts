// ID-token and userinfo releases are reads like the resource API's: each one is recorded in the access
// log with the claims actually released, shows in « Qui a consulté mes données » and in the « last
// read » of the consent card. Recording them costs the request no SQL statement (the log is buffered).
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInToAccount } from '../support/account.ts';
import { grantedApp } from '../support/grant.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import type { UserAgent } from '../support/user-agent.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const FIELDS = ['profile.given_name', 'profile.birthdate', 'email.email', 'competences.libelle'];
const SCOPE = 'openid profile email offline_access competences';

async function reads(jobseekerId: string) {
  await server.app.services.accessLog.flush();
  const { rows } = await server.pool.query<{ scope: string; fields: string[] }>(
    'SELECT scope, fields FROM access_log WHERE jobseeker_id = $1 ORDER BY id',
    [jobseekerId],
  );
  return rows.map((r) => `${r.scope}:${[...r.fields].sort().join(',')}`);
}

/** The reads recorded after the first `from`, in any order (one release writes its scopes together). */
const readsSince = async (jobseekerId: string, from: number) => (await reads(jobseekerId)).slice(from).sort();

const pageText = async (agent: UserAgent, path: string) => {
  const { response } = await agent.follow(`${server.issuer}${path}`);
  expect(response.status).toBe(200);
  return (await response.text()).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
};

describe('identity releases are recorded as reads', () => {
  it('records the ID token of a code exchange with the claims it carries', async () => {
    const { jobseeker, tokens } = await grantedApp(server, { scope: SCOPE, fields: FIELDS });
    const claims = tokens.claims() as Record<string, unknown>;
    expect(Object.keys(claims)).toEqual(expect.arrayContaining(['given_name', 'birthdate', 'email']));
    expect(await readsSince(jobseeker.id, 0)).toEqual(['email:email', 'profile:birthdate,given_name']);
  });

  it('records each userinfo answer, and a refreshed ID token, with what they released', async () => {
    const { jobseeker, tokens, config } = await grantedApp(server, {
      scope: SCOPE,
      fields: FIELDS,
      resource: false,
    });
    const sub = tokens.claims()?.sub as string;
    const before = (await reads(jobseeker.id)).length;
    expect(await oidc.fetchUserInfo(config, tokens.access_token, sub)).toMatchObject({
      given_name: expect.any(String),
    });
    expect(await readsSince(jobseeker.id, before)).toEqual(['email:email', 'profile:birthdate,given_name']);

    // Narrowed: the next release carries less, and the log says so.
    await server.pool.query(
      `UPDATE consents SET fields = array_remove(fields, 'profile.birthdate') WHERE jobseeker_id = $1`,
      [jobseeker.id],
    );
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token as string);
    expect(refreshed.claims()).not.toHaveProperty('birthdate');
    expect(await readsSince(jobseeker.id, before + 2)).toEqual(['email:email', 'profile:given_name']);
  });

  it('records nothing for a scope the token does not cover', async () => {
    const { jobseeker, tokens } = await grantedApp(server, {
      scope: SCOPE,
      fields: FIELDS,
      resource: false,
    });
    const before = (await reads(jobseeker.id)).length;
    // userinfo narrowed to the profile scope by its `scope` parameter: the e-mail is not released.
    const answer = await fetch(`${server.issuer}/me?scope=${encodeURIComponent('openid profile')}`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(answer.status).toBe(200);
    expect(await answer.json()).not.toHaveProperty('email');
    expect(await readsSince(jobseeker.id, before)).toEqual(['profile:birthdate,given_name']);
  });

  it('shows the releases in « Qui a consulté mes données » and in the card’s last read', async () => {
    const { jobseeker } = await grantedApp(server, { scope: SCOPE, fields: FIELDS });
    const agent = await signInToAccount(server, jobseeker);

    const log = await pageText(agent, '/account/access-log');
    expect(log).toContain('Votre identité');
    expect(log).toMatch(/Date de naissance, Prénom|Prénom, Date de naissance/);
    expect(log).toContain('Votre adresse e-mail');

    const consents = await pageText(agent, '/account/consents');
    const identity = consents.slice(consents.indexOf('Votre identité'));
    expect(identity).toMatch(/^Votre identité Dernière consultation : .*\d{4}/);
    // The resource API was not called: that scope is honestly « not yet read ».
    const skills = consents.slice(consents.indexOf('Vos compétences'));
    expect(skills).toMatch(/^Vos compétences Pas encore consultée/);
  });
});

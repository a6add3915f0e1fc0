// A consent page's answer makes three writes (src/consents/consent-grant.ts): the consent row, then
// oidc-provider's Grant, then the consent's link to it. When the second or the third fails (a failure
// injected by a trigger of the test's own, on its own database), the app gets no code, the record
// keeps the decision, and the next sign-in repairs the Grant from the record completely: the scopes
// the jobseeker saw and left unticked are refused again, so no consent page comes back for them.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize, discover } from '../support/authorize.ts';
import { createClient, createJobseeker } from '../support/factories.ts';
import { apiGet } from '../support/grant.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const SCOPE = 'openid profile competences statut';
const words = (scope: string | undefined) => new Set((scope ?? '').split(' ').filter(Boolean));

/** Makes every write matching `when` (a trigger's WHEN clause on `table`) fail until the returned
 * function is called. */
async function failWrites(table: string, events: string, when: string) {
  await server.pool.query(`
    CREATE FUNCTION test_fail_write() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'injected failure'; END $$;
    CREATE TRIGGER test_fail_write BEFORE ${events} ON ${table}
      FOR EACH ROW WHEN (${when}) EXECUTE FUNCTION test_fail_write();`);
  return () =>
    server.pool.query(`DROP TRIGGER test_fail_write ON ${table}; DROP FUNCTION test_fail_write();`);
}

async function stateOf(jobseekerId: string) {
  const [consents, grants] = await Promise.all([
    server.pool.query('SELECT status, fields, grant_id FROM consents WHERE jobseeker_id = $1', [jobseekerId]),
    server.pool.query(
      "SELECT payload->>'jti' AS jti FROM oidc_models WHERE model = 'Grant' AND payload->>'accountId' = $1::text",
      [jobseekerId],
    ),
  ]);
  return { consents: consents.rows, grants: grants.rows.map((r) => r.jti as string) };
}

async function newApp() {
  const [jobseeker, client] = await Promise.all([createJobseeker(server), createClient(server)]);
  const config = await discover(server.issuer, client.client_id, client.client_secret);
  // Each sign-in in a new browser: the one whose submission failed was never told of a Grant.
  const signIn = (fields?: string[]) =>
    authorize({ config, redirectUri: client.redirectUri, scope: SCOPE, login: jobseeker, fields });
  return { jobseeker, client, config, signIn };
}

async function expectRepairedWithoutPage(app: Awaited<ReturnType<typeof newApp>>) {
  const next = await app.signIn();
  // No consent page: back to the app straight after the login.
  expect(next.callback.href.startsWith(app.client.redirectUri)).toBe(true);
  const tokens = await oidc.authorizationCodeGrant(
    app.config,
    next.callback,
    { pkceCodeVerifier: next.verifier, expectedState: next.state, expectedNonce: next.nonce },
    { resource: `${server.issuer}/api` },
  );
  expect(words(tokens.scope)).toEqual(new Set(['openid', 'competences']));
  expect((await apiGet(server, tokens.access_token, 'competences')).status).toBe(200);
  // The consent now names the Grant the tokens came from.
  const after = await stateOf(app.jobseeker.id);
  expect(after.consents).toHaveLength(1);
  expect(after.grants).toContain(after.consents[0].grant_id);
  return after;
}

describe('a consent decision whose Grant write is lost', () => {
  it('gives no code when the Grant cannot be written, and the next sign-in rebuilds it from the record, refusals included', async () => {
    const app = await newApp();
    const restore = await failWrites('oidc_models', 'INSERT OR UPDATE', "NEW.model = 'Grant'");
    try {
      const failed = await app.signIn(['competences.code']);
      expect(failed.callback.href.startsWith(app.client.redirectUri)).toBe(false);
      expect(failed.response.status).toBe(500);
    } finally {
      await restore();
    }
    // What the failure leaves: the decision recorded, no Grant, nothing linked.
    expect(await stateOf(app.jobseeker.id)).toEqual({
      consents: [{ status: 'active', fields: ['competences.code', 'openid.sub'], grant_id: null }],
      grants: [],
    });
    await expectRepairedWithoutPage(app);
  });

  it('gives no code when the link to the Grant cannot be written, and the next sign-in links a complete Grant', async () => {
    const app = await newApp();
    const restore = await failWrites('consents', 'UPDATE OF grant_id', 'NEW.grant_id IS NOT NULL');
    try {
      const failed = await app.signIn(['competences.code']);
      expect(failed.callback.href.startsWith(app.client.redirectUri)).toBe(false);
      expect(failed.response.status).toBe(500);
    } finally {
      await restore();
    }
    // What the failure leaves: the decision recorded and a Grant that no consent names.
    const left = await stateOf(app.jobseeker.id);
    expect(left.consents).toEqual([
      { status: 'active', fields: ['competences.code', 'openid.sub'], grant_id: null },
    ]);
    expect(left.grants).toHaveLength(1);
    const after = await expectRepairedWithoutPage(app);
    // The stray Grant is not the one linked: no token came from it, and it expires with the consent.
    expect(after.consents[0].grant_id).not.toBe(left.grants[0]);
  });
});

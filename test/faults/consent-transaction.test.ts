// A failure in the middle of a consent transaction leaves nothing half-written, and a retry works:
// once with a failure injected in the database (a trigger of the test's own, on its own database),
// once with the connection killed (pg_terminate_backend) while a consent form submission is inside
// its transaction.
import { randomUUID } from 'node:crypto';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GrantDecision } from '../../src/consents/consent-service.ts';
import { discover } from '../support/authorize.ts';
import { createClient, createJobseeker } from '../support/factories.ts';
import { apiGet } from '../support/grant.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { formAction, UserAgent } from '../support/user-agent.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const SCOPES = { scopes: ['openid', 'profile', 'competences', 'statut'] };
const COMPETENCES = ['competences.code', 'competences.libelle', 'competences.type', 'competences.niveau'];
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function stateOf(jobseekerId: string) {
  const q = (sql: string) => server.pool.query(sql, [jobseekerId]);
  const [consents, events, grants] = await Promise.all([
    q('SELECT id, status, fields FROM consents WHERE jobseeker_id = $1'),
    q('SELECT kind, fields_after FROM consent_events WHERE jobseeker_id = $1 ORDER BY id'),
    q("SELECT id FROM oidc_models WHERE model = 'Grant' AND payload->>'accountId' = $1::text"),
  ]);
  return { consents: consents.rows, events: events.rows, grants: grants.rows };
}

describe('a consent transaction that fails half-way', () => {
  it('writes nothing when the event cannot be recorded, and a retry records both', async () => {
    const [jobseeker, client] = await Promise.all([createJobseeker(server), createClient(server, SCOPES)]);
    const decision: GrantDecision = {
      jobseekerId: jobseeker.id,
      clientId: client.client_id,
      requested: COMPETENCES,
      ticked: ['competences.code'],
      purposes: { competences: 'Remplir votre CV.' },
      durationDays: 30,
      interactionUid: randomUUID(),
    };
    const texts = server.app.services.consents.textsShown(COMPETENCES, decision.purposes);
    // The insert of the event fails after the consent row has been written in the same transaction.
    await server.pool.query(`
      CREATE FUNCTION test_fail_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'injected failure'; END $$;
      CREATE TRIGGER test_fail_event BEFORE INSERT ON consent_events
        FOR EACH ROW EXECUTE FUNCTION test_fail_event();`);
    try {
      await expect(server.app.services.consents.grant(decision)).rejects.toThrow(/injected failure/);
      expect(await stateOf(jobseeker.id)).toEqual({ consents: [], events: [], grants: [] });
      const saved = await server.pool.query('SELECT 1 FROM consent_texts WHERE hash = $1', [texts.hash]);
      expect(saved.rowCount).toBe(0);

      // An existing consent that a failing change tries to widen keeps exactly what it had.
      await server.pool.query('ALTER TABLE consent_events DISABLE TRIGGER test_fail_event');
      await server.app.services.consents.grant({ ...decision, interactionUid: randomUUID() });
      await server.pool.query('ALTER TABLE consent_events ENABLE TRIGGER test_fail_event');
      await expect(
        server.app.services.consents.grant({
          ...decision,
          ticked: COMPETENCES,
          interactionUid: randomUUID(),
        }),
      ).rejects.toThrow(/injected failure/);
      const after = await stateOf(jobseeker.id);
      expect(after.consents).toMatchObject([{ status: 'active', fields: ['competences.code'] }]);
      expect(after.events).toEqual([{ kind: 'granted', fields_after: ['competences.code'] }]);
    } finally {
      await server.pool.query(
        'DROP TRIGGER test_fail_event ON consent_events; DROP FUNCTION test_fail_event();',
      );
    }

    // The retry of the failed change goes through, with its one event.
    const retried = await server.app.services.consents.grant({ ...decision, ticked: COMPETENCES });
    expect(retried.fields).toEqual([...COMPETENCES].sort());
    const final = await stateOf(jobseeker.id);
    expect(final.events.map((e) => e.kind)).toEqual(['granted', 'granted']);
  });

  it('writes nothing when the connection dies inside the transaction of a consent form, and the same form can be sent again', async () => {
    const [jobseeker, client] = await Promise.all([createJobseeker(server), createClient(server, SCOPES)]);
    const config = await discover(server.issuer, client.client_id, client.client_secret);
    const agent = new UserAgent();
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: client.redirectUri,
      scope: 'openid competences',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: 'kill-state',
    });
    const first = await agent.follow(url);
    const loginPage = await first.response.text();
    const consent = await agent.submit(first.url, loginPage, formAction(loginPage, '/login'), [
      ['login', jobseeker.login],
      ['password', jobseeker.password],
    ]);
    const consentPage = await consent.response.text();
    const send = () =>
      agent.submit(
        consent.url,
        consentPage,
        formAction(consentPage, '/consent'),
        [['fields', 'competences.code']],
        client.redirectUri,
      );

    // Hold the event table so the submission stops inside its transaction, its consent row written.
    const locker = await server.pool.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE consent_events IN EXCLUSIVE MODE');
    let killed = false;
    try {
      const submitted = send();
      for (let i = 0; i < 100 && !killed; i++) {
        const { rows } = await server.pool.query(
          `SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock'
              AND query LIKE 'INSERT INTO consent_events%'`,
        );
        killed = rows.some((r) => r.done);
        if (!killed) await wait(50);
      }
      expect(killed).toBe(true);
      const { response } = await submitted;
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
      const body = await response.text();
      expect(body).toContain('temporarily_unavailable');
      expect(body).not.toMatch(/consent_events|terminat|57P01|INSERT/i);
    } finally {
      await locker.query('COMMIT');
      locker.release();
    }
    expect(await stateOf(jobseeker.id)).toEqual({ consents: [], events: [], grants: [] });

    // The jobseeker presses the button again: one consent, one event, and the app gets its code.
    const retry = await send();
    expect(retry.url.href.startsWith(client.redirectUri)).toBe(true);
    const final = await stateOf(jobseeker.id);
    expect(final.consents).toMatchObject([{ status: 'active', fields: ['competences.code', 'openid.sub'] }]);
    expect(final.events).toHaveLength(1);
    expect(final.grants).toHaveLength(1);
    const tokens = await oidc.authorizationCodeGrant(
      config,
      retry.url,
      { pkceCodeVerifier: verifier, expectedState: 'kill-state' },
      { resource: `${server.issuer}/api` },
    );
    expect((await apiGet(server, tokens.access_token, 'competences')).status).toBe(200);
  });
});

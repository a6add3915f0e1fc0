// The outboxes' retention (migration 118, src/ssf/outbox-retention-queries.ts), run by the
// housekeeping job on the real database: a SET acknowledged by a poll (RFC 8936) goes 30 days after
// it was acknowledged, one never acknowledged stays on offer to every poll for 90 days after it was
// queued, then goes; Logout Tokens likewise. A purged deletion request still shows in the jobseeker's
// history as sent (and when), and the app can still confirm the deletion by its jti. Deletes go in
// batches along the new indexes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeExpired } from '../../src/jobs/purge-expired.ts';
import { deletionStates } from '../../src/ssf/deletion-queries.ts';
import { authorize, discover } from '../support/authorize.ts';
import { createClient, createJobseeker } from '../support/factories.ts';
import { exchange } from '../support/grant.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

const SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
const POLL = 'urn:ietf:rfc:8936';

let server: TestServer;
beforeAll(async () => {
  // 0: this instance pushes nothing, so every state below is the test's own.
  server = await startTestServer({ SSF_DELIVERY_INTERVAL_MS: '0' });
});
afterAll(() => server?.close());

type App = { client_id: string; client_secret: string; redirectUri: string };
const basic = (c: App) => `Basic ${Buffer.from(`${c.client_id}:${c.client_secret}`).toString('base64')}`;

async function post(app: App, path: string, body: unknown) {
  return fetch(`${server.issuer}${path}`, {
    method: 'POST',
    headers: { authorization: basic(app), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** A jobseeker's consent to the app, then withdrawn: one SET queued (and a Logout Token, if asked). */
async function withdrawal(app: App) {
  const jobseeker = await createJobseeker(server);
  const config = await discover(server.issuer, app.client_id, app.client_secret);
  const flow = await authorize({
    config,
    redirectUri: app.redirectUri,
    scope: 'openid profile',
    login: jobseeker,
    fields: ['profile.given_name'],
  });
  await exchange(server, config, flow);
  const { rows } = await server.pool.query(
    'SELECT id FROM consents WHERE jobseeker_id = $1 AND client_id = $2',
    [jobseeker.id, app.client_id],
  );
  await server.app.services.consentChanges.revoke(jobseeker.id, rows[0].id);
  const event = await server.pool.query<{ jti: string; consent_event_id: string }>(
    'SELECT jti, consent_event_id::text FROM ssf_outbox WHERE client_id = $1 AND jobseeker_id = $2',
    [app.client_id, jobseeker.id],
  );
  expect(event.rows).toHaveLength(1);
  return event.rows[0] as { jti: string; consent_event_id: string };
}

const housekeeping = () =>
  purgeExpired({
    pool: server.pool,
    consentChanges: server.app.services.consentChanges,
    accessLogRetentionDays: 396,
    outboxRetention: { deliveredDays: 30, undeliveredDays: 90 },
  });

const jtisOf = async (table: string, clientId: string) =>
  (
    await server.pool.query(`SELECT jti FROM ${table} WHERE client_id = $1 ORDER BY seq`, [clientId])
  ).rows.map((r) => r.jti as string);

describe('outbox retention', () => {
  it('keeps an unacknowledged SET on offer for its retention, purges settled ones after theirs, and keeps the deletion history', async () => {
    const app = await createClient(server);
    await server.pool.query('UPDATE clients SET backchannel_logout_uri = $2 WHERE id = $1', [
      app.client_id,
      'https://app.example.fr/backchannel-logout',
    ]);
    const created = await post(app, '/ssf/streams', {
      delivery: { method: POLL },
      events_requested: [SESSION_REVOKED],
    });
    expect(created.status).toBe(201);
    const pollPath = new URL((await created.json()).delivery.endpoint_url).pathname;
    const poll = async (body: object = {}) => {
      const response = await post(app, pollPath, { returnImmediately: true, ...body });
      expect(response.status).toBe(200);
      return Object.keys(((await response.json()) as { sets: Record<string, string> }).sets);
    };

    const acked = await withdrawal(app);
    const ackedRecently = await withdrawal(app);
    const unacked = await withdrawal(app);
    expect((await poll({ ack: [acked.jti, ackedRecently.jti] })).sort()).toEqual([unacked.jti]);
    // Acknowledged 31 and 29 days ago; the unacknowledged one queued 89 days ago.
    await server.pool.query(
      "UPDATE ssf_outbox SET delivered_at = now() - interval '31 days' WHERE jti = $1",
      [acked.jti],
    );
    await server.pool.query(
      "UPDATE ssf_outbox SET delivered_at = now() - interval '29 days' WHERE jti = $1",
      [ackedRecently.jti],
    );
    await server.pool.query("UPDATE ssf_outbox SET occurred_at = now() - interval '89 days' WHERE jti = $1", [
      unacked.jti,
    ]);
    const receivedAt = (
      await server.pool.query('SELECT delivered_at FROM ssf_outbox WHERE jti = $1', [acked.jti])
    ).rows[0].delivered_at as Date;
    // The Logout Tokens of the same withdrawals: one delivered 31 days ago, one pending 91 days.
    const logouts = await jtisOf('backchannel_logouts', app.client_id);
    expect(logouts).toHaveLength(3);
    await server.pool.query(
      "UPDATE backchannel_logouts SET state = 'delivered', delivered_at = now() - interval '31 days' WHERE jti = $1",
      [logouts[0]],
    );
    await server.pool.query(
      "UPDATE backchannel_logouts SET occurred_at = now() - interval '91 days' WHERE jti = $1",
      [logouts[1]],
    );

    const first = await housekeeping();
    expect(first.outboxEvents).toBeGreaterThanOrEqual(3);
    expect(await jtisOf('ssf_outbox', app.client_id)).toEqual([ackedRecently.jti, unacked.jti]);
    expect(await jtisOf('backchannel_logouts', app.client_id)).toEqual([logouts[2]]);
    // Not acknowledged within its retention: still offered to every poll.
    expect(await poll()).toEqual([unacked.jti]);

    // The purged request still shows as sent, when the app received it, and can still be confirmed.
    const [state] = await deletionStates(server.pool, [acked.consent_event_id]);
    expect(state).toMatchObject({ queued: true, confirmed_at: null });
    expect(state?.sent_at?.getTime()).toBe(receivedAt.getTime());
    const confirmed = await post(app, '/ssf/deletion-confirmations', { jti: acked.jti });
    expect(confirmed.status).toBe(200);
    expect(
      (await post(await createClient(server), '/ssf/deletion-confirmations', { jti: acked.jti })).status,
    ).toBe(404);

    // Past 90 days unacknowledged: dropped; the history still says a request was queued, never received.
    await server.pool.query("UPDATE ssf_outbox SET occurred_at = now() - interval '91 days' WHERE jti = $1", [
      unacked.jti,
    ]);
    await housekeeping();
    expect(await jtisOf('ssf_outbox', app.client_id)).toEqual([ackedRecently.jti]);
    expect(await poll()).toEqual([]);
    const [dropped] = await deletionStates(server.pool, [unacked.consent_event_id]);
    expect(dropped).toMatchObject({ queued: true, sent_at: null });
  });

  it('deletes in batches, along the index, past a batch of 1,000', async () => {
    const app = await createClient(server);
    const created = await post(app, '/ssf/streams', {
      delivery: { method: POLL },
      events_requested: [SESSION_REVOKED],
    });
    const streamId = (await created.json()).stream_id as string;
    // Verification events acknowledged long ago: 2,500 of them, three batches.
    await server.pool.query(
      `INSERT INTO ssf_outbox (stream_id, client_id, event_type, state, delivered_at)
       SELECT $1, $2, 'https://schemas.openid.net/secevent/ssf/event-type/verification', 'delivered',
              now() - interval '40 days'
         FROM generate_series(1, 2500)`,
      [streamId, app.client_id],
    );
    const counts = await housekeeping();
    expect(counts.outboxEvents).toBeGreaterThanOrEqual(2500);
    expect(await jtisOf('ssf_outbox', app.client_id)).toEqual([]);

    // The batch's lookup can be served by the partial indexes of migration 118 (no full scan).
    const client = await server.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL enable_seqscan = off');
      for (const [table, index, due] of [
        [
          'ssf_outbox',
          'ssf_outbox_settled_idx',
          "state <> 'pending' AND delivered_at < now() ORDER BY delivered_at",
        ],
        [
          'ssf_outbox',
          'ssf_outbox_unsettled_idx',
          "state = 'pending' AND occurred_at < now() ORDER BY occurred_at",
        ],
        [
          'backchannel_logouts',
          'backchannel_logouts_settled_idx',
          "state <> 'pending' AND delivered_at < now() ORDER BY delivered_at",
        ],
        [
          'backchannel_logouts',
          'backchannel_logouts_unsettled_idx',
          "state = 'pending' AND occurred_at < now() ORDER BY occurred_at",
        ],
      ]) {
        const plan = await client.query(`EXPLAIN SELECT seq FROM ${table} WHERE ${due} LIMIT 1000`);
        expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n'), index).toContain(index);
      }
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});

// A measurement, not a check (skipped unless MEASURE_SSF=1): how long a withdrawal takes to reach a
// receiver (10 changes one after the other), and how fast a burst of them is drained, with
// M_INSTANCES instances (default 1), M_STREAMS streams (1) of M_PER consents each (200), and
// SSF_DELIVERY_INTERVAL_MS = M_INTERVAL (1000). Prints one JSON line. Consents are written directly in
// SQL (not through the pages) so that the burst is what is measured.
//   MEASURE_SSF=1 M_INSTANCES=3 M_STREAMS=3 M_PER=300 DATABASE_URL=… npx vitest run test/faults/security-events-throughput.test.ts
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../support/factories.ts';
import { startSetReceiver } from '../support/set-receiver.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

const measuring = process.env.MEASURE_SSF === '1';
let db: TestDatabase;
let instances: TestServer[] = [];
beforeAll(async () => {
  if (!measuring) return;
  db = await createTestDatabase();
  const first = await startTestServer(
    { SSF_DELIVERY_INTERVAL_MS: process.env.M_INTERVAL ?? '1000' },
    undefined,
    db,
  );
  const n = Number(process.env.M_INSTANCES ?? '1');
  const others = await Promise.all(
    Array.from({ length: n - 1 }, () =>
      startTestServer(
        { ISSUER: first.issuer, SSF_DELIVERY_INTERVAL_MS: process.env.M_INTERVAL ?? '1000' },
        undefined,
        db,
      ),
    ),
  );
  instances = [first, ...others];
});
afterAll(async () => {
  await Promise.all(instances.map((s) => s.close()));
  await db?.drop();
});

describe.skipIf(!measuring)('security events throughput', () => {
  it('measures', async () => {
    const [first] = instances as [TestServer];
    const STREAMS = Number(process.env.M_STREAMS ?? '1');
    const PER = Number(process.env.M_PER ?? '200');
    await first.pool.query(
      `INSERT INTO consent_texts (hash, texts) VALUES ('m', '{}') ON CONFLICT DO NOTHING`,
    );
    const apps = [];
    for (let s = 0; s < STREAMS; s++) {
      const client = await createClient(first, { scopes: ['openid', 'competences'] });
      const receiver = await startSetReceiver({ issuer: first.issuer, audience: client.client_id });
      const r = await fetch(`${first.issuer}/ssf/streams`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: receiver.url },
          events_requested: ['https://schemas.openid.net/secevent/caep/event-type/session-revoked'],
        }),
      });
      expect(r.status).toBe(201);
      const { rows } = await first.pool.query(
        `WITH j AS (INSERT INTO jobseekers (login, password_hash) SELECT 'm-' || $2 || '-' || g, 'x' FROM generate_series(1, $1) g RETURNING id)
       INSERT INTO consents (jobseeker_id, client_id, status, fields, texts_hash, granted_at, expires_at)
       SELECT id, $3, 'active', '{openid.sub,competences.code}', 'm', now(), now() + interval '1 day' FROM j RETURNING id, jobseeker_id`,
        [PER, `${s}-${client.client_id.slice(0, 6)}`, client.client_id],
      );
      for (const row of rows)
        await first.pool.query(
          `INSERT INTO consent_events (consent_id, jobseeker_id, client_id, kind, fields_added, fields_removed, fields_after, texts_hash, actor)
         VALUES ($1, $2, $3, 'granted', '{openid.sub,competences.code}', '{}', '{openid.sub,competences.code}', 'm', 'jobseeker')`,
          [row.id, row.jobseeker_id, client.client_id],
        );
      apps.push({ client, receiver, rows });
    }
    // Latency of single events (one at a time).
    const lat: number[] = [];
    const one = apps[0] as (typeof apps)[number];
    for (let i = 0; i < 10; i++) {
      const row = one.rows[i] as { id: string; jobseeker_id: string };
      const before = one.receiver.received.length;
      const t0 = performance.now();
      await first.app.services.consentChanges.revoke(row.jobseeker_id, row.id);
      await one.receiver.waitFor(before + 1);
      lat.push(performance.now() - t0);
    }
    lat.sort((a, b) => a - b);
    // Throughput: the rest revoked in a burst, then drained.
    const t0 = performance.now();
    await Promise.all(
      apps.map(async (a, k) => {
        for (const row of a.rows.slice(k === 0 ? 10 : 0))
          await first.app.services.consentChanges.revoke(row.jobseeker_id, row.id);
      }),
    );
    const queued = performance.now() - t0;
    await Promise.all(apps.map((a) => a.receiver.waitFor(PER, 300_000)));
    const total = performance.now() - t0;
    const events = STREAMS * PER - 10;
    console.log(
      JSON.stringify({
        instances: instances.length,
        streams: STREAMS,
        per: PER,
        interval: process.env.M_INTERVAL ?? '1000',
        latency_ms: { p50: Math.round(lat[5] ?? 0), max: Math.round(lat[9] ?? 0) },
        burst_events: events,
        queued_ms: Math.round(queued),
        drained_ms: Math.round(total),
        events_per_s: Math.round(events / (total / 1000)),
      }),
    );
    for (const a of apps) {
      expect(new Set(a.receiver.received.map((r) => r.jti)).size).toBe(PER);
      await a.receiver.close();
    }
  }, 600_000);
});

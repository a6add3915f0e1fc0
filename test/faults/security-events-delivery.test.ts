// Durable delivery of security events, across a provider restart and with three instances on one
// database. A real receiver (test/support/set-receiver.ts) verifies every SET against the JWKS and
// records every push: each event arrives exactly once (no jti twice), in the order of the changes.
//   - Restart: the real entry point (`node src/main.ts`) pushes to an endpoint that is failing; it is
//     stopped (SIGTERM) with events pending, a change is made while no provider runs, and the next
//     start delivers all three, in order, once the endpoint works.
//   - Three instances: every one runs its delivery worker; changes made through all three, for three
//     apps' streams, reach each app once each and in order.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/demo-app.ts';
import { eventually } from '../support/eventually.ts';
import { createClient } from '../support/factories.ts';
import { consentTo } from '../support/grant.ts';
import { type RunningProvider, spawnProvider, waitForReady } from '../support/provider-process.ts';
import { type ReceivedSet, type SetReceiver, startSetReceiver } from '../support/set-receiver.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { SECRET, startTestServer, type TestServer } from '../support/test-server.ts';

const TOKEN_CLAIMS_CHANGE = 'https://schemas.openid.net/secevent/caep/event-type/token-claims-change';
const SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
const SCOPE = 'openid profile competences';
const FIELDS = ['profile.given_name', 'competences.code', 'competences.libelle'];

const basic = (c: { client_id: string; client_secret: string }) =>
  `Basic ${Buffer.from(`${c.client_id}:${c.client_secret}`).toString('base64')}`;

let receivers: SetReceiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  receivers = [];
});

async function pushStream(issuer: string, client: { client_id: string; client_secret: string }) {
  const receiver = await startSetReceiver({ issuer, audience: client.client_id });
  receivers.push(receiver);
  const response = await fetch(`${issuer}/ssf/streams`, {
    method: 'POST',
    headers: { authorization: basic(client), 'content-type': 'application/json' },
    body: JSON.stringify({
      delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: receiver.url },
      events_requested: [TOKEN_CLAIMS_CHANGE, SESSION_REVOKED],
    }),
  });
  expect(response.status).toBe(201);
  return receiver;
}

/** A jobseeker consents to the app through the pages (at `server`); returns what the events name. */
async function grantTo(
  server: TestServer,
  client: { client_id: string; client_secret: string; redirectUri: string },
) {
  const { jobseeker, consentId, sub } = await consentTo(server, client, { scope: SCOPE, fields: FIELDS });
  return { jobseekerId: jobseeker.id, consentId, sub };
}

const summary = (received: ReceivedSet[]) =>
  received.map((r) => {
    const [type, event] = Object.entries(r.payload.events)[0] as [string, Record<string, unknown>];
    return `${type.split('/').pop()} ${event.pec_reason} ${r.payload.sub_id.sub}`;
  });

describe('across a provider restart', () => {
  let db: TestDatabase;
  let helper: TestServer;
  let provider: RunningProvider | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    if (provider && provider.child.exitCode === null) provider.child.kill('SIGKILL');
    await helper?.close();
    await db?.drop();
  });

  it('delivers what was pending, and what was queued while it was down, once each, in order', async () => {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const start = async () => {
      provider = spawnProvider({
        NODE_ENV: 'test',
        PORT: String(port),
        ISSUER: issuer,
        DATABASE_URL: db.url,
        KEYS_ENCRYPTION_KEY: SECRET,
        COOKIE_SECRETS: SECRET,
        PAIRWISE_SALT: SECRET,
        DEMO_APP: 'false',
        SEED_DEMO_DATA: 'false',
        LOG_LEVEL: 'warn',
        SSF_DELIVERY_INTERVAL_MS: '100',
        SSF_MAX_BACKOFF_SECONDS: '1',
      });
      await waitForReady(issuer, provider);
    };
    await start();
    // The same database and issuer, for the factories and the services; it pushes nothing itself.
    helper = await startTestServer({ ISSUER: issuer, SSF_DELIVERY_INTERVAL_MS: '0' }, undefined, db);
    const client = await createClient(helper, { scopes: ['openid', 'profile', 'competences'] });
    const receiver = await pushStream(issuer, client);
    const one = await grantTo(helper, client);
    const two = await grantTo(helper, client);
    const changes = helper.app.services.consentChanges;

    receiver.failNext = 1_000;
    await changes.narrow(one.jobseekerId, one.consentId, ['competences.libelle']);
    await changes.revoke(one.jobseekerId, one.consentId);
    await eventually(() => expect(receiver.failed).toBeGreaterThanOrEqual(2));

    const running = provider as RunningProvider;
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
    // Queued with no provider running.
    await changes.revoke(two.jobseekerId, two.consentId);
    const { rows } = await db.pool.query(
      "SELECT count(*)::int AS n FROM ssf_outbox WHERE client_id = $1 AND state = 'pending'",
      [client.client_id],
    );
    expect(rows[0].n).toBe(3);

    receiver.failNext = 0;
    const failedBefore = receiver.failed;
    await start();
    const received = await receiver.waitFor(3);
    // Every event settled (its 202 is in): no retry or duplicate can still be on its way.
    await eventually(async () => {
      const { rows } = await db.pool.query(
        "SELECT count(*)::int AS n FROM ssf_outbox WHERE client_id = $1 AND state = 'pending'",
        [client.client_id],
      );
      expect(rows[0].n).toBe(0);
    });
    expect(receiver.failed).toBe(failedBefore);
    expect(receiver.refused).toEqual([]);
    expect(receiver.received).toHaveLength(3);
    expect(new Set(received.map((r) => r.jti)).size).toBe(3);
    expect(summary(received)).toEqual([
      `token-claims-change consent_narrowed ${one.sub}`,
      `session-revoked consent_withdrawn ${one.sub}`,
      `session-revoked consent_withdrawn ${two.sub}`,
    ]);
    (provider as RunningProvider).child.kill('SIGTERM');
    expect(await (provider as RunningProvider).exited).toBe(0);
  });
});

describe('three instances on one database', () => {
  let db: TestDatabase;
  let instances: TestServer[] = [];
  beforeAll(async () => {
    db = await createTestDatabase();
    // The first one starts alone: it creates the signing keys the others then load.
    const first = await startTestServer({ SSF_DELIVERY_INTERVAL_MS: '50' }, undefined, db);
    const others = await Promise.all(
      [1, 2].map(() =>
        startTestServer({ ISSUER: first.issuer, SSF_DELIVERY_INTERVAL_MS: '50' }, undefined, db),
      ),
    );
    instances = [first, ...others];
  });
  afterAll(async () => {
    await Promise.all(instances.map((s) => s.close()));
    await db?.drop();
  });

  it('delivers every app its events once each and in order, whichever instance made the change', async () => {
    const [first] = instances as [TestServer];
    const apps = await Promise.all(
      [0, 1, 2].map(async () => {
        const client = await createClient(first, { scopes: ['openid', 'profile', 'competences'] });
        const receiver = await pushStream(first.issuer, client);
        const grants = [await grantTo(first, client), await grantTo(first, client)];
        return { client, receiver, grants };
      }),
    );
    const expected = new Map<SetReceiver, string[]>();
    // Each change through the next instance in turn, the three apps interleaved.
    let turn = 0;
    const next = () => (instances[turn++ % 3] as TestServer).app.services.consentChanges;
    for (const g of [0, 1]) {
      for (const app of apps) {
        const grant = app.grants[g] as Awaited<ReturnType<typeof grantTo>>;
        await next().narrow(grant.jobseekerId, grant.consentId, ['competences.code']);
        await next().revoke(grant.jobseekerId, grant.consentId);
        expected.set(app.receiver, [
          ...(expected.get(app.receiver) ?? []),
          `token-claims-change consent_narrowed ${grant.sub}`,
          `session-revoked consent_withdrawn ${grant.sub}`,
        ]);
      }
    }
    for (const app of apps) await app.receiver.waitFor(4);
    // Every event settled (its 202 is in): no duplicate can still be on its way.
    await eventually(async () => {
      const { rows } = await db.pool.query(
        "SELECT count(*)::int AS n FROM ssf_outbox WHERE client_id = ANY($1) AND state = 'pending'",
        [apps.map((app) => app.client.client_id)],
      );
      expect(rows[0].n).toBe(0);
    });
    for (const app of apps) {
      expect(app.receiver.refused).toEqual([]);
      expect(app.receiver.received).toHaveLength(4);
      expect(new Set(app.receiver.received.map((r) => r.jti)).size).toBe(4);
      expect(summary(app.receiver.received)).toEqual(expected.get(app.receiver));
    }
  });
});
